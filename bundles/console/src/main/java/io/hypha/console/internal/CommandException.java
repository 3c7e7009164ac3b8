package io.hypha.console.internal;

import java.util.Objects;

/**
 * A console command failed. Gogo reports the message to the operator and {@code ./hypha exec} exits non-zero, so
 * the message says what went wrong and what to do; {@link #kind()} says which kind of failure it is.
 */
public final class CommandException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Kinds of command failure. */
    public enum Kind {
        /** The arguments are wrong; the message shows the usage. */
        BAD_ARGUMENT,
        /** A service the command needs is not running (its feature is not installed). */
        UNAVAILABLE,
        /** A message was not delivered. */
        NOT_DELIVERED,
        /** A feature operation failed. */
        FEATURE_FAILED,
        /** The command was interrupted while waiting. */
        INTERRUPTED
    }

    private final Kind kind;

    /**
     * @param kind    the kind of failure
     * @param message a sentence for operators
     */
    public CommandException(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    /** @return the kind of failure */
    public Kind kind() {
        return kind;
    }
}
