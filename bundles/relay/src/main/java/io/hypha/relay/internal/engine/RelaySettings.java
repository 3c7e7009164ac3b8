package io.hypha.relay.internal.engine;

import io.hypha.api.NodeId;
import io.hypha.relay.store.RelayStoreSettings;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything the relay engine is configured with, checked at construction; built from configuration
 * {@code io.hypha.relay} by the component, where each attribute is described.
 *
 * @param sender      the sender role's bounds
 * @param serve       the relay role's bounds (whether it serves at all)
 * @param edge        the edge role's relays and bounds
 * @param protocolTtl how long a relay protocol message other than {@code store} stays deliverable
 * @param tick        how often the engine checks its timeouts (resends, expiry sweeps, reconnects)
 */
public record RelaySettings(Sender sender, Serve serve, Edge edge, Duration protocolTtl, Duration tick) {
    /** Default {@link #protocolTtl}. */
    public static final Duration DEFAULT_PROTOCOL_TTL = Duration.ofSeconds(60);
    /** Default {@link #tick}. */
    public static final Duration DEFAULT_TICK = Duration.ofMillis(250);

    /** @throws IllegalArgumentException naming the setting out of range */
    public RelaySettings {
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(serve, "serve");
        Objects.requireNonNull(edge, "edge");
        positive("protocolTtl", protocolTtl);
        positive("tick", tick);
    }

    /** @return the defaults: sender only, no relay role, no relays */
    public static RelaySettings defaults() {
        return new RelaySettings(Sender.DEFAULTS, Serve.OFF, Edge.NONE, DEFAULT_PROTOCOL_TTL, DEFAULT_TICK);
    }

    /**
     * The sender role: messages for edge nodes it holds until a relay stored or refused them.
     *
     * @param maxPendingMessages most messages held (unconfirmed); beyond, new ones are refused with MAILBOX_FULL
     * @param maxPendingBytes    most bytes held (payload and type, as estimated when taken)
     * @param maxMessageBytes    largest message taken (estimated size); larger ones are refused with NO_ROUTE
     * @param windowPerRelay     most messages handed to one relay and not yet answered
     * @param batchMessages      most messages in one store message
     * @param batchBytes         most sealed bytes in one store message (at least one message per store message)
     * @param resendAfter        a message handed to a connected relay and unanswered this long is sent again
     * @param resendGrace        after a relay reconnects, messages sent before that and still unanswered this long
     *                           later are sent again (what the relay lost in a crash)
     * @param failoverAfter      messages for a relay that has been disconnected this long move to the edge's next relay
     * @param expiryGrace        a message handed to a relay and unanswered this long after its expiry is reported
     *                           EXPIRED by the sender itself
     * @param maxPendingAge      a message held this long without an answer is given up and reported NO_ROUTE
     * @param retryDelay         how long a relay is left alone after the transport refused a message for it as full
     */
    public record Sender(int maxPendingMessages, long maxPendingBytes, int maxMessageBytes, int windowPerRelay,
            int batchMessages, int batchBytes, Duration resendAfter, Duration resendGrace, Duration failoverAfter,
            Duration expiryGrace, Duration maxPendingAge, Duration retryDelay) {
        /** The defaults. */
        public static final Sender DEFAULTS = new Sender(100_000, 128L << 20, 512 * 1024, 4_096, 128, 256 * 1024,
                Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
                Duration.ofHours(1), Duration.ofSeconds(1));

        /** @throws IllegalArgumentException naming the setting out of range */
        public Sender {
            positive("maxPendingMessages", maxPendingMessages);
            positive("maxPendingBytes", maxPendingBytes);
            positive("maxMessageBytes", maxMessageBytes);
            positive("windowPerRelay", windowPerRelay);
            range("batchMessages", batchMessages, 1, io.hypha.relay.internal.wire.RelayMessage.MAX_ENTRIES);
            positive("batchBytes", batchBytes);
            positive("resendAfter", resendAfter);
            positive("resendGrace", resendGrace);
            positive("failoverAfter", failoverAfter);
            notNegative("expiryGrace", expiryGrace);
            positive("maxPendingAge", maxPendingAge);
            positive("retryDelay", retryDelay);
        }
    }

