package io.hypha.relay.internal.console;

/** {@code hypha:relay} could not answer; the message says what to do. */
public final class RelayCommandException extends Exception {
    private static final long serialVersionUID = 1L;

    /** @param message a sentence for the operator */
    public RelayCommandException(String message) {
        super(message, null, false, false);
    }
}
