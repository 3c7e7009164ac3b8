package io.hypha.relay.internal.engine;

import io.hypha.api.DeadLetter;
import io.hypha.api.DeliveryFailure;
import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import io.hypha.api.advert.NodeAdvert;
import io.hypha.api.router.LocalDelivery;
import io.hypha.api.seal.SealException;
import io.hypha.api.seal.Sealer;
import io.hypha.relay.internal.wire.InnerEnvelope;
import io.hypha.relay.internal.wire.Refusal;
import io.hypha.relay.internal.wire.RelayCodec;
import io.hypha.relay.internal.wire.RelayMessage;
import io.hypha.relay.internal.wire.RelayMessage.Expired;
import io.hypha.relay.internal.wire.RelayMessage.ExpiredEntry;
import io.hypha.relay.internal.wire.RelayMessage.Refused;
import io.hypha.relay.internal.wire.RelayMessage.RefusedEntry;
import io.hypha.relay.internal.wire.RelayMessage.Store;
import io.hypha.relay.internal.wire.RelayMessage.StoreEntry;
import io.hypha.relay.internal.wire.RelayMessage.Stored;
import io.hypha.relay.internal.wire.SenderNote;
import io.hypha.relay.internal.wire.WireException;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The sender role, on every node: takes messages for edge nodes from the resolving gateway ({@link #admit} on the
 * caller's thread, {@link #take} on the engine's turn), seals them for the edge node, hands them to the first usable
 * relay of the edge's advert in store messages, and holds each until the relay answers {@code stored} or
 * {@code refused}. Failures are reported to the sending engine with {@link LocalDelivery#undeliverable}: the relay's
 * quota was full (QUOTA_FULL), the message expired before a relay took it or at the relay (EXPIRED), no relay of the
 * edge took it (NO_ROUTE).
 *
 * <p>Per relay a lane keeps the messages not handed over yet (in order) and those handed over and not answered (a
 * window): a relay that reconnects gets the unanswered ones again, a relay that stays away loses its messages to the
 * edge's next relay. Duplicates this causes are dropped by the edge node.
 *
 * <p>Everything but {@link #admit} runs on the engine's turn; {@link #admit} only reserves room with atomic counters,
 * so that a full sender refuses at once (MAILBOX_FULL), as the gateway contract asks.
 */
final class SenderRole {
    /** Where a pending message is. */
    private enum State { UNSENT, SENT, DONE }

    /** A message held until a relay answers. Turn-confined. */
    private static final class Pending {
        final long ticket;
        final Envelope envelope;
        final NodeId edge;
        final List<NodeId> relays;
        final long size;
        final long takenAt;
        int relayIndex;
        State state = State.UNSENT;
        long sentAt;
        /** The lane of its current relay. */
        Lane lane;
        StoreEntry entry;

        Pending(long ticket, Envelope envelope, NodeId edge, List<NodeId> relays, long size, long takenAt) {
            this.ticket = ticket;
            this.envelope = envelope;
            this.edge = edge;
            this.relays = relays;
            this.size = size;
            this.takenAt = takenAt;
        }

        NodeId relay() {
            return relays.get(relayIndex);
        }
    }

    /** The messages of one relay. Turn-confined. */
    private static final class Lane {
        final NodeId relay;
        /** Not handed over yet, in order; may hold entries finished or moved to another lane, skipped when met. */
        final ArrayDeque<Pending> unsent = new ArrayDeque<>();
        /** Handed over and unanswered, in the order they were handed over. */
        final LinkedHashMap<Long, Pending> sent = new LinkedHashMap<>();
        long blockedUntil;
        /** When the relay was last seen to go away (0: connected, or never seen). */
        long disconnectedSince;
        /** When it last reconnected while messages were unanswered, and when to check them. */
        long reconnectedAt;
        long resendCheckAt;

        Lane(NodeId relay) {
            this.relay = relay;
        }
    }

    /** Estimated bytes of an envelope beyond its payload and type (addresses, ids, encodings). */
    static final int ENVELOPE_OVERHEAD = 256;
    /** Tickets of expiry reports remembered, so that a relay reporting a message twice (after a crash) is told once. */
    static final int REPORTED_MEMORY = 65_536;

    private final Port port;
    private final RelaySettings.Sender settings;
    private final Sealer sealer;
    private final LocalDelivery local;
    private final Predicate<NodeId> connected;
    private final Predicate<NodeId> networkKnown;
    private final AtomicLong reservedMessages = new AtomicLong();
    private final AtomicLong reservedBytes = new AtomicLong();

    private final Map<Long, Pending> pending = new HashMap<>();
    private final Map<NodeId, Lane> lanes = new LinkedHashMap<>();
    private final Map<Long, Boolean> reportedExpired = new LinkedHashMap<>(256, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
            return size() > REPORTED_MEMORY;
        }
    };
    private long nextTicket;
    /**
     * No held message can be due (expired, or held too long) before this time, so the periodic sweep skips the scan
     * until then: a sender holding a hundred thousand messages does not walk them four times a second.
     */
    private long nextSweepAt = Long.MAX_VALUE;

    private long taken;
    private long confirmed;
    private long resent;
    private long failovers;
    private final EnumMap<Refusal, Long> refused = new EnumMap<>(Refusal.class);
    private final EnumMap<DeliveryFailure, Long> reported = new EnumMap<>(DeliveryFailure.class);
    private final EnumMap<Drop, Long> drops;

    /**
     * @param port         the engine
     * @param settings     bounds
     * @param sealer       seals for edge nodes (and the sender's notes for itself)
     * @param local        where failures are reported
     * @param connected    whether a node is connected now (false for all when no network is known)
     * @param networkKnown whether the transport knows a node (connected or with addresses)
     * @param drops        the engine's drop counters
     * @param random       where the first ticket comes from
     */
    SenderRole(Port port, RelaySettings.Sender settings, Sealer sealer, LocalDelivery local, Predicate<NodeId> connected,
            Predicate<NodeId> networkKnown, EnumMap<Drop, Long> drops, SecureRandom random) {
        this.port = port;
        this.settings = settings;
        this.sealer = sealer;
        this.local = local;
        this.connected = connected;
        this.networkKnown = networkKnown;
        this.drops = drops;
        // A random start (below 2^62, so it never wraps): tickets of a restarted sender do not meet its old ones.
        this.nextTicket = (random.nextLong() >>> 2) + 1;
    }

    // ------------------------------------------------------------------------------------------ any thread

    /**
     * Checks a message and reserves room for it. Thread-safe; never blocks.
     *
     * @param envelope the message
     * @param advert   the edge node's advert
     * @param now      the time
     * @return {@code null} if room is reserved (the caller must then {@link #take} it), or why it is refused
     */
    DeliveryFailure admit(Envelope envelope, NodeAdvert advert, long now) {
        if (advert.relays().isEmpty() || envelope.dst().node() == null || !envelope.dst().node().equals(advert.node())) {
            return DeliveryFailure.NO_ROUTE;
        }
        if (RelayEngine.NAME.equals(envelope.dst().engine())) {
            return DeliveryFailure.NO_ROUTE; // never relay the relay protocol itself
        }
        long size = size(envelope);
        if (size < 0 || size > settings.maxMessageBytes()) {
            return DeliveryFailure.NO_ROUTE;
        }
        if (envelope.isExpired(now)) {
            return DeliveryFailure.EXPIRED;
        }
        if (reservedMessages.incrementAndGet() > settings.maxPendingMessages()) {
            reservedMessages.decrementAndGet();
            return DeliveryFailure.MAILBOX_FULL;
        }
        if (reservedBytes.addAndGet(size) > settings.maxPendingBytes()) {
            reservedBytes.addAndGet(-size);
            reservedMessages.decrementAndGet();
            return DeliveryFailure.MAILBOX_FULL;
        }
        return null;
    }

    /** @return the estimated size of an envelope, or -1 if its payload cannot cross a node boundary */
    static long size(Envelope envelope) {
        Object payload = envelope.payload();
        long bytes;
        if (payload == null) {
            bytes = 0;
        } else if (payload instanceof byte[] b) {
            bytes = b.length;
        } else if (payload instanceof String s) {
            bytes = (long) s.length() * 3; // at most three UTF-8 bytes per char; measured exactly when sealed
        } else {
            return -1;
        }
        return bytes + envelope.type().length() + ENVELOPE_OVERHEAD;
    }

    /** Gives back a reservation of {@link #admit} whose message was not taken (the engine stopped meanwhile). */
    void release(Envelope envelope) {
        reservedMessages.decrementAndGet();
        reservedBytes.addAndGet(-size(envelope));
    }

    // ------------------------------------------------------------------------------------------ engine turn

    /**
     * Takes a message admitted by {@link #admit}.
     *
     * @param envelope the message
     * @param advert   the edge node's advert
     */
    void take(Envelope envelope, NodeAdvert advert) {
        List<NodeId> relays = advert.relays();
        Pending p = new Pending(nextTicket++, envelope, advert.node(), relays, size(envelope), port.now());
        p.relayIndex = choose(relays);
        p.lane = lane(p.relay());
        pending.put(p.ticket, p);
        p.lane.unsent.add(p);
        taken++;
        nextSweepAt = Math.min(nextSweepAt, dueAt(p));
    }

    /** @return when the sweep must look at a message: its expiry, or the end of the longest hold, whichever is first */
    private long dueAt(Pending p) {
        long ageLimit = p.takenAt + settings.maxPendingAge().toMillis();
        return p.envelope.expiresAt() == Envelope.NEVER ? ageLimit : Math.min(p.envelope.expiresAt(), ageLimit);
    }

    /** The first relay connected now, else the first the transport knows, else the first. */
    private int choose(List<NodeId> relays) {
        for (int i = 0; i < relays.size(); i++) {
            if (connected.test(relays.get(i))) {
                return i;
            }
        }
        for (int i = 0; i < relays.size(); i++) {
            if (networkKnown.test(relays.get(i))) {
                return i;
            }
        }
        return 0;
    }

    private Lane lane(NodeId relay) {
        return lanes.computeIfAbsent(relay, r -> {
            Lane lane = new Lane(r);
            if (!connected.test(r)) {
                lane.disconnectedSince = port.now();
            }
            return lane;
        });
    }

    /** Hands what the windows allow to the relays, in batches. Called at the end of every turn. */
    void pump() {
        long now = port.now();
        for (Lane lane : lanes.values()) {
            if (lane.unsent.isEmpty() || now < lane.blockedUntil) {
                continue;
            }
            List<StoreEntry> batch = new ArrayList<>();
            long batchBytes = 0;
            while (lane.sent.size() < settings.windowPerRelay() && !lane.unsent.isEmpty()) {
                Pending p = lane.unsent.poll();
                if (p.state != State.UNSENT || p.lane != lane) {
                    continue; // finished, or moved to another relay meanwhile
                }
                if (p.envelope.isExpired(now)) {
                    finish(p, DeliveryFailure.EXPIRED, "expired before a relay of " + p.edge.shortForm() + " took it");
                    continue;
                }
                StoreEntry entry = entry(p);
                if (entry == null) {
                    continue; // finished: could not seal
                }
                p.state = State.SENT;
                p.sentAt = now;
                p.lane = lane;
                lane.sent.put(p.ticket, p);
                batch.add(entry);
                batchBytes += entry.sealed().length + entry.note().length;
                if (batch.size() >= settings.batchMessages() || batchBytes >= settings.batchBytes()) {
                    sendBatch(lane, batch);
                    batch = new ArrayList<>();
                    batchBytes = 0;
                }
            }
            if (!batch.isEmpty()) {
                sendBatch(lane, batch);
            }
        }
    }

    /** The store entry of a message, sealed on first use and kept for resends; {@code null} if it cannot be sealed. */
    private StoreEntry entry(Pending p) {
        if (p.entry == null) {
            try {
                byte[] sealed = sealer.sealFrom(p.edge, InnerEnvelope.encode(p.ticket, p.envelope));
                byte[] note = sealer.sealFrom(port.self(), SenderNote.encode(p.ticket, p.envelope));
                p.entry = new StoreEntry(p.edge, p.ticket, p.envelope.expiresAt(),
                        p.envelope.src() == null ? null : p.envelope.src().engine(), note, sealed);
            } catch (IllegalArgumentException e) {
                finish(p, DeliveryFailure.NO_ROUTE, "cannot seal for " + p.edge + ": " + e.getMessage());
                return null;
            }
        }
        return p.entry;
    }

    private void sendBatch(Lane lane, List<StoreEntry> batch) {
        long expiresAt = Long.MIN_VALUE;
        for (StoreEntry e : batch) {
            expiresAt = Math.max(expiresAt, e.expiresAt());
        }
        port.send(lane.relay, new Store(batch), expiresAt);
    }

    /**
     * A relay stored messages.
     *
     * @param relay the relay
     * @param m     which
     */
    void onStored(NodeId relay, Stored m) {
        for (long ticket : m.msgIds()) {
            Pending p = pending.get(ticket);
            if (p == null) {
                count(Drop.STALE);
                continue;
            }
            // Stored by whichever relay answers (one the message moved away from, or while it waits to be sent again):
            // it is safe there.
            done(p);
            confirmed++;
        }
    }

    /**
     * A relay refused messages.
     *
     * @param relay the relay
     * @param m     which, and why
     */
    void onRefused(NodeId relay, Refused m) {
        for (RefusedEntry e : m.entries()) {
            Pending p = pending.get(e.msgId());
            if (p == null || p.state != State.SENT || !p.lane.relay.equals(relay)) {
                count(Drop.STALE);
                continue;
            }
            refused.merge(e.reason(), 1L, Long::sum);
            String who = "relay " + relay.shortForm() + " of edge node " + p.edge.shortForm();
            switch (e.reason()) {
                case QUOTA_FULL -> finish(p, DeliveryFailure.QUOTA_FULL, who + " refused it: the edge node's quota is full");
                case STORE_FULL -> finish(p, DeliveryFailure.QUOTA_FULL, who + " refused it: its store is full");
                case EXPIRED -> finish(p, DeliveryFailure.EXPIRED, who + " refused it: it had expired on arrival");
                default -> failover(p, who + " refused it (" + e.reason() + ")");
            }
        }
    }

    /**
     * A relay reports messages that expired before the edge node collected them. Each note must open (sealed by this
     * node for itself), so a relay can only report messages this node gave it.
     *
     * @param relay the relay
     * @param m     the report
     */
    void onExpired(NodeId relay, Expired m) {
        for (ExpiredEntry e : m.entries()) {
            SenderNote note;
            try {
                note = SenderNote.decode(sealer.openFrom(port.self(), e.note()), port.self());
            } catch (SealException | WireException ex) {
                count(Drop.UNSEALABLE);
                port.log().debug("expiry report from relay {} with a note that does not open: {}", relay.shortForm(), ex.getMessage());
                continue;
            }
            Pending p = pending.get(note.ticket());
            if (p != null) {
                done(p); // its 'stored' answer is still on the way, or was lost
            }
            if (reportedExpired.put(note.ticket(), Boolean.TRUE) != null) {
                continue; // reported once already (the relay reports again after a crash)
            }
            report(note.envelope(), DeliveryFailure.EXPIRED, "expired at relay " + relay.shortForm()
                    + " before edge node " + note.envelope().dst().node().shortForm() + " collected it");
        }
    }

    /**
     * A store message of this sender could not be delivered to its relay.
     *
     * @param letter the dead letter of the store message
     */
    void onStoreUndeliverable(DeadLetter letter) {
        NodeId relay = letter.envelope().dst().node();
        RelayMessage decoded;
        try {
            decoded = RelayCodec.decode(letter.envelope().type(), letter.envelope().payload());
        } catch (WireException e) {
            port.log().warn("cannot read back an undeliverable store message: {}", e.getMessage());
            return;
        }
        if (!(decoded instanceof Store store) || relay == null) {
            return;
        }
        List<Pending> back = new ArrayList<>();
        for (StoreEntry e : store.entries()) {
            Pending p = pending.get(e.msgId());
            if (p == null || p.state != State.SENT || !p.lane.relay.equals(relay)) {
                continue;
            }
            switch (letter.failure()) {
                case EXPIRED -> finish(p, DeliveryFailure.EXPIRED, "expired on its way to relay " + relay.shortForm());
                case MAILBOX_FULL -> back.add(p);
                default -> failover(p, "relay " + relay.shortForm() + " not reachable (" + letter.failure() + ": "
                        + letter.detail() + ")");
            }
        }
        if (!back.isEmpty()) {
            // The transport's buffer for the relay is full: put them back in front, in order, and leave the relay alone
            // for a moment.
            Lane lane = lanes.get(relay);
            for (int i = back.size() - 1; i >= 0; i--) {
                Pending p = back.get(i);
                lane.sent.remove(p.ticket);
                p.state = State.UNSENT;
                lane.unsent.addFirst(p);
            }
            lane.blockedUntil = port.now() + settings.retryDelay().toMillis();
            port.later(settings.retryDelay().toMillis(), () -> { });
        }
    }

    /** @param peer a node that connected */
    void onConnected(NodeId peer) {
        Lane lane = lanes.get(peer);
        if (lane == null) {
            return;
        }
        lane.disconnectedSince = 0;
        if (!lane.sent.isEmpty()) {
            // What is unanswered may be in the transport's buffer (delivered now) or lost in a crash of the relay:
            // wait a moment for answers, then send again what is still unanswered.
            lane.reconnectedAt = port.now();
            lane.resendCheckAt = lane.reconnectedAt + settings.resendGrace().toMillis();
        }
    }

    /** @param peer a node whose last connection closed */
    void onDisconnected(NodeId peer) {
        Lane lane = lanes.get(peer);
        if (lane != null && lane.disconnectedSince == 0) {
            lane.disconnectedSince = port.now();
        }
    }

    /**
     * Periodic work: resends after a reconnect or a silence, failover from relays that stay away, expiry and age of
     * held messages.
     *
     * @param networkPresent whether the transport's view of connections is available (else nothing is "disconnected")
     */
    void tick(boolean networkPresent) {
        long now = port.now();
        for (Lane lane : List.copyOf(lanes.values())) { // a failover may add a lane
            if (lane.resendCheckAt != 0 && now >= lane.resendCheckAt) {
                resend(lane, lane.reconnectedAt);
                lane.resendCheckAt = 0;
            }
            if (!lane.sent.isEmpty() && (!networkPresent || connected.test(lane.relay))) {
                resend(lane, now - settings.resendAfter().toMillis());
            }
            if (networkPresent && lane.disconnectedSince != 0
                    && now - lane.disconnectedSince >= settings.failoverAfter().toMillis()) {
                failoverLane(lane);
            }
        }
        if (now < nextSweepAt) {
            return;
        }
        nextSweepAt = Long.MAX_VALUE;
        List<Pending> overdue = new ArrayList<>();
        for (Pending p : pending.values()) {
            if (p.envelope.expiresAt() != Envelope.NEVER && now >= p.envelope.expiresAt()
                    && (p.state == State.UNSENT || now - p.envelope.expiresAt() >= settings.expiryGrace().toMillis())
                    || now - p.takenAt >= settings.maxPendingAge().toMillis()) {
                overdue.add(p);
            } else {
                // Not finished now; look again at its due time, or when the grace after its expiry ends.
                long due = dueAt(p);
                nextSweepAt = Math.min(nextSweepAt, due > now ? due : p.envelope.expiresAt() + settings.expiryGrace().toMillis());
            }
        }
        for (Pending p : overdue) {
            if (now - p.takenAt >= settings.maxPendingAge().toMillis() && !p.envelope.isExpired(now)) {
                finish(p, DeliveryFailure.NO_ROUTE, "no relay of edge node " + p.edge.shortForm() + " confirmed it within "
                        + settings.maxPendingAge());
            } else {
                finish(p, DeliveryFailure.EXPIRED, p.state == State.UNSENT
                        ? "expired before a relay of " + p.edge.shortForm() + " took it"
                        : "expired while relay " + p.relay().shortForm() + " had not confirmed it");
            }
        }
    }

    /** Sends again, first in the lane, the messages handed over at or before {@code cutoff} and still unanswered. */
    private void resend(Lane lane, long cutoff) {
        List<Pending> again = new ArrayList<>();
        for (Iterator<Pending> it = lane.sent.values().iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (p.sentAt > cutoff) {
                break; // in hand-over order: the rest are younger
            }
            it.remove();
            p.state = State.UNSENT;
            again.add(p);
        }
        for (int i = again.size() - 1; i >= 0; i--) {
            lane.unsent.addFirst(again.get(i));
        }
        resent += again.size();
        if (!again.isEmpty()) {
            port.log().info("relay {}: sending {} unconfirmed messages again", lane.relay.shortForm(), again.size());
        }
    }

    /** Moves every message of a relay that stays away to its edge's next relay (those that have one). */
    private void failoverLane(Lane lane) {
        List<Pending> moving = new ArrayList<>(lane.sent.values());
        for (Pending p : lane.unsent) {
            if (p.state == State.UNSENT && p.lane == lane) {
                moving.add(p);
            }
        }
        for (Pending p : moving) {
            if (p.relayIndex + 1 < p.relays.size()) {
                failover(p, "relay " + lane.relay.shortForm() + " disconnected for " + settings.failoverAfter());
            }
        }
    }

    /** Moves a message to the next relay of its edge node, or reports NO_ROUTE if none is left. */
    private void failover(Pending p, String why) {
        if (p.state == State.SENT) {
            p.lane.sent.remove(p.ticket);
        }
        p.state = State.UNSENT;
        if (p.relayIndex + 1 >= p.relays.size()) {
            finish(p, DeliveryFailure.NO_ROUTE, why + "; no other relay of edge node " + p.edge.shortForm());
            return;
        }
        p.relayIndex++;
        Lane next = lane(p.relay());
        p.lane = next;
        next.unsent.add(p);
        failovers++;
        port.log().debug("message {} for {}: {}; trying relay {}", p.ticket, p.edge.shortForm(), why, p.relay().shortForm());
    }

    private void finish(Pending p, DeliveryFailure failure, String detail) {
        done(p);
        report(p.envelope, failure, detail);
    }

    private void report(Envelope envelope, DeliveryFailure failure, String detail) {
        reported.merge(failure, 1L, Long::sum);
        local.undeliverable(envelope, failure, detail);
    }

    private void done(Pending p) {
        if (p.state == State.SENT) {
            p.lane.sent.remove(p.ticket);
        }
        p.state = State.DONE;
        pending.remove(p.ticket);
        reservedMessages.decrementAndGet();
        reservedBytes.addAndGet(-p.size);
    }

    /**
     * The engine stops: every held message is reported, since no one will hold it any more.
     */
    void abandonAll() {
        for (Pending p : new ArrayList<>(pending.values())) {
            finish(p, DeliveryFailure.NO_ROUTE, p.state == State.SENT
                    ? "the relay engine stopped before relay " + p.relay().shortForm() + " confirmed it (it may still arrive)"
                    : "the relay engine stopped before a relay took it");
        }
    }

    private void count(Drop drop) {
        drops.merge(drop, 1L, Long::sum);
    }

    /** @return a consistent view for the console */
    RelaySnapshot.SenderView view() {
        Map<NodeId, Integer> inFlight = new LinkedHashMap<>();
        long unsent = 0;
        for (Lane lane : lanes.values()) {
            if (!lane.sent.isEmpty()) {
                inFlight.put(lane.relay, lane.sent.size());
            }
        }
        for (Pending p : pending.values()) {
            unsent += p.state == State.UNSENT ? 1 : 0;
        }
        return new RelaySnapshot.SenderView(pending.size(), reservedBytes.get(), unsent, inFlight, taken, confirmed, resent,
                failovers, new EnumMap<>(refused), new EnumMap<>(reported));
    }

    /** @return messages held (for tests) */
    int pendingCount() {
        return pending.size();
    }
}
