package io.hypha.netregistry.internal.console;

import java.util.Objects;

/** A registry command failed; {@link #failure()} says why, the message says it to the operator. */
public final class RegistryCommandException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why a command failed. */
    public enum Failure {
        /** The NetRegistry is not running. */
        NOT_RUNNING,
        /** What was typed names no node. */
        BAD_NODE,
        /** No connected peer knew the node looked up. */
        NOT_FOUND,
        /** The command was interrupted. */
        INTERRUPTED
    }

    private final Failure failure;

    /**
     * @param failure why
     * @param message a sentence for the operator
     */
    public RegistryCommandException(Failure failure, String message) {
        super(message, null, false, false);
        this.failure = Objects.requireNonNull(failure, "failure");
    }

    /** @return why the command failed */
    public Failure failure() {
        return failure;
    }
}
