package io.hypha.wire.advert;

import io.hypha.api.NodeId;
import io.hypha.api.advert.AdvertCheck;
import io.hypha.api.advert.AdvertCodec;
import io.hypha.api.advert.AdvertRejection;
import io.hypha.api.advert.NodeAdvert;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The adverts a node knows: for each node, the newest valid advert seen, with counters of what was refused and why.
 * It is what the NetRegistry engine keeps in memory (and writes to disk); it decides nothing about routing.
 * Thread-safe: the registry engine offers adverts on its turn while console commands read.
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li>An advert is checked by the {@link AdvertCodec} first (signature, expected node, times); a refusal is
 *       counted under its {@link AdvertRejection}.</li>
 *   <li>A valid advert replaces the held one only if its version is higher. An equal advert (same version, same
 *       content and signature: the normal case when several peers pass the same advert on) is
 *       {@link Offer.Unchanged} and not counted. A lower version, or the same version with other content (a node
 *       that signed two different adverts under one version), is {@link AdvertRejection#OLDER_VERSION}: the first
 *       one seen stays.</li>
 *   <li>An expired advert stays in the table, unused ({@link #get} and {@link #adverts} skip it), until
 *       {@link #removeExpired} removes it; until then it still blocks older versions.</li>
 *   <li>The table holds at most {@code capacity} nodes. When it is full, expired adverts are removed to make room; if
 *       none is, an advert about a new node is refused ({@link Offer.Full}, counted by {@link #fullRefusals}) while
 *       newer adverts of known nodes are still taken. A node can make any number of identities, so without a
 *       bound a flood of valid self-signed adverts would exhaust memory.</li>
 * </ul>
 */
public final class AdvertTable {
    /** The outcome of {@link #offer}. */
    public sealed interface Offer {
        /**
         * The advert is now the one held for its node.
         *
         * @param advert   the advert
         * @param replaced the advert it replaced, or {@code null} if the node was not known
         */
        record Accepted(NodeAdvert advert, NodeAdvert replaced) implements Offer {
        }

        /**
         * The same advert was already held; nothing changed.
         *
         * @param held the advert held
         */
        record Unchanged(NodeAdvert held) implements Offer {
        }

        /**
         * The advert was refused and counted.
         *
         * @param reason why
         */
        record Rejected(AdvertRejection reason) implements Offer {
        }

        /** The advert is valid and about a node the table does not know, but the table is full. */
        record Full() implements Offer {
        }
    }

    private final AdvertCodec codec;
    private final int capacity;
    private final Map<NodeId, NodeAdvert> adverts = new HashMap<>();
    private final EnumMap<AdvertRejection, Long> rejections = new EnumMap<>(AdvertRejection.class);
    private long fullRefusals;

    /**
     * @param codec    checks adverts
     * @param capacity the most nodes held; at least 1
     * @throws IllegalArgumentException if the capacity is less than 1
     */
    public AdvertTable(AdvertCodec codec, int capacity) {
        this.codec = Objects.requireNonNull(codec, "codec");
        if (capacity < 1) {
            throw new IllegalArgumentException("an advert table holds at least 1 advert, got capacity " + capacity);
        }
        this.capacity = capacity;
    }

    /**
     * Decodes, checks and offers an advert received as bytes.
     *
     * @param encoded  the bytes
     * @param expected the node the advert must be about, or {@code null} for any
     * @param now      the time to check validity at
     * @return what happened
     */
    public Offer offer(byte[] encoded, NodeId expected, Instant now) {
        return offer(codec.decode(encoded, expected, now), now);
    }

    /**
     * Checks and offers an advert.
     *
     * @param advert   the advert
     * @param expected the node the advert must be about, or {@code null} for any
     * @param now      the time to check validity at
     * @return what happened
     */
    public Offer offer(NodeAdvert advert, NodeId expected, Instant now) {
        return offer(codec.verify(advert, expected, now), now);
    }

    private synchronized Offer offer(AdvertCheck check, Instant now) {
        if (check instanceof AdvertCheck.Rejected rejected) {
            return reject(rejected.reason());
        }
        NodeAdvert advert = ((AdvertCheck.Accepted) check).advert();
        NodeAdvert held = adverts.get(advert.node());
        if (held != null) {
            if (held.equals(advert)) {
                return new Offer.Unchanged(held);
            }
            if (advert.version() <= held.version()) {
                return reject(AdvertRejection.OLDER_VERSION);
            }
        } else if (adverts.size() >= capacity && removeExpiredLocked(now).isEmpty()) {
            fullRefusals++;
            return new Offer.Full();
        }
        adverts.put(advert.node(), advert);
        return new Offer.Accepted(advert, held);
    }

    private Offer reject(AdvertRejection reason) {
        rejections.merge(reason, 1L, Long::sum);
        return new Offer.Rejected(reason);
    }

    /**
     * @param node a node
     * @param now  the current time
     * @return its advert, if one is held and has not expired at {@code now}
     */
    public synchronized Optional<NodeAdvert> get(NodeId node, Instant now) {
        NodeAdvert advert = adverts.get(node);
        return advert == null || advert.isExpired(now) ? Optional.empty() : Optional.of(advert);
    }

    /**
     * @param node a node
     * @return the version of its advert held (expired or not), or 0 if none: what a handshake announces as
     *         {@code known_advert_version}
     */
    public synchronized long version(NodeId node) {
        NodeAdvert advert = adverts.get(node);
        return advert == null ? 0 : advert.version();
    }

    /**
     * @param now the current time
     * @return the adverts held that have not expired at {@code now}, ordered by node id
     */
    public synchronized List<NodeAdvert> adverts(Instant now) {
        return adverts.values().stream().filter(a -> !a.isExpired(now))
                .sorted((a, b) -> a.node().compareTo(b.node())).toList();
    }

    /**
     * Removes the adverts that have expired.
     *
     * @param now the current time
     * @return the adverts removed
     */
    public synchronized List<NodeAdvert> removeExpired(Instant now) {
        return removeExpiredLocked(now);
    }

    private List<NodeAdvert> removeExpiredLocked(Instant now) {
        List<NodeAdvert> removed = new ArrayList<>();
        for (Iterator<NodeAdvert> it = adverts.values().iterator(); it.hasNext(); ) {
            NodeAdvert advert = it.next();
            if (advert.isExpired(now)) {
                removed.add(advert);
                it.remove();
            }
        }
        return removed;
    }

    /**
     * Forgets a node's advert (an operator's choice, or a node the registry no longer wants to know).
     *
     * @param node the node
     * @return whether an advert was held
     */
    public synchronized boolean remove(NodeId node) {
        return adverts.remove(node) != null;
    }

    /** @return how many nodes have an advert held, expired ones included */
    public synchronized int size() {
        return adverts.size();
    }

    /** @return the most nodes held */
    public int capacity() {
        return capacity;
    }

    /**
     * @param reason a reason
     * @return how many adverts were refused for it since the table was made
     */
    public synchronized long rejections(AdvertRejection reason) {
        return rejections.getOrDefault(reason, 0L);
    }

    /** @return the refusal counters by reason, every reason present (zero if none) */
    public synchronized Map<AdvertRejection, Long> rejections() {
        EnumMap<AdvertRejection, Long> copy = new EnumMap<>(AdvertRejection.class);
        for (AdvertRejection reason : AdvertRejection.values()) {
            copy.put(reason, rejections.getOrDefault(reason, 0L));
        }
        return copy;
    }

    /** @return how many adverts about new nodes were refused because the table was full */
    public synchronized long fullRefusals() {
        return fullRefusals;
    }

    @Override
    public synchronized String toString() {
        return "AdvertTable{" + adverts.size() + "/" + capacity + " nodes, rejections " + rejections + "}";
    }
}
