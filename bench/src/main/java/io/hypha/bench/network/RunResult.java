package io.hypha.bench.network;

/**
 * One workload run on one side.
 *
 * @param transport      {@code tls} or {@code quic}
 * @param impl           {@link #HYPHA} (two node processes) or {@link #BARE} (bare Netty or kwik, two JVMs)
 * @param round          which round of this transport (from 1); each round starts fresh processes
 * @param phase          the workload
 * @param outcome        how it ended
 * @param progress       messages (W1) or round trips (W2) done, warm-up included
 * @param rate           W1: messages per second at the receiver; {@code NaN} otherwise
 * @param latency        W2: the round trips' percentiles; {@code null} otherwise
 * @param heapAfterGcKiB W1 on Hypha: the receiving node's used heap after a full GC at the end of the run, KiB; -1 if
 *                       not measured
 * @param wireBytes      bytes per message on the wire as the receiver counts them (frames with their headers: for Hypha
 *                       the transport's frame bytes, for the bare baselines payload plus prefix); {@code NaN} if unknown
 * @param seconds        wall time of the run as the driver saw it, warm-up included
 * @param cpuMicros      CPU time (user + system) of both processes together during the run, warm-up, JIT and GC
 *                       included, per message (W1) or round trip (W2), in microseconds; {@code NaN} if unknown
 * @param note           what went wrong, or settings worth showing; empty if nothing
 */
public record RunResult(String transport, String impl, int round, Phase phase, Outcome outcome, long progress, double rate,
                        Stats.Latency latency, long heapAfterGcKiB, double wireBytes, double seconds, double cpuMicros,
                        String note) {
    /** {@link #impl} of the Hypha side. */
    public static final String HYPHA = "hypha";
    /** {@link #impl} of the bare baselines. */
    public static final String BARE = "bare";

    /** How a run ended. */
    public enum Outcome {
        /** Every message or round trip done. */
        COMPLETED,
        /** Nothing moved for the stall limit; ended there. */
        STALLED,
        /** Still moving, but past the run's time limit. */
        TIMEOUT,
        /** A process died or a command failed. */
        FAILED
    }

    /** @return whether every message or round trip was done */
    public boolean completed() {
        return outcome == Outcome.COMPLETED;
    }

    /** @return a failed run of {@code phase} with why */
    static RunResult failed(String transport, String impl, int round, Phase phase, Outcome outcome, long progress,
                            double seconds, String note) {
        return new RunResult(transport, impl, round, phase, outcome, progress, Double.NaN, null, -1, Double.NaN, seconds,
                Double.NaN, note);
    }

    /** @return this result with the CPU time per message or round trip */
    RunResult withCpu(double micros) {
        return new RunResult(transport, impl, round, phase, outcome, progress, rate, latency, heapAfterGcKiB, wireBytes, seconds,
                micros, note);
    }

    /** @return one line for the driver's log */
    public String summary() {
        String figure = phase.kind() == Phase.Kind.W1
                ? (Double.isNaN(rate) ? "" : String.format(java.util.Locale.ROOT, " %,.0f msg/s", rate))
                : (latency == null ? "" : String.format(java.util.Locale.ROOT, " p50 %.1f us p99 %.1f us p999 %.1f us",
                        latency.p50() / 1e3, latency.p99() / 1e3, latency.p999() / 1e3));
        return String.format(java.util.Locale.ROOT, "%-4s %-5s round %2d %-20s %-9s%s (%.1f s%s)%s%s", transport, impl, round,
                phase.label(), outcome, figure, seconds, Double.isNaN(cpuMicros) ? "" : String.format(java.util.Locale.ROOT,
                        ", CPU %.2f us each", cpuMicros),
                heapAfterGcKiB >= 0 ? ", heap after GC " + heapAfterGcKiB / 1024 + " MiB" : "",
                note.isEmpty() ? "" : " [" + note + "]");
    }
}
