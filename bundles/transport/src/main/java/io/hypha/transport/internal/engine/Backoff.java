package io.hypha.transport.internal.engine;

import java.util.random.RandomGenerator;

/**
 * Exponential backoff with jitter for re-dialling: the first retry after {@code min}, each failure doubling the delay
 * up to {@code max}, each delay drawn in [50%, 100%] of its step so that nodes that lost each other at the same time
 * do not dial in lockstep. Engine thread only.
 */
final class Backoff {
    private long step;

    /** Back to the start: the next {@link #next} gives about {@code min}. */
    void reset() {
        step = 0;
    }

    /**
     * Records a failure and gives the delay before the next attempt.
     *
     * @param minNanos the first delay
     * @param maxNanos the longest delay
     * @param random   the jitter source
     * @return the delay in nanoseconds
     */
    long next(long minNanos, long maxNanos, RandomGenerator random) {
        step = step == 0 ? Math.max(minNanos, 1) : Math.min(maxNanos, step > maxNanos / 2 ? maxNanos : step * 2);
        step = Math.min(step, Math.max(maxNanos, 1));
        long half = step / 2;
        return half + (half > 0 ? random.nextLong(step - half + 1) : 0);
    }

    /** @return the current step in nanoseconds, 0 after {@link #reset} */
    long step() {
        return step;
    }
}
