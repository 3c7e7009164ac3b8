package io.hypha.transport.quic.internal;

import io.hypha.api.transport.TransportError;

/**
 * QUIC application error codes this transport puts in CONNECTION_CLOSE (docs/wire-protocol.md, "QUIC client
 * authentication"), and the {@link TransportError} each one stands for on the closing side.
 */
enum CloseCode {
    /** An orderly close. */
    NO_ERROR(0, TransportError.CLOSED),
    /** The dialler's proof of identity was refused. */
    AUTHENTICATION_FAILED(1, TransportError.AUTHENTICATION_FAILED),
    /** No room for the connection, or the endpoint stopped accepting. */
    UNAVAILABLE(2, TransportError.UNREACHABLE),
    /** Bytes that are not a frame, or an authentication message out of place. */
    MALFORMED(3, TransportError.MALFORMED),
    /** A frame above the receiver's maximum. */
    FRAME_TOO_LARGE(4, TransportError.FRAME_TOO_LARGE),
    /** The connection made no progress for the stall timeout. */
    STALLED(5, TransportError.TIMEOUT),
    /** The handshake took longer than allowed. */
    HANDSHAKE_TIMEOUT(6, TransportError.TIMEOUT),
    /** The node's transport is shutting down. */
    SHUTDOWN(7, TransportError.CLOSED);

    final long code;
    final TransportError error;

    CloseCode(long code, TransportError error) {
        this.code = code;
        this.error = error;
    }

    /** @return the code that reports a local failure of this kind to the peer */
    static CloseCode of(TransportError error) {
        return switch (error) {
            case AUTHENTICATION_FAILED -> AUTHENTICATION_FAILED;
            case MALFORMED -> MALFORMED;
            case FRAME_TOO_LARGE -> FRAME_TOO_LARGE;
            case TIMEOUT -> STALLED;
            case UNREACHABLE -> UNAVAILABLE;
            default -> NO_ERROR;
        };
    }

    /** @return the code with this value, or {@code null} */
    static CloseCode ofCode(Long code) {
        if (code != null) {
            for (CloseCode c : values()) {
                if (c.code == code) {
                    return c;
                }
            }
        }
        return null;
    }
}
