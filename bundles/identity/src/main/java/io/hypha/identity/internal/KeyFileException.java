package io.hypha.identity.internal;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The node key file cannot be used. {@link #reason()} says why; the message is a sentence for operators that
 * names the file, says what is wrong and what to do. The file is never modified when this is thrown.
 */
public final class KeyFileException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What is wrong with the key file, with the advice an operator needs for each case. */
    public enum Reason {
        /** Something other than a regular file (a directory, a device) is at the key path. */
        NOT_A_FILE("Move it away (the node then makes a new key there, and so gets a new node id), "
                + "or set keyFile in the io.hypha.identity configuration to the real key file."),
        /** The file exists but cannot be read by this process. */
        UNREADABLE("Make it readable by the user running the node: chown it to that user and run chmod 600 on it."),
        /** Group or others have access to the file (like ssh, a private key readable by others is refused). */
        WRONG_PERMISSIONS("A node key must be private to its owner: run chmod 600 on it, "
                + "then consider the key exposed if others could have read it."),
        /** The file is empty, truncated, too large, or its content does not match the format. */
        CORRUPT("Restore it from a backup. If it is lost, move it away and restart: the node makes a new key "
                + "and gets a new node id, which its peers and domains will not recognise."),
        /** The file is a key file of a format version this code does not understand. */
        UNSUPPORTED_VERSION("It was written by a newer Hypha: run that version, or restore a hypha-node-key-v1 file."),
        /** A new key file (or its directory) could not be created. */
        CANNOT_CREATE("Check that the directory exists or can be created and is writable by the user running the node, "
                + "or set keyFile in the io.hypha.identity configuration to a writable place.");

        private final String advice;

        Reason(String advice) {
            this.advice = advice;
        }

        /** @return what an operator should do about it */
        public String advice() {
            return advice;
        }
    }

    /** Why the file was refused. */
    private final Reason reason;
    /** The key file; not serialized, since {@link Path} is not serializable. */
    private final transient Path file;

    /**
     * @param reason  what is wrong
     * @param file    the key file
     * @param problem what was found, as a clause that follows the file name (for example {@code "is empty"})
     * @param cause   the underlying I/O error, or {@code null}
     */
    public KeyFileException(Reason reason, Path file, String problem, Throwable cause) {
        super("Node key file " + file + " " + problem + ". " + reason.advice()
                + (reason == Reason.CANNOT_CREATE ? "" : " The file was left unchanged."), cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.file = file;
    }

    /** @return what is wrong with the key file */
    public Reason reason() {
        return reason;
    }

    /** @return the key file */
    public Path file() {
        return file;
    }
}
