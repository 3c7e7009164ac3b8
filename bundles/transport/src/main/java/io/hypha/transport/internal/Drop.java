package io.hypha.transport.internal;

/**
 * Why a message was dropped or refused by the Transport engine. Counted per transport scheme and per peer, and shown
 * by {@code hypha:transports} and {@code hypha:peers}. The sending engine is told about every drop of its own
 * messages through {@code LocalDelivery.undeliverable}, with the {@link io.hypha.api.DeliveryFailure} given here.
 */
public enum Drop {
    /** The message expired before it could be sent (sender), or arrived expired (receiver). Reported as EXPIRED. */
    EXPIRED,
    /** The message had already been delivered (receiver): a resent copy. Not an error; the sender learns by an ack. */
    DUPLICATE,
    /** Refused because the peer's outbound buffer (queued and unacknowledged messages) or the hand-off to the engine
     *  thread was full. Reported as MAILBOX_FULL. */
    BUFFER_FULL,
    /** Refused because its payload is neither {@code byte[]}, {@link String} nor {@code null}. Reported as NO_ROUTE. */
    UNSUPPORTED_PAYLOAD,
    /** Refused because its frame is larger than this node's or the peer's maximum frame size. Reported as NO_ROUTE. */
    TOO_LARGE,
    /** Refused because the node is unknown: no session, no address. Reported as NO_ROUTE. */
    NO_ROUTE,
    /** Held (queued or unacknowledged) when the Transport engine stopped. Reported as NO_ROUTE. */
    STOPPED,
    /** Arrived (receiver) while more messages from its peer already waited for full mailboxes than the bound: not
     *  acknowledged, the link closed, the peer resends it on its next connection. Nothing is lost. */
    HELD_FULL
}
