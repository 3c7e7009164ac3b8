package io.hypha.itests;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition by polling it until a deadline, so that tests never sleep a fixed time. On timeout it
 * fails with what was awaited and, where given, the last observed state.
 */
public final class Await {
    /** How long a test waits for something that normally takes milliseconds (a service, a bundle state). */
    public static final Duration DEFAULT = Duration.ofSeconds(20);

    private static final long FIRST_POLL_NANOS = Duration.ofMillis(1).toNanos();
    private static final long MAX_POLL_NANOS = Duration.ofMillis(50).toNanos();

    private Await() {
    }

    /**
     * @param what      what is awaited, for the failure message
     * @param timeout   the deadline
     * @param condition the condition
     * @throws AssertionError if the condition is still false at the deadline
     */
    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        until(what, timeout, condition, () -> "");
    }

    /**
     * @param what      what is awaited, for the failure message
     * @param timeout   the deadline
     * @param condition the condition
     * @param state     describes the state observed at the deadline
     * @throws AssertionError if the condition is still false at the deadline
     */
    public static void until(String what, Duration timeout, BooleanSupplier condition, Supplier<String> state) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = FIRST_POLL_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                String seen = state.get();
                throw new AssertionError("timed out after " + timeout + " waiting for " + what + (seen.isEmpty() ? "" : "; observed: " + seen));
            }
            pause = pause(pause);
        }
    }

    /**
     * @param what    what is awaited
     * @param timeout the deadline
     * @param value   the supplier polled until it returns non-null
     * @param <T>     the value type
     * @return the first non-null value
     * @throws AssertionError if it is still null at the deadline
     */
    public static <T> T value(String what, Duration timeout, Supplier<T> value) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = FIRST_POLL_NANOS;
        for (T v = value.get(); ; v = value.get()) {
            if (v != null) {
                return v;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            pause = pause(pause);
        }
    }

    /**
     * Waits between two polls: short at first (most conditions hold within milliseconds), doubling up to 50 ms so a
     * long wait does not spin. A polling interval, not a wait for an outcome: the condition decides when we go on.
     *
     * @param nanos this pause
     * @return the next pause
     */
    private static long pause(long nanos) {
        LockSupport.parkNanos(nanos);
        if (Thread.interrupted()) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting");
        }
        return Math.min(nanos * 2, MAX_POLL_NANOS);
    }
}
