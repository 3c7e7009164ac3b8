package io.hypha.relay.store;

import java.util.Objects;

/**
 * The outcome of storing a message: {@link Stored} once it is durable, or {@link Refused} with the reason, which the
 * relay reports to the sender (a message is never dropped silently).
 */
public sealed interface StoreResult {
    /**
     * The message is on disk (as durable as {@link RelayStoreSettings#durability()} says) and will be forwarded.
     *
     * @param seq its per-edge sequence number
     */
    record Stored(long seq) implements StoreResult {
    }

    /**
     * The message was not stored.
     *
     * @param reason why
     */
    record Refused(Refusal reason) implements StoreResult {
        /** @throws NullPointerException if the reason is null */
        public Refused {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** Why a message was not stored. */
    enum Refusal {
        /** The edge node's quota (messages or bytes) is used up; it frees up as the edge acknowledges or messages expire. */
        QUOTA_FULL,
        /** The relay's total byte limit, over all edge nodes, is reached. */
        STORE_FULL,
        /** The message's expiry had already passed when it arrived. */
        EXPIRED,
        /** The envelope is larger than the largest message the relay keeps. */
        TOO_LARGE,
        /** The store is closed or failed (a disk error); nothing more is stored until it is opened again. */
        UNAVAILABLE
    }
}
