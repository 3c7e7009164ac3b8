package io.hypha.transport.internal;

/**
 * Why a connection was refused or closed by the Transport engine (or by the peer's handshake reply). Counted per
 * transport scheme and shown by {@code hypha:transports}. Messages on such a connection are not lost: the session
 * resends what was not acknowledged on its next connection.
 */
public enum Refusal {
    /** A frame that is not a valid frame, or one that breaks the protocol (a Data frame before the handshake...). */
    MALFORMED,
    /** A frame larger than this node's maximum frame size. */
    OVERSIZE,
    /** The dial or the Hello/HelloReply exchange did not complete within the handshake timeout. */
    HANDSHAKE_TIMEOUT,
    /** The handshake was refused as DENIED: the node id is not the authenticated one, or not the node dialled. */
    DENIED,
    /** The handshake was refused as INCOMPATIBLE: no protocol version in common. */
    INCOMPATIBLE,
    /** The handshake was refused as OVER_CAPACITY: too many connections or peers. */
    OVER_CAPACITY,
    /** The peer sent faster than this node could take its frames (the inbound queue or byte bound was reached). */
    INBOUND_OVERFLOW,
    /** Nothing arrived on the connection within the stall timeout, pings included. */
    STALLED,
    /** The transport could not open the connection (unreachable, authentication failed, bad address). */
    DIAL_FAILED,
    /** The transport closed the connection because the peer's identity failed verification. */
    AUTHENTICATION_FAILED,
    /** The transport reported the connection broken (an I/O error, the peer unreachable or gone). */
    LOST
}
