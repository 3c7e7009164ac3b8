package io.hypha.transport.internal.engine;

import io.hypha.api.Envelope;

import java.util.ArrayDeque;

import io.hypha.api.NodeId;
import io.hypha.transport.internal.Drop;
import java.util.ArrayList;
import java.util.List;

/**
 * This node's state for one remote node, above any number of connections (docs/wire-protocol.md section 5). Engine
 * thread only.
 *
 * <h2>Sending</h2>
 * Messages are numbered into the {@link SendBuffer} and written, in seq order, on one connection at a time: the
 * {@linkplain #active active} link, the best open one by local scheme preference, then the newest. {@code sentSeq} is
 * the highest seq written on it. When the active link changes, sending restarts after
 * {@code max(acked, link.highestSent)}: everything unacknowledged is resent on a new link, while a link that was
 * active before continues where it stopped (what it carried before still arrives in order, and what lies between
 * is acknowledged, so the receiver's {@code last} is already past it). So the Data stream of every link increases,
 * with gaps only below the peer's acknowledgement or at dropped (expired) messages, which is what makes the
 * receiver's single {@code last} counter exact.
 *
 * <h2>Receiving</h2>
 * {@code accepted} is the highest seq taken in the peer's current epoch ({@code recvEpoch}); Data at or below it
 * is a duplicate. {@code delivered} is the highest seq handed to local delivery, and the only one acknowledged: when
 * an engine's mailbox is full, its messages (and all that follow them from this peer, to keep the order) are
 * {@code held} here, unacknowledged, and retried; the peer's send buffer then fills and its senders are refused, so a
 * slow engine pushes back across the network instead of losing messages. Acks are batched: at {@code ackEvery}
 * deliveries, after {@code ackDelay}, or at once after a duplicate.
 */
final class Session implements SendBuffer.Released {
    /** A message waiting for room in a mailbox, with the epoch and seq it arrived under. */
    record Held(Envelope envelope, long seq, long epoch, int size) {
    }

    final NodeId peer;
    final PeerGate gate;
    /** This node's sending epoch towards the peer: random, non-zero, fixed for the life of this object. */
    final long epoch;
    final SendBuffer buffer = new SendBuffer();
    final AddressBook addresses = new AddressBook();
    final Backoff backoff = new Backoff();
    /** Links to the peer in their handshake or open. */
    final List<Link> links = new ArrayList<>(2);
    /** Kept connected (re-dialled with backoff) rather than dialled when there is something to send. */
    boolean permanent;
    /** Not before this time (nanos) is the peer dialled again. */
    long nextDialAt;

    // ---- sending
    Link active;
    /** Highest seq written on the active link (or skipped); {@code acked} when there is none. */
    long sentSeq;
    /** Highest seq ever written on any link: acknowledgements beyond it are a protocol violation. */
    long maxSent;
    /** Messages held in (acked, sentSeq]: in flight on the active link (or on one before it). */
    int inflight;
    long inflightBytes;
    /** Whether it is in the engine's list of sessions with something to write. */
    boolean ready;

    // ---- receiving
    long recvEpoch;
    long accepted;
    long delivered;
    /** Messages taken but not yet handed over because a mailbox was full, in order; see the class comment. */
    final ArrayDeque<Held> held = new ArrayDeque<>();
    long heldBytes;
    long lastAckSent;
    int sinceAck;
    boolean ackNow;
    /** Whether it is in the engine's list of sessions owing an ack. */
    boolean ackPending;
    long ackDueAt;
    Link ackLink;
    /** The ack could not be written (no writable link): it waits for {@code onWritable} instead of being retried. */
    boolean ackBlocked;

    // ---- counters (since creation)
    long messagesIn;
    long messagesOut;
    long bytesIn;
    long bytesOut;
    final long[] drops = new long[Drop.values().length];

    // ---- scratch of ack()
    private int releasedCount;
    private long releasedBytes;

    Session(NodeId peer, long epoch) {
        if (epoch == 0) {
            throw new IllegalArgumentException("a session epoch is never 0");
        }
        this.peer = peer;
        this.epoch = epoch;
        this.gate = new PeerGate(peer, this);
    }

