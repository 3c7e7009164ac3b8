package io.hypha.api;

/**
 * Why a message was not delivered. A closed set: every undelivered message carries exactly one of these, in a
 * {@link DeadLetter} and, for requests, in the {@link DeliveryException} that fails the reply.
 */
public enum DeliveryFailure {
    /** No engine of that name runs on the destination node, and none was stopped there within the grace period. */
    NO_SUCH_ENGINE,
    /** The destination engine's mailbox was at its bound; the message was refused, not queued. */
    MAILBOX_FULL,
    /** The message's expiry passed before it could be delivered. */
    EXPIRED,
    /** The destination engine stopped and did not come back within the grace period. */
    ENGINE_STOPPED,
    /** The destination is on another node and no route to it exists (no transport, unknown node, or remote routing not installed). */
    NO_ROUTE,
    /** A request got no reply within its timeout. */
    TIMEOUT,
    /** The destination engine threw while handling the message. */
    ENGINE_FAILED,
    /**
     * The destination is an edge node reached through a relay, and the relay refused to hold the message: its quota
     * for that node (messages or bytes) or its total store is full. Nothing was stored; the sender may retry later.
     *
     * @since 1.1
     */
    QUOTA_FULL
}
