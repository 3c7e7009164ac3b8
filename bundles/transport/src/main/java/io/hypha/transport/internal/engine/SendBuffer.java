package io.hypha.transport.internal.engine;

import io.hypha.api.Envelope;

/**
 * The messages of one session that the peer has not acknowledged, sent or not yet, indexed by seq. Engine thread
 * only.
 *
 * <pre>
 *            acked        base                                         last
 *  seq:  ... ─┤ (released) ├ [hole] [msg] [msg] [hole] [msg] ... [msg] ┤
 *                           └───── ring slots: index = seq &amp; mask ─────┘
 * </pre>
 * Seqs are given out in order by {@link #add}; a message stays at its seq until it is acknowledged
 * ({@link #ackTo}) or dropped ({@link #remove}, expiry), which leaves a hole (a gap the receiver accepts). Leading
 * holes are trimmed, so the ring spans {@code base..last}. The ring grows by doubling as needed and shrinks back
 * when it empties; {@link #span()} lets the owner bound it.
 */
final class SendBuffer {
    private static final int INITIAL_CAPACITY = 64;
    /** An empty buffer whose ring grew beyond this shrinks back to the initial capacity. */
    private static final int SHRINK_ABOVE = 4096;

    private Envelope[] envelopes = new Envelope[INITIAL_CAPACITY];
    private byte[][] bodies = new byte[INITIAL_CAPACITY][];
    private int mask = INITIAL_CAPACITY - 1;
    /** Highest seq the peer acknowledged. */
    private long acked;
    /** Lowest seq that may still hold a message; every slot below is empty. */
    private long base = 1;
    /** Highest seq given out. */
    private long last;
    /** Messages held. */
    private int live;
    /** Body bytes held. */
    private long liveBytes;

    /**
     * Numbers and keeps a message.
     *
     * @param envelope the message
     * @param body     its encoded body
     * @return its seq
     */
    long add(Envelope envelope, byte[] body) {
        long seq = last + 1;
        if (seq - base + 1 > envelopes.length) {
            resize((int) Math.min(1 << 30, Integer.highestOneBit((int) Math.min(1 << 29, seq - base + 1)) << 1));
        }
        int i = (int) seq & mask;
        envelopes[i] = envelope;
        bodies[i] = body;
        last = seq;
        live++;
        liveBytes += body.length;
        return seq;
    }

    /** @param seq a seq @return whether a message is held at it */
    boolean holds(long seq) {
        return seq >= base && seq <= last && envelopes[(int) seq & mask] != null;
    }

    /** @param seq a held seq @return its message */
    Envelope envelope(long seq) {
        return envelopes[(int) seq & mask];
    }

    /** @param seq a held seq @return its body */
    byte[] body(long seq) {
        return bodies[(int) seq & mask];
    }

    /**
     * Drops one held message (it expired or cannot be sent), leaving a hole.
     *
     * @param seq a held seq
     * @return its body length
     */
    int remove(long seq) {
        int i = (int) seq & mask;
        int length = bodies[i].length;
        envelopes[i] = null;
        bodies[i] = null;
        live--;
        liveBytes -= length;
        trim();
        return length;
    }

    /**
     * Releases every message up to {@code seq}, which the peer acknowledged.
     *
     * @param seq      the acknowledged seq; at most {@link #last()}
     * @param released receives each released message's seq and body length, oldest first
     */
    void ackTo(long seq, Released released) {
        if (seq <= acked) {
            return;
        }
        for (long s = Math.max(base, acked + 1); s <= seq; s++) {
            int i = (int) s & mask;
            byte[] body = bodies[i];
            if (body != null) {
                live--;
                liveBytes -= body.length;
                envelopes[i] = null;
                bodies[i] = null;
                released.onReleased(s, body.length);
            }
        }
        acked = seq;
        base = Math.max(base, seq + 1);
        trim();
    }

    /** Receives released messages. */
    @FunctionalInterface
    interface Released {
        /** @param seq the message's seq @param bodyLength its body length */
        void onReleased(long seq, int bodyLength);
    }

    /** @return the highest acknowledged seq */
    long acked() {
        return acked;
    }

    /** @return the highest seq given out (0 before the first) */
    long last() {
        return last;
    }

    /** @return messages held */
    int live() {
        return live;
    }

    /** @return body bytes held */
    long liveBytes() {
        return liveBytes;
    }

    /** @return how many seqs the ring spans (holes included) */
    long span() {
        return last - base + 1;
    }

    /** @return the lowest seq that may hold a message */
    long base() {
        return base;
    }

    /** @return the ring's slot count (for tests) */
    int capacity() {
        return envelopes.length;
    }

    /** Skips leading holes, and shrinks an emptied large ring. */
    private void trim() {
        while (base <= last && envelopes[(int) base & mask] == null) {
            base++;
        }
        if (live == 0 && envelopes.length > SHRINK_ABOVE) {
            envelopes = new Envelope[INITIAL_CAPACITY];
            bodies = new byte[INITIAL_CAPACITY][];
            mask = INITIAL_CAPACITY - 1;
        }
    }

    private void resize(int capacity) {
        Envelope[] e = new Envelope[capacity];
        byte[][] b = new byte[capacity][];
        int newMask = capacity - 1;
        for (long s = base; s <= last; s++) {
            int from = (int) s & mask;
            e[(int) s & newMask] = envelopes[from];
            b[(int) s & newMask] = bodies[from];
        }
        envelopes = e;
        bodies = b;
        mask = newMask;
    }
}
