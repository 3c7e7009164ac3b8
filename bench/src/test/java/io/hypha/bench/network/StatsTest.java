package io.hypha.bench.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class StatsTest {
    @Test
    void rateCountsTheIntervalsBetweenFirstAndLastArrival() {
        // 1,001 messages, the first at t = 0 and the last at t = 1 s: 1,000 intervals in one second
        assertThat(Stats.rate(1_001, 5_000_000_000L, 6_000_000_000L)).isCloseTo(1_000.0, within(1e-9));
        assertThat(Stats.rate(2, 0, 500_000_000L)).isCloseTo(2.0, within(1e-9));
    }

    @Test
    void rateIsUndefinedWithoutTwoMessagesOrWithoutTimePassing() {
        assertThat(Stats.rate(1, 0, 1_000)).isNaN();
        assertThat(Stats.rate(100, 1_000, 1_000)).isNaN();
        assertThat(Stats.rate(100, 2_000, 1_000)).isNaN();
    }

    @Test
    void percentilesAreNearestRank() {
        long[] oneToThousand = LongStream.rangeClosed(1, 1_000).toArray();
        assertThat(Stats.percentile(oneToThousand, 500_000)).isEqualTo(500);
        assertThat(Stats.percentile(oneToThousand, 990_000)).isEqualTo(990);
        assertThat(Stats.percentile(oneToThousand, 999_000)).isEqualTo(999);
        assertThat(Stats.percentile(oneToThousand, 1_000_000)).isEqualTo(1_000);

        long[] ten = LongStream.rangeClosed(1, 10).map(i -> i * 10).toArray();
        assertThat(Stats.percentile(ten, 500_000)).isEqualTo(50);
        assertThat(Stats.percentile(ten, 990_000)).as("rank ceil(9.9) = 10").isEqualTo(100);
        assertThat(Stats.percentile(new long[] {7}, 999_000)).isEqualTo(7);
    }

    @Test
    void percentilesRefuseNoValuesAndQuantilesOutOfRange() {
        assertThatThrownBy(() -> Stats.percentile(new long[0], 500_000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Stats.percentile(new long[] {1}, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Stats.percentile(new long[] {1}, 1_000_001)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void latencySortsACopyAndSummarises() {
        long[] nanos = LongStream.rangeClosed(1, 2_000).map(i -> 2_001 - i).toArray(); // 2000 down to 1
        Stats.Latency l = Stats.Latency.of(nanos);

        assertThat(l.count()).isEqualTo(2_000);
        assertThat(l.p50()).isEqualTo(1_000);
        assertThat(l.p99()).isEqualTo(1_980);
        assertThat(l.p999()).isEqualTo(1_998);
        assertThat(l.max()).isEqualTo(2_000);
        assertThat(l.mean()).isCloseTo(1_000.5, within(1e-9));
        assertThat(nanos[0]).as("the caller's array is not sorted in place").isEqualTo(2_000);
        assertThatThrownBy(() -> Stats.Latency.of(new long[0])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void medianTakesTheMiddleOrTheMeanOfTheMiddleTwoAndSkipsMissingValues() {
        assertThat(Stats.median(List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
        assertThat(Stats.median(List.of(4.0, 1.0, 3.0, 2.0))).isEqualTo(2.5);
        assertThat(Stats.median(List.of(Double.NaN, 5.0))).isEqualTo(5.0);
        assertThat(Stats.median(List.of())).isNaN();
    }

    @Test
    void ratioIsUndefinedWhenASideIsMissing() {
        assertThat(Stats.ratio(50, 100)).isEqualTo(0.5);
        assertThat(Stats.ratio(Double.NaN, 100)).isNaN();
        assertThat(Stats.ratio(50, Double.NaN)).isNaN();
        assertThat(Stats.ratio(50, 0)).isNaN();
    }

    @Test
    void parsesCommaSeparatedNanos() {
        assertThat(Stats.parseNanos(" 12,3, 45 \n")).containsExactly(12, 3, 45);
        assertThat(Stats.parseNanos("")).isEmpty();
        assertThatThrownBy(() -> Stats.parseNanos("1,x")).isInstanceOf(NumberFormatException.class);
    }
}
