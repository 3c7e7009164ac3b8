package io.hypha.runtime.internal;

import io.hypha.api.DeadLetter;
import io.hypha.api.DeliveryFailure;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The most recent dead letters in a fixed ring, plus a counter per reason. Lock-free: a storm of undeliverable
 * messages (a full mailbox) costs one counter increment, one index increment and one slot store each.
 * Under concurrent writers {@link #recent} may see a slot overwritten by a newer letter; that only affects which
 * letters are shown, never the counts.
 */
final class DeadLetterRing {
    private final AtomicReferenceArray<DeadLetter> slots;
    private final AtomicLong written = new AtomicLong();
    private final LongAdder[] counts;

    /** @param capacity how many letters to keep; 0 keeps none and only counts */
    DeadLetterRing(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("dead-letter capacity must be >= 0, got " + capacity);
        }
        this.slots = new AtomicReferenceArray<>(capacity);
        DeliveryFailure[] reasons = DeliveryFailure.values();
        this.counts = new LongAdder[reasons.length];
        for (int i = 0; i < reasons.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    /** @param letter a dead letter to count and keep */
    void add(DeadLetter letter) {
        counts[letter.failure().ordinal()].increment();
        int capacity = slots.length();
        if (capacity > 0) {
            long index = written.getAndIncrement();
            slots.set((int) (index % capacity), letter);
        }
    }

    /**
     * @param limit at most this many
     * @return the most recent letters, oldest first
     */
    List<DeadLetter> recent(int limit) {
        int capacity = slots.length();
        if (limit <= 0 || capacity == 0) {
            return List.of();
        }
        long end = written.get();
        long start = Math.max(0, end - Math.min(limit, capacity));
        List<DeadLetter> out = new ArrayList<>((int) (end - start));
        for (long i = start; i < end; i++) {
            DeadLetter letter = slots.get((int) (i % capacity));
            if (letter != null) {
                out.add(letter);
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** @return the count per reason, every reason present */
    Map<DeliveryFailure, Long> counts() {
        Map<DeliveryFailure, Long> out = new EnumMap<>(DeliveryFailure.class);
        for (DeliveryFailure reason : DeliveryFailure.values()) {
            out.put(reason, counts[reason.ordinal()].sum());
        }
        return Collections.unmodifiableMap(out);
    }
}
