package io.hypha.transport.internal;

/** Why an operator's request to the Transport engine ({@link TransportAdmin}) failed. */
public enum AdminFailure {
    /** The Transport engine is stopped or stopping. */
    NOT_RUNNING,
    /** The address is not {@code scheme://[nodeid@]host:port}, or its node id is not valid. */
    BAD_ADDRESS,
    /** No transport protocol for the address's scheme is installed. */
    NO_PROTOCOL,
    /** The peer could not be reached or authenticated (the transport's reason is in the message). */
    UNREACHABLE,
    /** The peer refused the handshake (DENIED, INCOMPATIBLE or OVER_CAPACITY; the reason is in the message). */
    REFUSED,
    /** No answer within the time allowed. */
    TIMEOUT,
    /** There is no open connection to the node. */
    NOT_CONNECTED,
    /** What was typed names no known node, or several. */
    UNKNOWN_PEER,
    /** The address is this node's own. */
    SELF,
    /** Too many requests of this kind are waiting. */
    BUSY
}
