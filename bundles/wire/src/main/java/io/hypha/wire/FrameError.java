package io.hypha.wire;

import io.hypha.api.transport.TransportError;

/** Why bytes could not be read as a frame. A closed set, one meaning per case. */
public enum FrameError {
    /** The input ended inside a frame (in its length prefix or its body). */
    TRUNCATED(TransportError.MALFORMED),
    /** A frame is longer than the configured maximum; detected from the length prefix, before the body is read. */
    OVERSIZE(TransportError.FRAME_TOO_LARGE),
    /** The length prefix is not a valid varint: longer than 10 bytes, beyond 64 bits, or not minimally encoded. */
    MALFORMED_VARINT(TransportError.MALFORMED),
    /** The frame body is not a valid {@link Frame} message, or carries no kind this node knows. */
    MALFORMED_MESSAGE(TransportError.MALFORMED);

    private final TransportError transportError;

    FrameError(TransportError transportError) {
        this.transportError = transportError;
    }

    /** @return the transport error a connection closed for this reason reports */
    public TransportError transportError() {
        return transportError;
    }
}