    /**
     * The relay role.
     *
     * @param serve               whether this node keeps messages for edge nodes that register with it
     * @param store               the store's quotas, limits and durability
     * @param maxEdges            most edge nodes registered at once
     * @param registrationTtl     a registration not renewed for this long lapses (messages for the edge are then refused)
     * @param forwardWindow       most messages forwarded to one edge node and not yet acknowledged by it
     * @param deliverBatchMessages most messages in one deliver message
     * @param deliverBatchBytes   most sealed bytes in one deliver message (at least one message per deliver message)
     * @param expiryPeriod        how often expired messages are removed and reported to their senders
     * @param expiryBatch         most messages expired in one store operation
     */
    public record Serve(boolean serve, RelayStoreSettings store, int maxEdges, Duration registrationTtl, int forwardWindow,
            int deliverBatchMessages, int deliverBatchBytes, Duration expiryPeriod, int expiryBatch) {
        /** The defaults of a serving relay; {@link #OFF} does not serve. */
        public static final Serve DEFAULTS = new Serve(true, new RelayStoreSettings(100_000, 256L << 20,
                2L << 30, 512 * 1024, Duration.ofDays(7), RelayStoreSettings.Durability.FSYNC, 4_096), 10_000,
                Duration.ofDays(30), 4_096, 128, 256 * 1024, Duration.ofSeconds(1), 1_024);
        /** Not serving. */
        public static final Serve OFF = DEFAULTS.withServe(false);

        /** @throws IllegalArgumentException naming the setting out of range */
        public Serve {
            Objects.requireNonNull(store, "store");
            positive("maxEdges", maxEdges);
            positive("registrationTtl", registrationTtl);
            positive("forwardWindow", forwardWindow);
            range("deliverBatchMessages", deliverBatchMessages, 1, io.hypha.relay.internal.wire.RelayMessage.MAX_ENTRIES);
            positive("deliverBatchBytes", deliverBatchBytes);
            positive("expiryPeriod", expiryPeriod);
            positive("expiryBatch", expiryBatch);
        }

        /** @param value whether to serve @return these settings with it */
        public Serve withServe(boolean value) {
            return new Serve(value, store, maxEdges, registrationTtl, forwardWindow, deliverBatchMessages, deliverBatchBytes,
                    expiryPeriod, expiryBatch);
        }

        /** @param value the store settings @return these settings with them */
        public Serve withStore(RelayStoreSettings value) {
            return new Serve(serve, value, maxEdges, registrationTtl, forwardWindow, deliverBatchMessages, deliverBatchBytes,
                    expiryPeriod, expiryBatch);
        }
    }

    /**
     * One relay an edge node registers with.
     *
     * @param id  the relay's node id
     * @param uri where to dial it ({@code scheme://nodeid@host:port})
     */
    public record RelayTarget(NodeId id, URI uri) {
        /** @throws NullPointerException if a field is null */
        public RelayTarget {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(uri, "uri");
        }

        /**
         * @param text {@code scheme://nodeid@host:port}
         * @return the target
         * @throws IllegalArgumentException if the text is not such a URI, with the reason
         */
        public static RelayTarget parse(String text) {
            URI uri;
            try {
                uri = new URI(text.trim());
            } catch (java.net.URISyntaxException e) {
                throw new IllegalArgumentException("'" + text + "' is not a URI: " + e.getReason());
            }
            if (uri.getScheme() == null || uri.getHost() == null || uri.getPort() < 0) {
                throw new IllegalArgumentException("'" + text + "' is not scheme://nodeid@host:port");
            }
            if (uri.getUserInfo() == null) {
                throw new IllegalArgumentException("'" + text + "' names no node: give the relay's node id as user-info, "
                        + "scheme://nodeid@host:port");
            }
            return new RelayTarget(NodeId.parse(uri.getUserInfo()), uri);
        }
    }

    /**
     * The edge role.
     *
     * @param relays          the relays to register with, first preferred; empty: not an edge node
     * @param dedupeCapacity  how many (sender, message) pairs are remembered to drop duplicates
     * @param reconnectMin    first delay before dialling a relay again
     * @param reconnectMax    longest delay between dials of a relay
     * @param deliveryRetry   how long to wait before offering a message again to a full local mailbox
     * @param maxHeld         most received messages held per relay while a local mailbox is full; more are dropped
     *                        unacknowledged (the relay sends them again after a new registration)
     */
    public record Edge(List<RelayTarget> relays, int dedupeCapacity, Duration reconnectMin, Duration reconnectMax,
            Duration deliveryRetry, int maxHeld) {
        /** Not an edge node. */
        public static final Edge NONE = new Edge(List.of(), 65_536, Duration.ofMillis(500), Duration.ofSeconds(30),
                Duration.ofMillis(20), 16_384);

        /** @throws IllegalArgumentException naming the setting out of range */
        public Edge {
            relays = List.copyOf(relays);
            if (relays.stream().map(RelayTarget::id).distinct().count() != relays.size()) {
                throw new IllegalArgumentException("a relay is listed twice");
            }
            positive("dedupeCapacity", dedupeCapacity);
            positive("reconnectMin", reconnectMin);
            if (reconnectMax.compareTo(reconnectMin) < 0) {
                throw new IllegalArgumentException("reconnectMax must be at least reconnectMin");
            }
            positive("deliveryRetry", deliveryRetry);
            positive("maxHeld", maxHeld);
        }

        /** @param targets the relays @return these settings with them */
        public Edge withRelays(List<RelayTarget> targets) {
            return new Edge(targets, dedupeCapacity, reconnectMin, reconnectMax, deliveryRetry, maxHeld);
        }

        /** @return whether this node is an edge node */
        public boolean active() {
            return !relays.isEmpty();
        }
    }

    private static void positive(String name, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, got " + value);
        }
    }

    private static void range(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be " + min + " to " + max + ", got " + value);
        }
    }

    private static void positive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }

    private static void notNegative(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, got " + value);
        }
    }
}
