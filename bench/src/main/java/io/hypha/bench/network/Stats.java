package io.hypha.bench.network;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/** The arithmetic of the report: receiver rates, latency percentiles (nearest rank), medians, ratios. */
public final class Stats {
    private Stats() {
    }

    /**
     * Messages per second at the receiver: {@code messages} arrived, the first at {@code firstNanos} and the last at
     * {@code lastNanos}, so {@code messages - 1} inter-arrival intervals span the time between.
     *
     * @return the rate, or {@code NaN} if it cannot be computed (fewer than two messages, no time passed)
     */
    public static double rate(long messages, long firstNanos, long lastNanos) {
        if (messages < 2 || lastNanos <= firstNanos) {
            return Double.NaN;
        }
        return (messages - 1) * 1e9 / (lastNanos - firstNanos);
    }

    /**
     * Latency percentiles of one run.
     *
     * @param count how many round trips were timed
     * @param p50   median, nanoseconds
     * @param p99   99th percentile, nanoseconds
     * @param p999  99.9th percentile, nanoseconds
     * @param max   the largest, nanoseconds
     * @param mean  the mean, nanoseconds
     */
    public record Latency(long count, long p50, long p99, long p999, long max, double mean) {
        /**
         * @param nanos the timed round trips (not changed)
         * @return their percentiles
         * @throws IllegalArgumentException if there are none
         */
        public static Latency of(long[] nanos) {
            if (nanos.length == 0) {
                throw new IllegalArgumentException("no latencies");
            }
            long[] sorted = nanos.clone();
            Arrays.sort(sorted);
            double sum = 0;
            for (long n : sorted) {
                sum += n;
            }
            return new Latency(sorted.length, percentile(sorted, 500_000), percentile(sorted, 990_000),
                    percentile(sorted, 999_000), sorted[sorted.length - 1], sum / sorted.length);
        }
    }

    /**
     * Nearest-rank percentile: the smallest value such that at least {@code ppm} parts per million of all values are
     * at or below it. Integer arithmetic, the same as bench-ping's on the Hypha side (the probe bundle), so both sides'
     * percentiles agree exactly in definition (p99.9 is 999,000 ppm).
     *
     * @param sorted values in ascending order, at least one
     * @param ppm    the quantile in parts per million, 1 to 1,000,000
     * @return the percentile
     */
    public static long percentile(long[] sorted, long ppm) {
        if (sorted.length == 0 || ppm < 1 || ppm > 1_000_000) {
            throw new IllegalArgumentException("need values and 1 <= ppm <= 1000000, got " + sorted.length + " values and " + ppm);
        }
        long rank = (sorted.length * ppm + 999_999) / 1_000_000;
        return sorted[(int) rank - 1];
    }

    /** @return the median of the values (the mean of the middle two for an even count), {@code NaN} if there are none */
    public static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values.stream().filter(v -> !Double.isNaN(v)).toList());
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** @return {@code ours / bare}, {@code NaN} when either is missing or bare is 0 */
    public static double ratio(double ours, double bare) {
        if (Double.isNaN(ours) || Double.isNaN(bare) || bare == 0) {
            return Double.NaN;
        }
        return ours / bare;
    }

    /**
     * Parses a comma-separated list of nanoseconds (what {@code bench-ping latencies} answers and the bare client
     * writes).
     *
     * @return the values
     * @throws NumberFormatException if one is not a number
     */
    public static long[] parseNanos(String text) {
        String trimmed = text.trim();
        if (trimmed.isEmpty()) {
            return new long[0];
        }
        String[] parts = trimmed.split(",");
        long[] values = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            values[i] = Long.parseLong(parts[i].trim());
        }
        return values;
    }
}
