package io.hypha.wire;

import java.util.Objects;

/** Bytes could not be read (or a message written) as a frame; {@link #error()} says why. */
public final class FrameException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why the frame could not be read. */
    private final FrameError error;

    /**
     * @param error   why
     * @param message a sentence for operators saying what was found
     * @param cause   the underlying exception, or {@code null}
     */
    public FrameException(FrameError error, String message, Throwable cause) {
        super(error + ": " + message, cause);
        this.error = Objects.requireNonNull(error, "error");
    }

    /** @return why the frame could not be read */
    public FrameError error() {
        return error;
    }
}
