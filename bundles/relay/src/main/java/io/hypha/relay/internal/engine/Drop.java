package io.hypha.relay.internal.engine;

/** Why the relay engine dropped something it received. Counted, shown by {@code hypha:relay}, never a crash. */
public enum Drop {
    /** A message of an unknown type (not {@code hypha.relay.*}). */
    UNKNOWN_TYPE,
    /** A relay message without a sender to answer. */
    NO_SENDER,
    /** A relay message whose bytes are not a valid encoding (or a stored record or note that is not). */
    MALFORMED,
    /** A sealed payload (a forwarded message, or a sender's note in an expiry report) that did not open. */
    UNSEALABLE,
    /** A {@code registered} or {@code deliver} from a node that is not one of this edge node's relays. */
    NOT_A_RELAY,
    /** A {@code delivered} from a node that is not a registered edge node. */
    NOT_REGISTERED,
    /**
     * A forwarded message an edge node could not hold (its local mailbox was full and the relay sent beyond its window):
     * not acknowledged, so the relay keeps it and sends it again after the edge registers anew.
     */
    HELD_FULL,
    /** An answer ({@code stored}, {@code refused}) for a message this sender no longer holds, or from another relay. */
    STALE
}
