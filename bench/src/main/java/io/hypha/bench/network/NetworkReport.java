package io.hypha.bench.network;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * Turns {@link Results} into the Markdown report ({@code bench/results/network.md}): the targets table (Hypha, bare,
 * their ratio, the target and whether it is met), the receiving node's memory, every run, and the settings. An
 * optional hand-written analysis file is appended as it is.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.hypha.bench.network.NetworkReport network.json network.md [analysis.md]}.
 */
public final class NetworkReport {
    /** What a row of the targets table shows. */
    enum Metric {
        /** W1 messages per second at the receiver (higher is better). */
        RATE,
        /** W2 median round trip (lower is better). */
        P50,
        /** W2 99th percentile. */
        P99,
        /** W2 99.9th percentile. */
        P999,
        /** Runs completed out of runs made (Hypha's). */
        COMPLETED,
        /** CPU time of both processes per message or round trip (lower is better). */
        CPU
    }

    /**
     * One row of the targets table.
     *
     * @param transport {@code tls} or {@code quic}
     * @param label     the workload's {@link Phase#label()}
     * @param metric    what is compared
     * @param bound     the target ratio (Hypha / bare), or for {@link Metric#COMPLETED} unused; {@code NaN}: no target
     */
    record Row(String transport, String label, Metric metric, double bound) {
        boolean higherIsBetter() {
            return metric == Metric.RATE;
        }
    }

    /** The rows, with the targets of issue 3's Benchmark section. */
    static final List<Row> ROWS = List.of(
            new Row("tls", "W1 100 B", Metric.RATE, 0.5),
            new Row("tls", "W1 10 KiB", Metric.RATE, 0.7),
            new Row("tls", "W1 100 B, 2nd pass", Metric.RATE, Double.NaN),
            new Row("tls", "W2 100 B", Metric.P50, 2.0),
            new Row("tls", "W2 100 B", Metric.P99, Double.NaN),
            new Row("tls", "W2 100 B", Metric.P999, Double.NaN),
            new Row("quic", "W1 100 B", Metric.RATE, 0.8),
            new Row("quic", "W1 10 KiB", Metric.RATE, Double.NaN),
            new Row("quic", "W2 100 B", Metric.P50, Double.NaN),
            new Row("quic", "W2 100 B", Metric.P99, Double.NaN),
            new Row("quic", "W2 100 B", Metric.P999, Double.NaN),
            new Row("quic", "W1 100 B", Metric.COMPLETED, 1.0),
            new Row("quic", "W1 10 KiB", Metric.COMPLETED, 1.0),
            new Row("quic", "W2 100 B", Metric.COMPLETED, 1.0));

    private NetworkReport() {
    }