    /** @return whether a message waits to be written and the active link and window allow it */
    boolean canSend(long windowMessages, long windowBytes) {
        Link l = active;
        return l != null && l.writable && sentSeq < buffer.last() && inflight < windowMessages && inflightBytes < windowBytes;
    }

    /** @return messages held and not yet written on the active link */
    long queued() {
        return buffer.live() - inflight;
    }

    /**
     * Picks the active link again: the open link with the best scheme rank, then the newest.
     *
     * @param preference schemes in order of local preference
     * @return whether the active link changed (sending then restarts as described above)
     */
    boolean chooseActive(List<String> preference) {
        Link best = null;
        for (Link l : links) {
            if (l.isOpen() && (best == null || better(l, best, preference))) {
                best = l;
            }
        }
        if (best == active) {
            return false;
        }
        active = best;
        rewind();
        return true;
    }

    private static boolean better(Link a, Link b, List<String> preference) {
        int ra = AddressBook.rank(a.scheme(), preference);
        int rb = AddressBook.rank(b.scheme(), preference);
        return ra != rb ? ra < rb : a.openedAt > b.openedAt || (a.openedAt == b.openedAt && a.id > b.id);
    }

    /** Restarts sending on the active link after what it (or the peer's acknowledgement) already covers. */
    private void rewind() {
        long acked = buffer.acked();
        sentSeq = active == null ? acked : Math.max(acked, active.highestSent);
        inflight = 0;
        inflightBytes = 0;
        for (long s = Math.max(buffer.base(), acked + 1); s <= sentSeq; s++) {
            if (buffer.holds(s)) {
                inflight++;
                inflightBytes += buffer.body(s).length;
            }
        }
    }

    /**
     * Applies a cumulative acknowledgement of this node's current epoch.
     *
     * @param seq the acknowledged seq, at most {@link #maxSent}
     * @return how many messages it released
     */
    int ack(long seq) {
        if (seq <= buffer.acked()) {
            return 0;
        }
        releasedCount = 0;
        releasedBytes = 0;
        buffer.ackTo(Math.min(seq, buffer.last()), this);
        if (sentSeq < buffer.acked()) {
            sentSeq = buffer.acked();
        }
        gate.release(releasedCount, releasedBytes);
        return releasedCount;
    }

    @Override
    public void onReleased(long seq, int bodyLength) {
        releasedCount++;
        releasedBytes += bodyLength;
        if (seq <= sentSeq) {
            inflight--;
            inflightBytes -= bodyLength;
        }
    }

    /**
     * Drops one held message (expired, or too large for the peer), giving back its budget.
     *
     * @param seq a held seq
     */
    void dropHeld(long seq) {
        boolean inFlight = seq <= sentSeq && seq > buffer.acked();
        int length = buffer.remove(seq);
        if (inFlight) {
            inflight--;
            inflightBytes -= length;
        }
        gate.release(1, length);
    }

    /**
     * The peer announced its sending epoch in a handshake: a new one means it lost its state, so receiving starts
     * afresh.
     *
     * @param peerEpoch the announced epoch (non-zero)
     */
    void onPeerEpoch(long peerEpoch) {
        if (peerEpoch != recvEpoch) {
            recvEpoch = peerEpoch;
            accepted = 0;
            delivered = 0;
            lastAckSent = 0;
            sinceAck = 0;
            ackNow = false;
        }
    }

    /** @return whether nothing is held or owed, so the session could be forgotten without losing anything */
    boolean isIdle() {
        return links.isEmpty() && !permanent && buffer.live() == 0 && gate.messages() == 0 && !ackPending
                && lastAckSent == delivered && held.isEmpty();
    }

    @Override
    public String toString() {
        return "session[" + peer.shortForm() + " acked " + buffer.acked() + " sent " + sentSeq + " last " + buffer.last()
                + " accepted " + accepted + " delivered " + delivered + " held " + held.size() + "]";
    }
}
