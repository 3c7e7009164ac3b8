package io.hypha.transport.internal;

import java.util.Objects;

/** An operator's request to the Transport engine failed; {@link #failure()} says why. */
public final class AdminException extends Exception {
    private static final long serialVersionUID = 1L;

    private final AdminFailure failure;

    /**
     * @param failure why
     * @param message a sentence for operators saying what happened and, where useful, what to do
     */
    public AdminException(AdminFailure failure, String message) {
        super(message, null, false, false);
        this.failure = Objects.requireNonNull(failure, "failure");
    }

    /** @return why the request failed */
    public AdminFailure failure() {
        return failure;
    }
}
