package io.hypha.transport.internal.engine;

import io.hypha.api.DeliveryFailure;
import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import io.hypha.transport.internal.Drop;
import io.hypha.transport.internal.TransportSettings;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sessions of the engine and what they do with messages: take them from senders, number and write them on the
 * active link within the window, deliver what arrives exactly once and in order, acknowledge in batches, drop what
 * expires, and decide when a peer must be dialled. Engine thread only, except {@link #gates}, which senders read.
 *
 * <p>Work lists keep the hot path proportional to what changed: {@code ready} holds the sessions that may write
 * (a message arrived, an ack opened the window, the link became writable or changed), {@code acking} those that owe
 * an ack.
 */
final class Sessions {
    private static final Logger LOG = LoggerFactory.getLogger(Sessions.class);
    /** Frames one session writes before the next session gets its turn. */
    private static final int WRITE_BATCH = 256;

    private final TransportEngine engine;
    private final Map<NodeId, Session> sessions = new HashMap<>();
    /** Gates by peer, replaced (never mutated) when a session is created or forgotten; read by senders. */
    private volatile Map<NodeId, PeerGate> gates = Map.of();
    private final ArrayDeque<Session> ready = new ArrayDeque<>();
    private final ArrayDeque<Session> acking = new ArrayDeque<>();
    /** Sessions with held messages (see {@link Session}), in the order they started holding. */
    private final ArrayDeque<Session> holding = new ArrayDeque<>();
    private final ByteBuffer ackFrame = ByteBuffer.allocate(DataFrames.MAX_ACK_FRAME);
    private ByteBuffer dataFrame;
    private long nextExpiryCheck;

    Sessions(TransportEngine engine) {
        this.engine = engine;
        this.dataFrame = ByteBuffer.allocate(engine.settings().maxFrameSize());
    }

    /** @return the gates, for senders (any thread) */
    Map<NodeId, PeerGate> gates() {
        return gates;
    }

    /** @return every session (engine thread) */
    Iterable<Session> all() {
        return sessions.values();
    }

    Session get(NodeId peer) {
        return sessions.get(peer);
    }

    int size() {
        return sessions.size();
    }

    /**
     * @param peer a node
     * @return its session, created if needed; {@code null} if {@code maxPeers} sessions exist and none can be forgotten
     */
    Session getOrCreate(NodeId peer) {
        Session s = sessions.get(peer);
        if (s != null) {
            return s;
        }
        if (sessions.size() >= engine.settings().maxPeers() && !evictOne()) {
            return null;
        }
        long epoch;
        do {
            epoch = engine.random.nextLong();
        } while (epoch == 0);
        s = new Session(peer, epoch);
        sessions.put(peer, s);
        publishGates();
        return s;
    }

    /** Forgets one session that holds nothing and owes nothing. */
    private boolean evictOne() {
        for (Iterator<Session> it = sessions.values().iterator(); it.hasNext(); ) {
            Session s = it.next();
            if (s.isIdle()) {
                it.remove();
                publishGates();
                LOG.debug("node {}: forgot idle session with {}", engine.selfShort, s.peer.shortForm());
                return true;
            }
        }
        return false;
    }

    private void publishGates() {
        Map<NodeId, PeerGate> m = new HashMap<>(sessions.size() * 2);
        for (Session s : sessions.values()) {
            m.put(s.peer, s.gate);
        }
        gates = Map.copyOf(m);
    }

    /** The maximum frame size changed: the frame buffer follows. */
    void onSettings(TransportSettings s) {
        if (dataFrame.capacity() != s.maxFrameSize()) {
            dataFrame = ByteBuffer.allocate(s.maxFrameSize());
        }
    }

    // ------------------------------------------------------------------ sending

    /**
     * A sender's message reached the engine thread.
     *
     * @param envelope the message
     * @param body     its encoded body (its share of the gate's budget is taken)
     */
    void onMessage(Envelope envelope, byte[] body) {
        Session s = sessions.get(envelope.dst().node());
        if (s == null) {
            // The session was forgotten between the sender's look-up and now (a rare race with eviction).
            engine.undeliverable(envelope, DeliveryFailure.NO_ROUTE, "node " + envelope.dst().node().shortForm()
                    + " is not known to the transport engine any more");
            return;
        }
        TransportSettings settings = engine.settings();
        if (s.buffer.span() >= 2L * settings.outboundBufferMessages()) {
            // Holes left by expired messages keep the ring wide behind an old unacknowledged one: bound it too.
            s.gate.release(1, body.length);
            s.drops[Drop.BUFFER_FULL.ordinal()]++;
            engine.undeliverable(envelope, DeliveryFailure.MAILBOX_FULL, "the outbound buffer to node "
                    + s.peer.shortForm() + " spans " + s.buffer.span() + " messages waiting for an acknowledgement");
            return;
        }
        s.buffer.add(envelope, body);
        markReady(s);
        if (s.active == null) {
            maybeDial(s);
        }
    }

    void markReady(Session s) {
        if (!s.ready) {
            s.ready = true;
            ready.addLast(s);
        }
    }

    /**
     * Writes what the ready sessions may write.
     *
     * @return frames written
     */
    int writeReady() {
        int work = 0;
        int n = ready.size();
        TransportSettings settings = engine.settings();
        for (int i = 0; i < n; i++) {
            Session s = ready.pollFirst();
            work += write(s, settings);
            if (s.canSend(settings.sendWindowMessages(), settings.sendWindowBytes())) {
                ready.addLast(s); // its batch ran out: another turn after the others
            } else {
                s.ready = false;
            }
        }
        return work;
    }

    private int write(Session s, TransportSettings settings) {
        Link l = s.active;
        if (l == null || !l.isOpen()) {
            return 0;
        }
        SendBuffer b = s.buffer;
        int written = 0;
        while (written < WRITE_BATCH && l.writable && s.sentSeq < b.last()
                && s.inflight < settings.sendWindowMessages() && s.inflightBytes < settings.sendWindowBytes()) {
            long seq = s.sentSeq + 1;
            if (!b.holds(seq)) {
                s.sentSeq = seq;
                continue;
            }
            Envelope envelope = b.envelope(seq);
            if (envelope.expiresAt() != Envelope.NEVER && envelope.isExpired(engine.nowMillis)) {
                s.sentSeq = seq;
                drop(s, seq, envelope, Drop.EXPIRED, l.protocol.stats);
                continue;
            }
            byte[] body = b.body(seq);
            int size = DataFrames.dataFrameSize(seq, body.length);
            if (size > l.peerMaxFrame || size > settings.maxFrameSize()) {
                // Larger than the peer accepts, or than this node's limit (lowered since the message was taken).
                s.sentSeq = seq;
                drop(s, seq, envelope, Drop.TOO_LARGE, l.protocol.stats);
                continue;
            }
            ByteBuffer frame = dataFrame.clear();
            DataFrames.putData(frame, seq, body);
            if (!engine.links.send(l, frame.flip())) {
                break;
            }
            s.sentSeq = seq;
            s.inflight++;
            s.inflightBytes += body.length;
            if (seq > s.maxSent) {
                s.maxSent = seq;
            }
            l.highestSent = seq;
            l.lastData = engine.now;
            s.messagesOut++;
            s.bytesOut += size;
            l.protocol.stats.messagesOut++;
            l.protocol.stats.bytesOut += size;
            written++;
        }
        return written;
    }

    /** Drops a held message and tells its sender. */
    private void drop(Session s, long seq, Envelope envelope, Drop reason, SchemeStats stats) {
        s.dropHeld(seq);
        s.drops[reason.ordinal()]++;
        if (stats != null) {
            stats.drops[reason.ordinal()]++;
        }
        switch (reason) {
            case EXPIRED -> engine.undeliverable(envelope, DeliveryFailure.EXPIRED, "expired before it could be sent to node "
                    + s.peer.shortForm());
            case TOO_LARGE -> engine.undeliverable(envelope, DeliveryFailure.NO_ROUTE, "its frame is larger than node "
                    + s.peer.shortForm() + " accepts (" + Math.min(s.active.peerMaxFrame, engine.settings().maxFrameSize())
                    + " bytes)");
            default -> engine.undeliverable(envelope, DeliveryFailure.NO_ROUTE, reason.name());
        }
    }

    /**
     * The peer acknowledged up to {@code seq} of this node's epoch (in an Ack frame or a handshake).
     *
     * @return {@code false} if it acknowledged more than was ever sent (a protocol violation)
     */
    boolean onAck(Session s, long seq) {
        if (seq > s.maxSent) {
            return false;
        }
        if (s.ack(seq) > 0 && s.sentSeq < s.buffer.last()) {
            markReady(s); // the window opened for messages that wait
        }
        return true;
    }

    /** The active link may have changed (a link opened or closed): sending restarts there. */
    void reselect(Session s) {
        if (s.chooseActive(engine.settings().preferredSchemes())) {
            markReady(s);
        }
    }

    // ------------------------------------------------------------------ receiving

    /**
     * A Data frame arrived on an open link of {@code s}, from the peer's current epoch.
     *
     * @param size its frame size
     */
    void onData(Session s, Link l, Envelope envelope, long seq, int size) {
        s.messagesIn++;
        s.bytesIn += size;
        l.protocol.stats.messagesIn++;
        l.protocol.stats.bytesIn += size;
        if (seq <= s.accepted) {
            s.drops[Drop.DUPLICATE.ordinal()]++;
            l.protocol.stats.drops[Drop.DUPLICATE.ordinal()]++;
            s.ackNow = true;
            owesAck(s, l);
            return;
        }
        s.accepted = seq;
        s.ackLink = l;
        if (!s.held.isEmpty()) {
            hold(s, l, envelope, seq, size);
            return;
        }
        if (envelope.expiresAt() != Envelope.NEVER && envelope.isExpired(engine.nowMillis)) {
            s.drops[Drop.EXPIRED.ordinal()]++;
            l.protocol.stats.drops[Drop.EXPIRED.ordinal()]++;
            engine.undeliverable(envelope, DeliveryFailure.EXPIRED, "arrived from node " + s.peer.shortForm()
                    + " after its expiry");
        } else {
            DeliveryFailure failure = engine.offer(envelope);
            if (failure == DeliveryFailure.MAILBOX_FULL) {
                hold(s, l, envelope, seq, size);
                return;
            }
            if (failure != null) {
                engine.undeliverable(envelope, failure, "from node " + s.peer.shortForm());
            }
        }
        s.delivered = seq;
        s.sinceAck++;
        owesAck(s, l);
    }

    /**
     * Keeps a message a full mailbox refused, unacknowledged, behind those already held. Past the bound (the same
     * figures as the outbound buffer, which is what an honest peer can have unacknowledged) the link is closed: the
     * peer resends from the last acknowledgement on its next connection.
     */
    private void hold(Session s, Link l, Envelope envelope, long seq, int size) {
        TransportSettings settings = engine.settings();
        if (s.held.size() >= settings.outboundBufferMessages() || s.heldBytes + size > settings.outboundBufferBytes()) {
            s.accepted = seq - 1;
            s.drops[Drop.HELD_FULL.ordinal()]++;
            l.protocol.stats.drops[Drop.HELD_FULL.ordinal()]++;
            engine.links.close(l, null, "more messages held for full mailboxes than the outbound buffer bounds");
            return;
        }
        if (s.held.isEmpty()) {
            holding.addLast(s);
        }
        s.held.addLast(new Session.Held(envelope, seq, s.recvEpoch, size));
        s.heldBytes += size;
    }

    /**
     * Hands held messages to their mailboxes, in order, until one is still full.
     *
     * @return messages handed over (or reported undeliverable)
     */
    int retryHeld() {
        int done = 0;
        int n = holding.size();
        for (int i = 0; i < n; i++) {
            Session s = holding.pollFirst();
            Session.Held h;
            while ((h = s.held.peekFirst()) != null) {
                DeliveryFailure failure = engine.offer(h.envelope());
                if (failure == DeliveryFailure.MAILBOX_FULL) {
                    break;
                }
                if (failure != null) {
                    engine.undeliverable(h.envelope(), failure, "from node " + s.peer.shortForm());
                }
                s.held.pollFirst();
                s.heldBytes -= h.size();
                done++;
                if (h.epoch() == s.recvEpoch) {
                    s.delivered = h.seq();
                    s.sinceAck++;
                    owesAck(s, s.ackLink);
                }
            }
            if (!s.held.isEmpty()) {
                holding.addLast(s);
            }
        }
        return done;
    }

    /** @return whether messages wait for room in a mailbox (the engine then retries soon, not only on new work) */
    boolean isHolding() {
        return !holding.isEmpty();
    }

    private void owesAck(Session s, Link l) {
        s.ackLink = l;
        if (!s.ackPending) {
            s.ackPending = true;
            s.ackDueAt = engine.now + engine.settings().ackDelayMillis() * 1_000_000L;
            acking.addLast(s);
        }
    }

    /**
     * Sends the acks that are due: after {@code ackEvery} deliveries, after {@code ackDelay}, or at once after a
     * duplicate.
     *
     * @return acks sent
     */
    int flushAcks() {
        int sent = 0;
        int n = acking.size();
        int every = engine.settings().ackEvery();
        for (int i = 0; i < n; i++) {
            Session s = acking.pollFirst();
            if (s.ackBlocked) {
                acking.addLast(s);
                continue;
            }
            boolean due = s.ackNow || s.sinceAck >= every || engine.now - s.ackDueAt >= 0;
            if (due && sendAck(s)) {
                s.ackPending = false;
                sent++;
            } else {
                acking.addLast(s);
            }
        }
        return sent;
    }

    private boolean sendAck(Session s) {
        Link l = s.ackLink;
        if (l == null || !l.isOpen() || !l.writable || l.peerEpoch != s.recvEpoch) {
            l = null;
            for (Link candidate : s.links) {
                if (candidate.isOpen() && candidate.writable && candidate.peerEpoch == s.recvEpoch) {
                    l = candidate;
                    break;
                }
            }
            if (l == null) {
                // Nowhere to send it now: wait for a link to become writable, or for the next handshake, which
                // carries the acknowledgement anyway.
                s.ackBlocked = hasOpenLink(s);
                return !s.ackBlocked;
            }
        }
        ByteBuffer frame = ackFrame.clear();
        DataFrames.putAck(frame, s.delivered);
        if (!engine.links.send(l, frame.flip())) {
            s.ackBlocked = !l.isClosed();
            return false;
        }
        s.lastAckSent = s.delivered;
        s.sinceAck = 0;
        s.ackNow = false;
        return true;
    }

    private static boolean hasOpenLink(Session s) {
        for (Link l : s.links) {
            if (l.isOpen()) {
                return true;
            }
        }
        return false;
    }

    /** @return whether something waits to be written now: a ready session or an immediate ack */
    boolean hasWritesDue() {
        if (!ready.isEmpty()) {
            return true;
        }
        for (Session s : acking) {
            if (!s.ackBlocked && (s.ackNow || s.sinceAck >= engine.settings().ackEvery())) {
                return true;
            }
        }
        return false;
    }

    /** @return the earliest time (nanos) an owed ack falls due, or {@link Long#MAX_VALUE} */
    long nextAckDue() {
        long due = Long.MAX_VALUE;
        for (Session s : acking) {
            if (!s.ackBlocked) {
                due = Math.min(due, s.ackNow ? engine.now : s.ackDueAt);
            }
        }
        return due;
    }

    // ------------------------------------------------------------------ timers

    /** Periodic work: dials peers that need a connection and drops queued messages that expired. */
    void tick() {
        boolean checkExpiry = engine.now - nextExpiryCheck >= 0;
        if (checkExpiry) {
            nextExpiryCheck = engine.now + engine.settings().expiryCheckMillis() * 1_000_000L;
        }
        for (Session s : sessions.values()) {
            if (s.active == null) {
                maybeDial(s);
            }
            if (checkExpiry && s.sentSeq < s.buffer.last()) {
                expireQueued(s);
            }
        }
    }

    /** Drops the queued (not in flight) messages of {@code s} whose expiry passed. */
    private void expireQueued(Session s) {
        SendBuffer b = s.buffer;
        SchemeStats stats = s.active == null ? null : s.active.protocol.stats;
        for (long seq = Math.max(s.sentSeq + 1, b.base()); seq <= b.last(); seq++) {
            if (b.holds(seq)) {
                Envelope envelope = b.envelope(seq);
                if (envelope.expiresAt() != Envelope.NEVER && envelope.isExpired(engine.nowMillis)) {
                    drop(s, seq, envelope, Drop.EXPIRED, stats);
                }
            }
        }
    }

    /** Dials the peer if it needs a connection, has none (open or coming) and its backoff allows. */
    void maybeDial(Session s) {
        if (!s.links.isEmpty() || (!s.permanent && s.buffer.live() == 0) || engine.now - s.nextDialAt < 0) {
            return;
        }
        AddressBook.Entry address = s.addresses.choose(engine.protocols.installedSchemes(), engine.settings().preferredSchemes());
        if (address != null) {
            engine.links.dial(s, address.uri, s.peer, null);
        }
    }

    /** A protocol was installed: peers waiting for one are dialled at once. */
    void onProtocolAdded() {
        for (Session s : sessions.values()) {
            s.nextDialAt = engine.now;
        }
    }

    // ------------------------------------------------------------------ stop

    /** The engine stops: every held message is reported to its sender. */
    void stop() {
        for (Session s : sessions.values()) {
            SendBuffer b = s.buffer;
            for (long seq = b.base(); seq <= b.last(); seq++) {
                if (b.holds(seq)) {
                    Envelope envelope = b.envelope(seq);
                    s.dropHeld(seq);
                    s.drops[Drop.STOPPED.ordinal()]++;
                    engine.undeliverable(envelope, DeliveryFailure.NO_ROUTE, "the transport engine stopped before node "
                            + s.peer.shortForm() + " acknowledged it");
                }
            }
        }
        ready.clear();
        acking.clear();
        // Held messages were never acknowledged: their senders still have them and resend them to the next engine.
        holding.clear();
        gates = Map.of();
    }
}
