package io.hypha.api.transport;

/** Why a transport operation failed. A closed set, one meaning per case. */
public enum TransportError {
    /** The peer refused or could not be reached. */
    UNREACHABLE,
    /** The handshake or the dial took longer than allowed. */
    TIMEOUT,
    /** The peer's identity could not be verified, or it is not the node that was dialled. */
    AUTHENTICATION_FAILED,
    /** A frame was larger than the configured maximum. */
    FRAME_TOO_LARGE,
    /** The peer sent bytes that are not a valid frame. */
    MALFORMED,
    /** The address is not valid for this protocol, or could not be bound. */
    BAD_ADDRESS,
    /** The connection or endpoint was closed, or the protocol is shutting down. */
    CLOSED,
    /** An I/O error not covered above. */
    IO
}
