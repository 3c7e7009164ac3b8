package io.hypha.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ManualClockTest {
    @Test
    void startsWhereItIsToldAndMovesOnlyWhenAdvanced() {
        Instant start = Instant.parse("2030-05-06T07:08:09Z");
        ManualClock clock = new ManualClock(start);

        assertThat(clock.instant()).isEqualTo(start);
        assertThat(clock.millis()).isEqualTo(start.toEpochMilli());
        clock.advance(Duration.ofMillis(1500)).advance(Duration.ZERO);
        assertThat(clock.instant()).isEqualTo(start.plusMillis(1500));
    }

    @Test
    void startsAtTheDocumentedDefault() {
        assertThat(new ManualClock().instant()).isEqualTo(Instant.parse("2025-01-01T00:00:00Z"));
    }

    @Test
    void refusesToGoBack() {
        ManualClock clock = new ManualClock();

        assertThatThrownBy(() -> clock.advance(Duration.ofNanos(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThat(clock.instant()).isEqualTo(ManualClock.DEFAULT_START);
    }
}
