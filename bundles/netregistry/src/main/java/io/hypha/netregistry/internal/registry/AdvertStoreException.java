package io.hypha.netregistry.internal.registry;

import java.nio.file.Path;
import java.util.Objects;

/** The advert store could not be opened; {@link #reason()} says why. */
public final class AdvertStoreException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why the store could not be opened. */
    public enum Reason {
        /** The directory or file cannot be created, read or written. */
        IO,
        /** Another process holds the file (another node on the same data directory). */
        IN_USE,
        /** The file was written by a newer version with a layout this one does not read. */
        NEWER_FORMAT
    }

    private final Reason reason;
    private final transient Path file;

    /**
     * @param reason  why
     * @param file    the store file
     * @param problem what happened, for operators
     * @param cause   the underlying failure, or {@code null}
     */
    public AdvertStoreException(Reason reason, Path file, String problem, Throwable cause) {
        super("advert store " + file + ": " + problem, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.file = file;
    }

    /** @return why the store could not be opened */
    public Reason reason() {
        return reason;
    }

    /** @return the store file */
    public Path file() {
        return file;
    }
}
