package io.hypha.relay.internal.engine;

import io.hypha.api.DeliveryFailure;
import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import io.hypha.api.router.LocalDelivery;
import io.hypha.api.seal.SealException;
import io.hypha.api.seal.Sealer;
import io.hypha.api.transport.Network;
import io.hypha.relay.internal.engine.RelaySettings.RelayTarget;
import io.hypha.relay.internal.wire.InnerEnvelope;
import io.hypha.relay.internal.wire.RegisterStatus;
import io.hypha.relay.internal.wire.RelayMessage.Deliver;
import io.hypha.relay.internal.wire.RelayMessage.DeliverEntry;
import io.hypha.relay.internal.wire.RelayMessage.Delivered;
import io.hypha.relay.internal.wire.RelayMessage.Register;
import io.hypha.relay.internal.wire.RelayMessage.Registered;
import io.hypha.relay.internal.wire.WireException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * The edge role (configured relays): dials each relay, registers after every connection, and takes the messages the
 * relays forward: opens each with the sealer (from its claimed sender, so that only a payload that sender sealed for
 * this node opens), drops duplicates, delivers it to the local engine, and acknowledges cumulatively, so the relay
 * deletes only what was handled. A message that does not open or cannot be read is counted, logged and acknowledged
 * (never redelivered forever); a full local mailbox holds the rest back (unacknowledged) and is tried again shortly.
 *
 * <p>Duplicates come from a relay forwarding again after a reconnect, and from senders sending again after a relay's
 * crash or to another relay: the first are recognised by the relay's sequence number, all by the pair (sender, ticket),
 * of which the last {@code dedupeCapacity} are remembered. Runs on the engine's turn.
 */
final class EdgeRole {
    /** Where a relay registration is. */
    enum LinkState {
        /** No transport yet to dial with. */
        WAITING_FOR_NETWORK,
        /** Dialling. */
        CONNECTING,
        /** Connected; the registration was sent and is not answered yet. */
        REGISTERING,
        /** The relay took the registration. */
        REGISTERED,
        /** The relay refused the registration (see the detail); asked again later. */
        REFUSED,
        /** Not connected; dialled again after a backoff. */
        DISCONNECTED
    }

    /** One relay of this edge node. Turn-confined. */
    private static final class RelayLink {
        final RelayTarget target;
        LinkState state = LinkState.WAITING_FOR_NETWORK;
        String detail = "";
        int attempts;
        long nextAttemptAt;
        long registerSentAt;
        long registeredAt;
        long quotaMessages;
        long quotaBytes;
        /** Highest relay sequence number handled in this registration; lower ones are duplicates. */
        long handledSeq;
        long ackedSeq;
        long delivered;
        boolean retryScheduled;
        /** Messages were dropped for a full hold: register again once the hold is empty, so the relay sends them again. */
        boolean resync;
        /** Received and not handled yet (a local mailbox was full), in order. */
        final ArrayDeque<DeliverEntry> held = new ArrayDeque<>();

        RelayLink(RelayTarget target) {
            this.target = target;
        }
    }

    /** The key of the duplicate filter: a sender's message. */
    private record Seen(NodeId sender, long ticket) {
    }

    private final Port port;
    private final RelaySettings.Edge settings;
    private final long protocolTtlMillis;
    private final Sealer sealer;
    private final LocalDelivery local;
    private final Supplier<Network> network;
    private final EnumMap<Drop, Long> drops;
    private final SplittableRandom jitter = new SplittableRandom();
    private final Map<NodeId, RelayLink> links = new LinkedHashMap<>();
    private final Map<Seen, Boolean> seen;
    private boolean stopped;

    private long delivered;
    private long duplicates;
    private long unsealable;
    private long undeliverable;

