package io.hypha.transport.internal.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A bounded many-producer, one-consumer queue of events, each a kind, two references and two numbers, kept in parallel
 * arrays so that offering an event allocates nothing (Aeron's ManyToOne ring, reduced to what the engine needs).
 *
 * <p>Producers claim a slot by a compare-and-set on the tail, fill it, and publish it by writing its kind last with
 * release semantics; the consumer reads the kind with acquire semantics, so it sees the slot's other fields. A slot
 * claimed but not yet published stops the consumer (FIFO) until its producer publishes it, which it does without
 * waiting on anything.
 *
 * <p>Thread-safety: {@link #offer} from any thread; {@link #poll} and {@link #isEmpty} only from the one consumer
 * thread ({@link #isEmpty} may also be called by producers as a hint).
 */
final class EventRing {
    /** Receives polled events. */
    @FunctionalInterface
    interface Handler {
        /**
         * @param kind the event kind (never 0)
         * @param a    the first reference
         * @param b    the second reference
         * @param n    the first number
         * @param m    the second number
         */
        void onEvent(int kind, Object a, Object b, long n, long m);
    }

    private static final VarHandle KINDS = MethodHandles.arrayElementVarHandle(int[].class);
    private static final VarHandle TAIL;
    private static final VarHandle HEAD;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            TAIL = lookup.findVarHandle(EventRing.class, "tail", long.class);
            HEAD = lookup.findVarHandle(EventRing.class, "head", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int capacity;
    private final int mask;
    private final int[] kinds;
    private final Object[] as;
    private final Object[] bs;
    private final long[] ns;
    private final long[] ms;
    /** Next slot to claim (producers). Written only through {@link #TAIL}. */
    @SuppressWarnings("unused")
    private volatile long tail;
    /** Next slot to read (consumer). Written only through {@link #HEAD}. */
    @SuppressWarnings("unused")
    private volatile long head;
    /** The producers' last view of {@link #head}: a hint that spares them a read of the consumer's line. */
    private volatile long headCache;

    /** @param requestedCapacity at least this many slots (rounded up to a power of two) */
    EventRing(int requestedCapacity) {
        if (requestedCapacity < 2 || requestedCapacity > (1 << 30)) {
            throw new IllegalArgumentException("capacity must be 2..2^30, got " + requestedCapacity);
        }
        capacity = Integer.highestOneBit(requestedCapacity - 1) << 1;
        mask = capacity - 1;
        kinds = new int[capacity];
        as = new Object[capacity];
        bs = new Object[capacity];
        ns = new long[capacity];
        ms = new long[capacity];
    }

    /** @return the number of slots */
    int capacity() {
        return capacity;
    }

    /**
     * Adds an event. Never blocks.
     *
     * @param kind the event kind, not 0
     * @param a    the first reference, or {@code null}
     * @param b    the second reference, or {@code null}
     * @param n    the first number
     * @param m    the second number
     * @return {@code false} if the ring is full; nothing was added
     */
    boolean offer(int kind, Object a, Object b, long n, long m) {
        if (kind == 0) {
            throw new IllegalArgumentException("kind 0 marks an empty slot");
        }
        long t;
        do {
            t = (long) TAIL.getVolatile(this);
            if (t - headCache >= capacity) {
                long h = (long) HEAD.getVolatile(this);
                headCache = h;
                if (t - h >= capacity) {
                    return false;
                }
            }
        } while (!TAIL.compareAndSet(this, t, t + 1));
        int i = (int) t & mask;
        as[i] = a;
        bs[i] = b;
        ns[i] = n;
        ms[i] = m;
        KINDS.setRelease(kinds, i, kind);
        return true;
    }

    /**
     * Hands up to {@code limit} events, oldest first, to {@code handler}. Consumer thread only.
     *
     * @param handler receives the events; an exception from it propagates after the event was consumed
     * @param limit   at most this many
     * @return how many were handed over
     */
    int poll(Handler handler, int limit) {
        return poll(handler, limit, -1);
    }

    /**
     * Like {@link #poll(Handler, int)}, but stops (without taking it) at the first event whose kind is not in
     * {@code kinds}. Consumer thread only.
     *
     * @param handler receives the events
     * @param limit   at most this many
     * @param kinds   a bit mask: kind {@code k} is taken if bit {@code k} is set (kinds 1 to 31)
     * @return how many were handed over
     */
    int poll(Handler handler, int limit, int kinds) {
        long h = (long) HEAD.getOpaque(this);
        int count = 0;
        while (count < limit) {
            int i = (int) h & mask;
            int kind = (int) KINDS.getAcquire(this.kinds, i);
            if (kind == 0 || (kinds & (1 << kind)) == 0) {
                break;
            }
            Object a = as[i];
            Object b = bs[i];
            long n = ns[i];
            long m = ms[i];
            as[i] = null;
            bs[i] = null;
            KINDS.setRelease(this.kinds, i, 0);
            h++;
            HEAD.setRelease(this, h);
            count++;
            handler.onEvent(kind, a, b, n, m);
        }
        return count;
    }

    /** @return whether no event is claimed or waiting (a producer in the middle of an offer makes it non-empty) */
    boolean isEmpty() {
        return (long) HEAD.getVolatile(this) == (long) TAIL.getVolatile(this);
    }

    /** @return how many events are claimed or waiting (a snapshot) */
    int size() {
        long h = (long) HEAD.getVolatile(this);
        long t = (long) TAIL.getVolatile(this);
        return (int) Math.max(0, Math.min(capacity, t - h));
    }
}
