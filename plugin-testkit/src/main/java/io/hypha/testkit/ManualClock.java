package io.hypha.testkit;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;

/**
 * A clock that moves only when told to. Thread-safe.
 *
 * <p>Moving it directly does not fire an {@link EngineHarness}'s timers; use {@link EngineHarness#advance} for that
 * (or {@link EngineHarness#runDue} after moving the clock yourself).
 */
public final class ManualClock implements InstantSource {
    /** Where a clock made with {@link #ManualClock()} starts: 2025-01-01T00:00:00Z. */
    public static final Instant DEFAULT_START = Instant.parse("2025-01-01T00:00:00Z");

    private volatile Instant now;

    /** A clock at {@link #DEFAULT_START}. */
    public ManualClock() {
        this(DEFAULT_START);
    }

    /** @param start the clock's first instant */
    public ManualClock(Instant start) {
        this.now = Objects.requireNonNull(start, "start");
    }

    @Override
    public Instant instant() {
        return now;
    }

    /**
     * Moves the clock forward.
     *
     * @param duration how far; zero is allowed
     * @return this clock
     * @throws IllegalArgumentException if the duration is negative (time never goes back)
     */
    public synchronized ManualClock advance(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("a manual clock only moves forward, got " + duration);
        }
        now = now.plus(duration);
        return this;
    }

    @Override
    public String toString() {
        return "ManualClock{" + now + "}";
    }
}
