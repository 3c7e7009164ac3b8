package io.hypha.transport.tls.internal;

import io.hypha.api.transport.TransportError;

/**
 * Why the transport closed a connection or refused one, for counting. A closed set; orderly closes are not counted.
 * Each maps to the {@link TransportError} a dialler or {@code onClosed} reports.
 */
enum CloseReason {
    /** An inbound connection arrived while {@code maxConnections} were open: closed before any TLS. */
    OVER_CAPACITY(TransportError.CLOSED),
    /** The peer's first bytes were not a TLS record (garbage, plain text, another protocol). */
    NOT_TLS(TransportError.MALFORMED),
    /** The peer's certificate proved no node, the wrong node, or was refused by the credentials. */
    AUTHENTICATION_FAILED(TransportError.AUTHENTICATION_FAILED),
    /** The TLS handshake failed otherwise: no client certificate, no common version or cipher, an alert. */
    HANDSHAKE_FAILED(TransportError.AUTHENTICATION_FAILED),
    /** The handshake did not complete within the context's handshake timeout. */
    HANDSHAKE_TIMEOUT(TransportError.TIMEOUT),
    /** The peer closed the connection before the handshake completed. */
    HANDSHAKE_ABORTED(TransportError.CLOSED),
    /** A frame's length prefix announced more than the maximum frame size (refused before its body is read). */
    FRAME_TOO_LARGE(TransportError.FRAME_TOO_LARGE),
    /** A malformed length prefix, or the stream ended inside a frame. */
    MALFORMED_FRAME(TransportError.MALFORMED),
    /** A TLS error after the handshake (a bad record, an unexpected alert). */
    TLS_ERROR(TransportError.MALFORMED),
    /** A socket error (reset, broken pipe). */
    IO_ERROR(TransportError.IO);

    private final TransportError error;

    CloseReason(TransportError error) {
        this.error = error;
    }

    /** @return the transport error reported for this reason */
    TransportError error() {
        return error;
    }
}
