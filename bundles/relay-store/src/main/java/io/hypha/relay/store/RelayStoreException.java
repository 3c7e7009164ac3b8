package io.hypha.relay.store;

import java.nio.file.Path;
import java.util.Objects;

/** The relay store could not be opened; {@link #reason()} says why, the message says what to do. */
public final class RelayStoreException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why the store could not be opened, with the advice an operator needs. */
    public enum Reason {
        /** Another process (or another store object in this one) has the store open. */
        LOCKED("Another relay process uses this data directory: stop it, or give this node its own data directory."),
        /** The file is damaged beyond what recovery to the last commit can repair. */
        CORRUPT("Move the file away to keep it for analysis and restart: the relay starts with an empty store, and the "
                + "messages it held are lost."),
        /** The file was written by a newer version of the store. */
        UNSUPPORTED_FORMAT("It was written by a newer Hypha: run that version, or move the file away."),
        /** The directory or file cannot be created, read or written. */
        IO("Check that the directory exists or can be created, is writable by the user running the node, and that "
                + "the disk has room.");

        private final String advice;

        Reason(String advice) {
            this.advice = advice;
        }

        /** @return what an operator should do */
        public String advice() {
            return advice;
        }
    }

    private final Reason reason;

    /**
     * @param reason what is wrong
     * @param file   the store file
     * @param cause  the underlying exception
     */
    public RelayStoreException(Reason reason, Path file, Throwable cause) {
        super("Relay store " + file + " cannot be opened (" + Objects.requireNonNull(reason, "reason") + ": "
                + (cause == null ? "" : cause.getMessage()) + "). " + reason.advice(), cause);
        this.reason = reason;
    }

    /** @return why the store could not be opened */
    public Reason reason() {
        return reason;
    }
}
