package io.hypha.api.transport;

import java.util.Objects;

/** A transport operation failed; {@link #error()} says why. */
public class TransportException extends Exception {
    private static final long serialVersionUID = 1L;

    private final TransportError error;

    /**
     * @param error   why
     * @param message a sentence for operators
     * @param cause   the underlying exception, or {@code null}
     */
    public TransportException(TransportError error, String message, Throwable cause) {
        super(error + ": " + message, cause);
        this.error = Objects.requireNonNull(error, "error");
    }

    /** @return why the operation failed */
    public TransportError error() {
        return error;
    }
}
