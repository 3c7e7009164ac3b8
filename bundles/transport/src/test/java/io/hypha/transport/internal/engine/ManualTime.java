package io.hypha.transport.internal.engine;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/** Both clocks of the engine, moved only by the test: a wall clock (expiry) and a nanosecond clock (timers). */
final class ManualTime implements InstantSource, TransportEngine.NanoClock {
    private long nanos = 1_000_000_000L;
    private long wallMillis = Instant.parse("2025-01-01T00:00:00Z").toEpochMilli();

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(wallMillis);
    }

    @Override
    public long millis() {
        return wallMillis;
    }

    @Override
    public long nanoTime() {
        return nanos;
    }

    /** @param d how far both clocks move */
    void advance(Duration d) {
        nanos += d.toNanos();
        wallMillis += d.toMillis();
    }
}