    /** @param args the JSON file, the Markdown file to write, and optionally an analysis file to append */
    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: NetworkReport <network.json> <network.md> [analysis.md]");
            System.exit(2);
        }
        Results results = Results.read(Path.of(args[0]));
        String analysis = args.length > 2 && Files.isRegularFile(Path.of(args[2]))
                ? Files.readString(Path.of(args[2]), StandardCharsets.UTF_8) : null;
        Files.writeString(Path.of(args[1]), markdown(results, analysis), StandardCharsets.UTF_8);
    }

    /**
     * The figure of one side for a row: the median over its completed runs (one run: that run).
     *
     * @return the value (messages/s, nanoseconds, or the completed fraction), {@code NaN} if no run completed
     */
    static double figure(List<RunResult> runs, String transport, String impl, String label, Metric metric) {
        List<RunResult> mine = runs.stream().filter(r -> r.transport().equals(transport) && r.impl().equals(impl)
                && r.phase().label().equals(label)).toList();
        if (metric == Metric.COMPLETED) {
            return mine.isEmpty() ? Double.NaN : (double) mine.stream().filter(RunResult::completed).count() / mine.size();
        }
        ToDoubleFunction<RunResult> value = switch (metric) {
            case RATE -> RunResult::rate;
            case P50 -> r -> r.latency() == null ? Double.NaN : r.latency().p50();
            case P99 -> r -> r.latency() == null ? Double.NaN : r.latency().p99();
            case P999 -> r -> r.latency() == null ? Double.NaN : r.latency().p999();
            case CPU -> RunResult::cpuMicros;
            case COMPLETED -> throw new IllegalStateException();
        };
        return Stats.median(mine.stream().filter(RunResult::completed).map(r -> value.applyAsDouble(r)).toList());
    }

    /**
     * @return "yes", "no", "n/a" (nothing to compare) or "" (no target) for a row whose sides have these figures
     */
    static String met(Row row, double ours, double bare) {
        if (Double.isNaN(row.bound())) {
            return "";
        }
        if (row.metric() == Metric.COMPLETED) {
            return Double.isNaN(ours) ? "n/a" : ours >= 1.0 ? "yes" : "**no**";
        }
        double ratio = Stats.ratio(ours, bare);
        if (Double.isNaN(ratio)) {
            return "n/a";
        }
        boolean ok = row.higherIsBetter() ? ratio >= row.bound() : ratio <= row.bound();
        return ok ? "yes" : "**no**";
    }

    /** @return the report */
    static String markdown(Results results, String analysis) {
        List<RunResult> runs = results.runs();
        Map<String, String> env = results.environment();
        StringBuilder md = new StringBuilder();
        md.append("# Node to node: Hypha beside bare Netty TLS and bare kwik QUIC\n\n");
        md.append("Two Hypha node processes (`./hypha --headless`, engine to engine through Router, session and transport) ")
                .append("against a bare connection between two JVMs with the same framing (varint-length-prefixed frames of the ")
                .append("payload size). Ratios are Hypha / bare, measured in the same run. ")
                .append(env.getOrDefault("mode", "")).append("\n\n");
        md.append("Measured ").append(env.getOrDefault("started", "?")).append(" on ").append(env.getOrDefault("cpus", "?"))
                .append(" cores, ").append(env.getOrDefault("java", "?")).append("; 1-minute load average during the run ")
                .append(env.getOrDefault("load", "?")).append(" (the machine is shared: see Settings).\n\n");
        if (env.containsKey("caution")) {
            md.append("**Caution**: ").append(env.get("caution")).append(".\n\n");
        }

        md.append("| Workload | Transport | Hypha | Bare | Hypha / bare | Target | Met? |\n");
        md.append("|---|---|---:|---:|---:|---|---|\n");
        for (Row row : ROWS) {
            if (runs.stream().noneMatch(r -> r.transport().equals(row.transport()) && r.phase().label().equals(row.label()))) {
                continue;
            }
            double ours = figure(runs, row.transport(), RunResult.HYPHA, row.label(), row.metric());
            double bare = figure(runs, row.transport(), RunResult.BARE, row.label(), row.metric());
            md.append("| ").append(workload(row, runs)).append(" | ").append(row.transport().toUpperCase(Locale.ROOT))
                    .append(" | ").append(value(row, runs, RunResult.HYPHA, ours)).append(" | ")
                    .append(value(row, runs, RunResult.BARE, bare)).append(" | ")
                    .append(row.metric() == Metric.COMPLETED ? "" : ratio(Stats.ratio(ours, bare))).append(" | ")
                    .append(target(row, runs)).append(" | ").append(met(row, ours, bare)).append(" |\n");
        }
        md.append('\n');

        memory(md, runs, env);
        cpu(md, runs);
        allRuns(md, runs);
        md.append("## Settings and method\n\n");
        env.forEach((k, v) -> md.append("- **").append(k).append("**: ").append(v).append('\n'));
        md.append('\n');
        if (analysis != null && !analysis.isBlank()) {
            md.append(analysis.strip()).append('\n');
        }
        return md.toString();
    }

    private static String workload(Row row, List<RunResult> runs) {
        long count = runs.stream().filter(r -> r.transport().equals(row.transport()) && r.phase().label().equals(row.label()))
                .mapToLong(r -> r.phase().count()).max().orElse(0);
        long rounds = runs.stream().filter(r -> r.transport().equals(row.transport()) && r.impl().equals(RunResult.HYPHA)
                && r.phase().label().equals(row.label())).count();
        String median = rounds > 1 ? ", median of completed runs" : "";
        return switch (row.metric()) {
            case RATE -> row.label() + " one way, " + String.format(Locale.ROOT, "%,d", count) + " msgs (msg/s at receiver" + median + ")";
            case P50 -> row.label() + " ping-pong, " + String.format(Locale.ROOT, "%,d", count) + " round trips: p50 (µs" + median + ")";
            case P99 -> row.label() + " ping-pong: p99 (µs" + median + ")";
            case P999 -> row.label() + " ping-pong: p99.9 (µs" + median + ")";
            case COMPLETED -> row.label() + ": runs completed";
            case CPU -> row.label() + ": CPU µs per message";
        };
    }

    private static String value(Row row, List<RunResult> runs, String impl, double figure) {
        if (row.metric() == Metric.COMPLETED) {
            List<RunResult> mine = runs.stream().filter(r -> r.transport().equals(row.transport()) && r.impl().equals(impl)
                    && r.phase().label().equals(row.label())).toList();
            return mine.stream().filter(RunResult::completed).count() + "/" + mine.size();
        }
        if (Double.isNaN(figure)) {
            return "none completed";
        }
        return row.metric() == Metric.RATE ? String.format(Locale.ROOT, "%,.0f", figure)
                : String.format(Locale.ROOT, "%,.1f", figure / 1e3);
    }

    private static String ratio(double ratio) {
        return Double.isNaN(ratio) ? "n/a" : String.format(Locale.ROOT, "%.2f", ratio);
    }

    private static String target(Row row, List<RunResult> runs) {
        if (Double.isNaN(row.bound())) {
            return "";
        }
        if (row.metric() == Metric.COMPLETED) {
            long n = runs.stream().filter(r -> r.transport().equals(row.transport()) && r.impl().equals(RunResult.HYPHA)
                    && r.phase().label().equals(row.label())).count();
            return n + "/" + n;
        }
        return (row.higherIsBetter() ? "≥ " : "≤ ") + String.format(Locale.ROOT, "%.1f", row.bound()) + "x bare";
    }

    private static void memory(StringBuilder md, List<RunResult> runs, Map<String, String> env) {
        List<RunResult> measured = runs.stream().filter(r -> r.heapAfterGcKiB() >= 0).toList();
        if (measured.isEmpty()) {
            return;
        }
        md.append("## Memory of the receiving node\n\n");
        md.append("Heap used after a full GC (`jcmd <pid> GC.run`, then `GC.heap_info`) at the end of each W1 run, in the ")
                .append("receiving node (").append(env.getOrDefault("node heap", "?")).append("; ")
                .append(env.getOrDefault("receiver mailbox", "")).append(").\n\n");
        md.append("| Transport | Workload | Runs | Heap after GC: min | max |\n|---|---|---:|---:|---:|\n");
        Set<String> keys = new LinkedHashSet<>();
        measured.forEach(r -> keys.add(r.transport() + "\u0000" + r.phase().label()));
        for (String key : keys) {
            String[] parts = key.split("\u0000");
            List<RunResult> rs = measured.stream().filter(r -> r.transport().equals(parts[0]) && r.phase().label().equals(parts[1])).toList();
            long min = rs.stream().mapToLong(RunResult::heapAfterGcKiB).min().orElse(0);
            long max = rs.stream().mapToLong(RunResult::heapAfterGcKiB).max().orElse(0);
            md.append("| ").append(parts[0].toUpperCase(Locale.ROOT)).append(" | ").append(parts[1]).append(" | ").append(rs.size())
                    .append(" | ").append(mib(min)).append(" | ").append(mib(max)).append(" |\n");
        }
        md.append('\n');
    }

    private static void cpu(StringBuilder md, List<RunResult> runs) {
        Set<String> keys = new LinkedHashSet<>();
        runs.stream().filter(r -> !Double.isNaN(r.cpuMicros())).forEach(r -> keys.add(r.transport() + "\u0000" + r.phase().label()));
        if (keys.isEmpty()) {
            return;
        }
        md.append("## CPU per message\n\n");
        md.append("CPU time (user + system) of both processes together during the run, warm-up, JIT compilation and GC ")
                .append("included, divided by the messages (W1) or round trips (W2) of the run, median of completed runs. Both ")
                .append("processes share the machine's cores, so on a busy machine throughput is roughly the CPU it can ")
                .append("spare divided by this.\n\n");
        md.append("| Transport | Workload | Hypha µs | Bare µs | Hypha / bare |\n|---|---|---:|---:|---:|\n");
        for (String key : keys) {
            String[] parts = key.split("\u0000");
            double ours = figure(runs, parts[0], RunResult.HYPHA, parts[1], Metric.CPU);
            double bare = figure(runs, parts[0], RunResult.BARE, parts[1], Metric.CPU);
            md.append("| ").append(parts[0].toUpperCase(Locale.ROOT)).append(" | ").append(parts[1]).append(" | ")
                    .append(micros(ours)).append(" | ").append(micros(bare)).append(" | ").append(ratio(Stats.ratio(ours, bare)))
                    .append(" |\n");
        }
        md.append('\n');
    }

    private static String micros(double value) {
        return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, "%.2f", value);
    }

    private static String mib(long kib) {
        return String.format(Locale.ROOT, "%.1f MiB", kib / 1024.0);
    }

    private static void allRuns(StringBuilder md, List<RunResult> runs) {
        md.append("## Every run\n\n");
        md.append("| Transport | Side | Round | Workload | Outcome | Result | Wire bytes/msg | CPU µs/msg | Wall time | Note |\n");
        md.append("|---|---|---:|---|---|---:|---:|---:|---:|---|\n");
        List<RunResult> sorted = new ArrayList<>(runs);
        for (RunResult r : sorted) {
            String result;
            if (r.phase().kind() == Phase.Kind.W1) {
                result = Double.isNaN(r.rate()) ? "" : String.format(Locale.ROOT, "%,.0f msg/s", r.rate());
            } else {
                result = r.latency() == null ? "" : String.format(Locale.ROOT, "p50 %.1f / p99 %.1f / p99.9 %.1f µs",
                        r.latency().p50() / 1e3, r.latency().p99() / 1e3, r.latency().p999() / 1e3);
            }
            if (!r.completed()) {
                result = (result.isEmpty() ? "" : result + ", ") + String.format(Locale.ROOT, "%,d of %,d done", r.progress(), r.phase().total());
            }
            md.append("| ").append(r.transport().toUpperCase(Locale.ROOT)).append(" | ").append(r.impl()).append(" | ")
                    .append(r.round()).append(" | ").append(r.phase().label()).append(" | ").append(r.outcome()).append(" | ")
                    .append(result).append(" | ")
                    .append(Double.isNaN(r.wireBytes()) ? "" : String.format(Locale.ROOT, "%.0f", r.wireBytes())).append(" | ")
                    .append(Double.isNaN(r.cpuMicros()) ? "" : String.format(Locale.ROOT, "%.2f", r.cpuMicros())).append(" | ")
                    .append(Double.isNaN(r.seconds()) ? "" : String.format(Locale.ROOT, "%.1f s", r.seconds())).append(" | ")
                    .append(r.note().replace("|", "\\|")).append(" |\n");
        }
        md.append('\n');
    }
}