    /**
     * @param port              the engine
     * @param settings          the relays and bounds
     * @param protocolTtlMillis how long a registration may stay unanswered before it is sent again
     * @param sealer            opens what relays forward
     * @param local             where opened messages are delivered
     * @param network           the transport's network view, or {@code null} while there is none
     * @param drops             the engine's drop counters
     */
    EdgeRole(Port port, RelaySettings.Edge settings, long protocolTtlMillis, Sealer sealer, LocalDelivery local,
            Supplier<Network> network, EnumMap<Drop, Long> drops) {
        this.port = port;
        this.settings = settings;
        this.protocolTtlMillis = protocolTtlMillis;
        this.sealer = sealer;
        this.local = local;
        this.network = network;
        this.drops = drops;
        for (RelayTarget t : settings.relays()) {
            links.put(t.id(), new RelayLink(t));
        }
        int capacity = settings.dedupeCapacity();
        this.seen = new LinkedHashMap<>(Math.min(capacity, 1024), 0.75f, false) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Seen, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    /** @return whether this node is an edge node */
    boolean active() {
        return !links.isEmpty();
    }

    /** @return the relays' node ids, first preferred */
    List<NodeId> relayIds() {
        return List.copyOf(links.keySet());
    }

    /** @param id a node @return whether it is one of this edge node's relays */
    boolean isRelay(NodeId id) {
        return links.containsKey(id);
    }

    /** Dials every relay (or waits for the network). */
    void start() {
        links.values().forEach(this::connect);
    }

    /** The network appeared: dial the relays that waited for it. */
    void onNetwork() {
        for (RelayLink link : links.values()) {
            if (link.state == LinkState.WAITING_FOR_NETWORK) {
                connect(link);
            }
        }
    }

    void stop() {
        stopped = true;
    }

    private void connect(RelayLink link) {
        Network n = network.get();
        if (n == null) {
            link.state = LinkState.WAITING_FOR_NETWORK;
            return;
        }
        link.state = LinkState.CONNECTING;
        CompletionStage<NodeId> dial;
        try {
            dial = n.connect(link.target.uri());
        } catch (RuntimeException e) {
            onConnectResult(link, null, e);
            return;
        }
        dial.whenComplete((peer, error) -> port.post(() -> onConnectResult(link, peer, error)));
    }

    private void onConnectResult(RelayLink link, NodeId peer, Throwable error) {
        if (stopped) {
            return;
        }
        if (error != null || !link.target.id().equals(peer)) {
            link.state = LinkState.DISCONNECTED;
            link.detail = error != null ? "dial failed: " + cause(error) : "the node at " + link.target.uri() + " is " + peer;
            port.log().info("relay {}: {}; dialling again later", link.target.id().shortForm(), link.detail);
            backoff(link);
            return;
        }
        if (link.state != LinkState.REGISTERING && link.state != LinkState.REGISTERED) {
            register(link);
        }
    }

    private static String cause(Throwable t) {
        Throwable c = t;
        while ((c instanceof java.util.concurrent.CompletionException || c instanceof java.util.concurrent.ExecutionException)
                && c.getCause() != null) {
            c = c.getCause();
        }
        return String.valueOf(c.getMessage() == null ? c : c.getMessage());
    }

    private void register(RelayLink link) {
        link.state = LinkState.REGISTERING;
        link.registerSentAt = port.now();
        link.handledSeq = 0; // the relay forwards from its first held message again
        link.ackedSeq = 0;
        port.sendControl(link.target.id(), new Register());
    }

    private void backoff(RelayLink link) {
        long min = settings.reconnectMin().toMillis();
        long max = settings.reconnectMax().toMillis();
        long delay = Math.min(max, min << Math.min(20, link.attempts));
        delay = delay / 2 + jitter.nextLong(delay / 2 + 1);
        link.attempts++;
        link.nextAttemptAt = port.now() + delay;
    }

    /** @param peer a node that connected (a new connection): a relay is registered with again */
    void onConnected(NodeId peer) {
        RelayLink link = links.get(peer);
        if (link != null && link.state != LinkState.REGISTERING) {
            register(link);
        }
    }

    /** @param peer a node whose last connection closed */
    void onDisconnected(NodeId peer) {
        RelayLink link = links.get(peer);
        if (link != null) {
            link.state = LinkState.DISCONNECTED;
            link.detail = "connection closed";
            backoff(link);
        }
    }

    /** Periodic work: dial again, register again when unanswered, retry after a refusal. */
    void tick() {
        long now = port.now();
        for (RelayLink link : links.values()) {
            switch (link.state) {
                case DISCONNECTED -> {
                    if (now >= link.nextAttemptAt) {
                        connect(link);
                    }
                }
                case REGISTERING -> {
                    if (now - link.registerSentAt >= protocolTtlMillis) {
                        link.detail = "registration unanswered; dialling again";
                        connect(link);
                    }
                }
                case REFUSED -> {
                    if (now >= link.nextAttemptAt) {
                        register(link);
                    }
                }
                default -> {
                }
            }
        }
    }

    /**
     * A relay answers a registration.
     *
     * @param relay the relay
     * @param m     its answer
     */
    void onRegistered(NodeId relay, Registered m) {
        RelayLink link = links.get(relay);
        if (link == null) {
            count(Drop.NOT_A_RELAY);
            return;
        }
        if (m.status() == RegisterStatus.OK) {
            link.state = LinkState.REGISTERED;
            link.detail = "";
            link.attempts = 0;
            link.registeredAt = port.now();
            link.quotaMessages = m.quotaMessages();
            link.quotaBytes = m.quotaBytes();
            port.log().info("registered with relay {} (quota {} messages, {} bytes)", relay, m.quotaMessages(), m.quotaBytes());
        } else {
            link.state = LinkState.REFUSED;
            link.detail = "the relay answered " + m.status();
            link.nextAttemptAt = port.now() + settings.reconnectMax().toMillis();
            port.log().warn("relay {} refused the registration: {}", relay, m.status());
        }
    }

    /**
     * A relay forwards messages.
     *
     * @param relay the relay
     * @param m     the messages
     */
    void onDeliver(NodeId relay, Deliver m) {
        RelayLink link = links.get(relay);
        if (link == null) {
            drops.merge(Drop.NOT_A_RELAY, (long) m.entries().size(), Long::sum);
            port.log().debug("{} messages from {}, which is not a relay of this node, dropped", m.entries().size(), relay.shortForm());
            return;
        }
        for (DeliverEntry entry : m.entries()) {
            if (link.held.size() >= settings.maxHeld()) {
                // Only a relay that ignores its window gets here. Not acknowledged, so still at the relay.
                count(Drop.HELD_FULL);
                link.resync = true;
                continue;
            }
            link.held.addLast(entry);
        }
        handle(link);
    }

    /** Handles held messages in order until done or a local mailbox is full; then acknowledges what was handled. */
    private void handle(RelayLink link) {
        while (!link.held.isEmpty()) {
            DeliverEntry e = link.held.peekFirst();
            if (e.seq() > link.handledSeq && !deliver(link, e)) {
                if (!link.retryScheduled) {
                    link.retryScheduled = true;
                    port.later(settings.deliveryRetry().toMillis(), () -> {
                        link.retryScheduled = false;
                        handle(link);
                    });
                }
                break;
            } else if (e.seq() <= link.handledSeq) {
                duplicates++;
            }
            link.held.pollFirst();
            link.handledSeq = Math.max(link.handledSeq, e.seq());
        }
        if (link.handledSeq > link.ackedSeq) {
            link.ackedSeq = link.handledSeq;
            port.sendControl(link.target.id(), new Delivered(link.handledSeq));
        }
        if (link.resync && link.held.isEmpty()) {
            link.resync = false;
            port.log().warn("relay {} sent more than {} messages beyond what was handled; registering again to get the dropped ones",
                    link.target.id().shortForm(), settings.maxHeld());
            register(link);
        }
    }

    /** @return whether the message was handled (delivered, dropped or dead-lettered); false if the mailbox was full */
    private boolean deliver(RelayLink link, DeliverEntry e) {
        InnerEnvelope inner;
        try {
            inner = InnerEnvelope.decode(sealer.openFrom(e.srcNode(), e.sealed()), e.srcNode());
        } catch (SealException ex) {
            unsealable++;
            count(Drop.UNSEALABLE);
            port.log().warn("message {} from relay {} (claimed sender {}) does not open ({}); acknowledged and dropped",
                    e.seq(), link.target.id().shortForm(), e.srcNode().shortForm(), ex.reason());
            return true;
        } catch (WireException ex) {
            unsealable++;
            count(Drop.MALFORMED);
            port.log().warn("message {} from relay {} opens but is no envelope ({}); acknowledged and dropped", e.seq(),
                    link.target.id().shortForm(), ex.getMessage());
            return true;
        }
        Seen key = new Seen(e.srcNode(), inner.ticket());
        if (seen.containsKey(key)) {
            duplicates++;
            return true;
        }
        Envelope envelope = inner.envelope();
        DeliveryFailure failure = local.offer(envelope);
        if (failure == DeliveryFailure.MAILBOX_FULL) {
            return false;
        }
        seen.put(key, Boolean.TRUE);
        if (failure == null) {
            delivered++;
            link.delivered++;
        } else {
            undeliverable++;
            local.undeliverable(envelope, failure, "relayed by " + link.target.id().shortForm() + " from "
                    + e.srcNode().shortForm());
        }
        return true;
    }

    private void count(Drop drop) {
        drops.merge(drop, 1L, Long::sum);
    }

    /** @return a consistent view for the console, or {@code null} if this is not an edge node */
    RelaySnapshot.EdgeView view() {
        if (links.isEmpty()) {
            return null;
        }
        List<RelaySnapshot.RelayRow> rows = new ArrayList<>();
        for (RelayLink l : links.values()) {
            rows.add(new RelaySnapshot.RelayRow(l.target.id(), l.target.uri(), l.state.name(), l.detail,
                    l.registeredAt == 0 ? null : Instant.ofEpochMilli(l.registeredAt), l.quotaMessages, l.quotaBytes,
                    l.delivered, l.handledSeq));
        }
        return new RelaySnapshot.EdgeView(rows, delivered, duplicates, unsealable, undeliverable);
    }
}
