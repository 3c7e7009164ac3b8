package io.hypha.relay.internal.wire;

/**
 * Why a relay did not store a message (the {@code reason} of {@code hypha.relay.refused}), with its wire code. What
 * the sender does with each is in docs/relay-protocol.md: the quota reasons and {@link #EXPIRED} are final and reported
 * to the sending engine; the others make it try the edge node's next relay.
 */
public enum Refusal {
    /** The edge node's quota (messages or bytes) at this relay is used up. */
    QUOTA_FULL(1),
    /** The relay's total store is full. */
    STORE_FULL(2),
    /** The message's expiry had passed when it arrived. */
    EXPIRED(3),
    /** The message is larger than the largest the relay keeps. */
    TOO_LARGE(4),
    /** This node does not serve as a relay. */
    NOT_SERVING(5),
    /** The edge node has not registered with this relay (or its registration lapsed). */
    UNKNOWN_EDGE(6),
    /** The relay's store is closed or failed; nothing is stored until it is back. */
    UNAVAILABLE(7);

    private final int code;

    Refusal(int code) {
        this.code = code;
    }

    /** @return the wire code */
    public int code() {
        return code;
    }

    /**
     * @param code a wire code
     * @return the refusal, or {@code null} if the code is unknown
     */
    public static Refusal ofCode(int code) {
        for (Refusal r : values()) {
            if (r.code == code) {
                return r;
            }
        }
        return null;
    }
}
