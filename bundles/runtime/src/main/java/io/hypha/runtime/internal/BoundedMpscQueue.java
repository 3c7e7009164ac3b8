package io.hypha.runtime.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A bounded, lock-free multi-producer single-consumer queue over a ring of slots: an engine's mailbox.
 *
 * <p>Producers claim a slot by a compare-and-set on the producer index and then publish the element into the slot
 * with a release store; the single consumer reads the slot with an acquire load, clears it and advances the
 * consumer index with a release store. No node is allocated per element. The bound is exact (any capacity, not only
 * powers of two): a producer may only claim index {@code i} while {@code i < consumerIndex + capacity}; the ring
 * itself is the next power of two, so the slot of index {@code i} was last used by an index the consumer has already
 * passed.
 *
 * <p>Thread-safety: {@link #offer}, {@link #size} and {@link #isEmpty} from any thread; {@link #poll} only from one
 * thread at a time (the mailbox's turn, which hands over between threads with a happens-before edge).
 *
 * <p>Layout: the producer and consumer indices sit on separate cache lines (class-hierarchy padding, as the JVM does
 * not reorder fields across classes), so producers and the consumer do not invalidate each other's line on every
 * operation.
 *
 * @param <E> the element type
 */
final class BoundedMpscQueue<E> extends MpscConsumerIndex {
    private static final VarHandle PRODUCER_INDEX;
    private static final VarHandle PRODUCER_LIMIT;
    private static final VarHandle CONSUMER_INDEX;
    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(Object[].class);

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            PRODUCER_INDEX = lookup.findVarHandle(MpscProducerIndex.class, "producerIndex", long.class);
            PRODUCER_LIMIT = lookup.findVarHandle(MpscProducerIndex.class, "producerLimit", long.class);
            CONSUMER_INDEX = lookup.findVarHandle(MpscConsumerIndex.class, "consumerIndex", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Object[] slots;
    private final int mask;
    private final int capacity;

    /**
     * @param capacity the exact bound, at least 1 and at most 2^30
     */
    BoundedMpscQueue(int capacity) {
        if (capacity < 1 || capacity > (1 << 30)) {
            throw new IllegalArgumentException("mailbox capacity must be between 1 and 2^30, got " + capacity);
        }
        int ring = Integer.highestOneBit(capacity);
        if (ring < capacity) {
            ring <<= 1;
        }
        this.slots = new Object[ring];
        this.mask = ring - 1;
        this.capacity = capacity;
        this.producerLimit = capacity;
    }

    /** @return the bound */
    int capacity() {
        return capacity;
    }

    /**
     * Adds an element unless the queue holds {@link #capacity()} elements. Lock-free; any thread.
     *
     * @param e the element, not null
     * @return whether it was added
     */
    boolean offer(E e) {
        long limit = (long) PRODUCER_LIMIT.getAcquire(this);
        long index;
        do {
            index = (long) PRODUCER_INDEX.getVolatile(this);
            if (index >= limit) {
                // The cached limit may be stale: look at where the consumer really is.
                limit = (long) CONSUMER_INDEX.getVolatile(this) + capacity;
                if (index >= limit) {
                    return false;
                }
                // Racing producers may store an older (smaller) limit; that is only conservative.
                PRODUCER_LIMIT.setRelease(this, limit);
            }
        } while (!PRODUCER_INDEX.compareAndSet(this, index, index + 1));
        SLOTS.setRelease(slots, (int) (index & mask), e);
        return true;
    }

    /**
     * Takes the oldest element. Single consumer only. Returns {@code null} when the queue is empty, and also when
     * the next producer has claimed its slot but not yet written it: the caller then sees {@link #isEmpty()} false
     * and retries later rather than spinning here.
     *
     * @return the element, or {@code null}
     */
    @SuppressWarnings("unchecked")
    E poll() {
        long index = (long) CONSUMER_INDEX.get(this); // plain: only this thread writes it
        int slot = (int) (index & mask);
        Object e = SLOTS.getAcquire(slots, slot);
        if (e == null) {
            return null;
        }
        slots[slot] = null;
        // Release: the cleared slot is visible before a producer can see the slot as free.
        CONSUMER_INDEX.setRelease(this, index + 1);
        return (E) e;
    }

    /**
     * Whether {@link #poll} would return an element now. Single consumer only. Reads only the next slot, which a
     * waiting consumer can watch without touching the producers' index.
     *
     * @return whether the next element is published
     */
    boolean isNextReady() {
        long index = (long) CONSUMER_INDEX.get(this); // plain: only this thread writes it
        return SLOTS.getAcquire(slots, (int) (index & mask)) != null;
    }

    /** @return the number of elements, exact when quiescent; any thread */
    int size() {
        long after = (long) CONSUMER_INDEX.getVolatile(this);
        while (true) {
            long before = after;
            long producer = (long) PRODUCER_INDEX.getVolatile(this);
            after = (long) CONSUMER_INDEX.getVolatile(this);
            if (before == after) {
                return (int) Math.max(0, Math.min(capacity, producer - after));
            }
        }
    }

    /** @return whether no element was claimed past the consumer; any thread */
    boolean isEmpty() {
        return (long) CONSUMER_INDEX.getVolatile(this) >= (long) PRODUCER_INDEX.getVolatile(this);
    }
}

// Padded index holders of BoundedMpscQueue (top level: a class cannot extend its own nested classes).

/** Padding before the producer fields. */
abstract class MpscPadBeforeProducer {
    long p00, p01, p02, p03, p04, p05, p06, p07;
    long p08, p09, p10, p11, p12, p13, p14, p15;
}

/** Producer fields: written by every producer. */
abstract class MpscProducerIndex extends MpscPadBeforeProducer {
    volatile long producerIndex;
    volatile long producerLimit;
}

/** Padding between producer and consumer fields. */
abstract class MpscPadBetween extends MpscProducerIndex {
    long p10, p11, p12, p13, p14, p15, p16, p17;
    long p18, p19, p1a, p1b, p1c, p1d, p1e, p1f;
}

/** Consumer field: written by the consumer only. */
abstract class MpscConsumerIndex extends MpscPadBetween {
    volatile long consumerIndex;
    long p20, p21, p22, p23, p24, p25, p26, p27;
    long p28, p29, p2a, p2b, p2c, p2d, p2e, p2f;
}
