package io.hypha.api;

import java.util.Objects;

/** A message could not be delivered, or a request got no reply; {@link #failure()} says why. */
public class DeliveryException extends Exception {
    private static final long serialVersionUID = 1L;

    private final DeliveryFailure failure;

    /**
     * @param failure why
     * @param message a sentence for operators
     */
    public DeliveryException(DeliveryFailure failure, String message) {
        super(failure + ": " + message, null, false, false);
        this.failure = Objects.requireNonNull(failure, "failure");
    }

    /** @return why the message was not delivered */
    public DeliveryFailure failure() {
        return failure;
    }
}
