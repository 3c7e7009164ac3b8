package io.hypha.bench;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Turns JMH's JSON result file into the Markdown table the README quotes: for each workload and metric the Hypha
 * score, the Pekko score, their ratio and which side is better, followed by the machine and settings of the run.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.hypha.bench.Report results/local.json results/local.md}.
 */
public final class Report {
    /** The percentiles of a sampled-time result that the table shows. */
    private static final double[] PERCENTILES = {50.0, 99.0, 99.9};
    /** The order of the table's sections. */
    private static final List<String> WORKLOAD_ORDER = List.of("TellOneToOne", "TellFourToOne", "RequestReply");

    private Report() {
    }

    /**
     * One benchmark result of the JSON file.
     *
     * @param workload    the benchmark class's simple name (for example {@code TellOneToOne})
     * @param impl        the {@code impl} parameter, {@code hypha} or {@code pekko}
     * @param mode        JMH's mode: {@code thrpt}, {@code avgt}, {@code sample} or {@code ss}
     * @param threads     benchmark threads
     * @param score       the primary score
     * @param error       its 99.9% confidence half-width, {@code NaN} when JMH could not compute one
     * @param unit        the score's unit, for example {@code ops/s} or {@code us/op}
     * @param percentiles the score's percentiles (keys 0-100); empty unless sampled
     * @param allocPerOp  bytes allocated per operation (JMH's {@code -prof gc}), {@code NaN} when not profiled
     * @param best        the best measurement iteration of a throughput result (the highest), {@code NaN} for others
     */
    public record Result(String workload, String impl, String mode, int threads, double score, double error,
                         String unit, Map<Double, Double> percentiles, double allocPerOp, double best) {
        /** @return whether a higher score is better (throughput) rather than a lower one (time) */
        public boolean higherIsBetter() {
            return mode.equals("thrpt");
        }
    }

    /**
     * How the run was made, as JMH recorded it (taken from the first result).
     *
     * @param jdkVersion   the JDK version
     * @param vmName       the VM's name
     * @param vmVersion    the VM's version
     * @param jmhVersion   JMH's version
     * @param jvmArgs      the forked JVMs' arguments
     * @param forks        forks per benchmark
     * @param warmup       warm-up iterations and time, as {@code 3 x 2 s}
     * @param measurement  measurement iterations and time
     */
    public record Run(String jdkVersion, String vmName, String vmVersion, String jmhVersion, String jvmArgs, int forks,
                      String warmup, String measurement) {
    }

    /**
     * The parsed file.
     *
     * @param results every result, in file order
     * @param run     how the run was made; {@code null} if the file holds no result
     */
    public record Parsed(List<Result> results, Run run) {
    }

    /**
     * Reads a JMH JSON result file ({@code -rf json}).
     *
     * @param json the file's text
     * @return its results
     * @throws jakarta.json.JsonException if the text is not JSON, or not an array
     * @throws IllegalArgumentException     if an entry of the array is not a JMH result
     */
    public static Parsed parse(Reader json) {
        JsonArray array;
        try (JsonReader reader = Json.createReader(json)) {
            array = reader.readArray();
        }
        List<Result> results = new ArrayList<>();
        Run run = null;
        for (JsonValue value : array) {
            JsonObject o = value.asJsonObject();
            for (String key : List.of("benchmark", "mode", "primaryMetric")) {
                if (!o.containsKey(key)) {
                    throw new IllegalArgumentException("not a JMH result: entry " + results.size() + " has no '" + key + "'");
                }
            }
            String benchmark = o.getString("benchmark");
            String[] parts = benchmark.split("\\.");
            String workload = parts.length >= 2 ? parts[parts.length - 2] : benchmark;
            JsonObject params = o.getJsonObject("params");
            String impl = params != null && params.containsKey("impl") ? params.getString("impl") : "?";
            JsonObject primary = o.getJsonObject("primaryMetric");
            Map<Double, Double> percentiles = new TreeMap<>();
            JsonObject pct = primary.getJsonObject("scorePercentiles");
            if (pct != null && o.getString("mode").equals("sample")) {
                pct.forEach((k, v) -> percentiles.put(Double.valueOf(k), number(v)));
            }
            double alloc = Double.NaN;
            JsonObject secondary = o.getJsonObject("secondaryMetrics");
            if (secondary != null) {
                for (Map.Entry<String, JsonValue> e : secondary.entrySet()) {
                    if (e.getKey().endsWith("gc.alloc.rate.norm")) {
                        alloc = number(e.getValue().asJsonObject().get("score"));
                    }
                }
            }
            double best = Double.NaN;
            if (o.getString("mode").equals("thrpt") && primary.get("rawData") instanceof JsonArray forks) {
                for (JsonValue fork : forks) {
                    for (JsonValue iteration : fork.asJsonArray()) {
                        double v = number(iteration);
                        best = Double.isNaN(best) ? v : Math.max(best, v);
                    }
                }
            }
            results.add(new Result(workload, impl, o.getString("mode"), o.getInt("threads", 1),
                    number(primary.get("score")), number(primary.get("scoreError")), primary.getString("scoreUnit"),
                    percentiles, alloc, best));
            if (run == null) {
                run = new Run(o.getString("jdkVersion", "?"), o.getString("vmName", "?"), o.getString("vmVersion", "?"),
                        o.getString("jmhVersion", "?"), String.join(" ", strings(o.get("jvmArgs"))), o.getInt("forks", 0),
                        o.getInt("warmupIterations", 0) + " x " + o.getString("warmupTime", "?"),
                        o.getInt("measurementIterations", 0) + " x " + o.getString("measurementTime", "?"));
            }
        }
        return new Parsed(List.copyOf(results), run);
    }

    /**
     * Writes the Markdown report.
     *
     * @param parsed   the results
     * @param machine  lines describing the machine (CPU, cores, OS)
     * @param versions the versions under test ({@code hypha.version}, {@code pekko.version})
     * @return the Markdown text
     */
    public static String render(Parsed parsed, List<String> machine, Properties versions) {
        StringBuilder md = new StringBuilder();
        md.append("# Local engine runtime: Hypha beside Apache Pekko\n\n");
        md.append("Same work on both sides in one JMH run (see `bench/README.md` for what each workload does). ")
                .append("The last column says which side is better and by how much: for throughput a higher score ")
                .append("is better, for latency and allocation a lower one.\n\n");
        md.append("| Workload | Metric | Unit | Hypha | Pekko | Hypha/Pekko | Verdict |\n");
        md.append("|---|---|---|---:|---:|---:|---|\n");
        // Known workloads first, in the README's order; JMH runs (and writes) them alphabetically.
        Map<String, Map<String, Result>> byWorkload = new LinkedHashMap<>();
        for (String known : WORKLOAD_ORDER) {
            for (Result r : parsed.results()) {
                if (r.workload().equals(known)) {
                    byWorkload.computeIfAbsent(r.workload(), k -> new LinkedHashMap<>()).put(r.impl(), r);
                }
            }
        }
        for (Result r : parsed.results()) {
            byWorkload.computeIfAbsent(r.workload(), k -> new LinkedHashMap<>()).putIfAbsent(r.impl(), r);
        }
        for (Map.Entry<String, Map<String, Result>> e : byWorkload.entrySet()) {
            Result h = e.getValue().get(ActorRuntime.HYPHA);
            Result p = e.getValue().get(ActorRuntime.PEKKO);
            Result any = h != null ? h : p;
            String label = label(e.getKey(), any);
            rows(md, label, h, p, any);
        }
        md.append("\nA result missing from the JSON file (a failed trial) shows as `-`. Verdicts whose confidence ")
                .append("intervals (99.9%, JMH's ±) overlap say so. On a machine shared with other work (see the load ")
                .append("average below) the means spread widely; the best iteration (throughput) and the median (latency) ")
                .append("are the figures least disturbed by it.\n\n");
        md.append("## Machine and settings\n\n");
        for (String line : machine) {
            md.append("- ").append(line).append('\n');
        }
        Run run = parsed.run();
        if (run != null) {
            md.append("- JVM: ").append(run.vmName()).append(' ').append(run.vmVersion())
                    .append(" (JDK ").append(run.jdkVersion()).append("), arguments `").append(run.jvmArgs()).append("`\n");
            md.append("- JMH ").append(run.jmhVersion()).append(": ").append(run.forks()).append(run.forks() == 1 ? " fork" : " forks").append(" per benchmark and side, warm-up ")
                    .append(run.warmup()).append(", measurement ").append(run.measurement()).append('\n');
        }
        md.append("- Hypha ").append(versions.getProperty("hypha.version", "?")).append(": ").append(ActorRuntime.setup(ActorRuntime.HYPHA)).append('\n');
        md.append("- Apache Pekko ").append(versions.getProperty("pekko.version", "?")).append(": ").append(ActorRuntime.setup(ActorRuntime.PEKKO)).append('\n');
        md.append("\nReproduce: `bench/run.sh` (after `mvn install -DskipTests` at the root).\n");
        return md.toString();
    }

    private static void rows(StringBuilder md, String label, Result h, Result p, Result any) {
        String unit = unit(any);
        boolean higher = any.higherIsBetter();
        String metric = switch (any.mode()) {
            case "thrpt" -> "throughput";
            case "sample", "avgt" -> "mean";
            case "ss" -> "single shot";
            default -> any.mode();
        };
        row(md, label, metric, unit, h == null ? Double.NaN : h.score(), h == null ? Double.NaN : h.error(),
                p == null ? Double.NaN : p.score(), p == null ? Double.NaN : p.error(), higher);
        if (any.mode().equals("thrpt")) {
            // Other processes on the machine only ever slow an iteration down: the best one is the least disturbed.
            row(md, label, "best iteration", unit, h == null ? Double.NaN : h.best(), Double.NaN,
                    p == null ? Double.NaN : p.best(), Double.NaN, true);
        }
        if (any.mode().equals("sample")) {
            for (double q : PERCENTILES) {
                row(md, label, "p" + trim(q), unit, pct(h, q), Double.NaN, pct(p, q), Double.NaN, false);
            }
        }
        double ha = h == null ? Double.NaN : h.allocPerOp();
        double pa = p == null ? Double.NaN : p.allocPerOp();
        if (!Double.isNaN(ha) || !Double.isNaN(pa)) {
            row(md, label, "allocated", any.workload().startsWith("Tell") ? "B/msg" : "B/op", ha, Double.NaN, pa, Double.NaN, false);
        }
    }

    private static void row(StringBuilder md, String label, String metric, String unit, double h, double he,
                            double p, double pe, boolean higherIsBetter) {
        String ratio = Double.isNaN(h) || Double.isNaN(p) || p == 0 ? "-" : String.format(Locale.ROOT, "%.2f", h / p);
        md.append("| ").append(label).append(" | ").append(metric).append(" | ").append(unit).append(" | ")
                .append(value(h, he)).append(" | ").append(value(p, pe)).append(" | ").append(ratio).append(" | ")
                .append(verdict(h, he, p, pe, higherIsBetter)).append(" |\n");
    }

    /**
     * @return "Hypha 1.52x better", "Hypha 1.20x worse", "equal" or "within error"
     */
    static String verdict(double h, double he, double p, double pe, boolean higherIsBetter) {
        if (Double.isNaN(h) || Double.isNaN(p)) {
            return "-";
        }
        if (h == p) {
            return "equal";
        }
        boolean hyphaBetter = higherIsBetter ? h > p : h < p;
        double factor = hyphaBetter == higherIsBetter ? h / p : p / h;
        if (h == 0 || p == 0) {
            return hyphaBetter ? "Hypha better" : "Pekko better";
        }
        String text = String.format(Locale.ROOT, "%s %.2fx better", hyphaBetter ? "Hypha" : "Pekko", factor);
        boolean overlap = !Double.isNaN(he) && !Double.isNaN(pe) && Math.abs(h - p) <= he + pe;
        return overlap ? text + " (within error)" : text;
    }

    private static String label(String workload, Result r) {
        return switch (workload) {
            case "TellOneToOne" -> "tell, 1 sender -> 1 receiver";
            case "TellFourToOne" -> "tell, " + r.threads() + " senders -> 1 receiver";
            case "RequestReply" -> "request/reply, 1 in flight";
            default -> workload;
        };
    }

    /** Messages instead of JMH's operations where an operation is one message. */
    private static String unit(Result r) {
        String unit = r.unit().replace("us/", "µs/");
        return r.workload().startsWith("Tell") ? unit.replace("ops/", "msg/") : unit;
    }

    private static double pct(Result r, double q) {
        if (r == null) {
            return Double.NaN;
        }
        Double v = r.percentiles().get(q);
        return v == null ? Double.NaN : v;
    }

    private static String value(double v, double error) {
        if (Double.isNaN(v)) {
            return "-";
        }
        String s = format(v);
        return Double.isNaN(error) ? s : s + " ± " + format(error);
    }

    /** Large numbers with thousands separators, small ones with three significant digits. */
    static String format(double v) {
        double a = Math.abs(v);
        if (a >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private static String trim(double q) {
        return q == Math.rint(q) ? String.valueOf((long) q) : String.valueOf(q);
    }

    private static double number(JsonValue v) {
        if (v instanceof JsonNumber n) {
            return n.doubleValue();
        }
        // JMH writes "NaN" as a string when it has no error estimate.
        return Double.NaN;
    }

    private static List<String> strings(JsonValue v) {
        if (v instanceof JsonArray a) {
            return a.getValuesAs(JsonValue.class).stream()
                    .map(x -> x.getValueType() == JsonValue.ValueType.STRING ? ((jakarta.json.JsonString) x).getString() : x.toString())
                    .toList();
        }
        return List.of();
    }

    /** @return CPU model, cores, memory and OS of the machine this runs on (where the benchmarks ran) */
    static List<String> machine() {
        List<String> lines = new ArrayList<>();
        String cpu = "?";
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (Files.isReadable(cpuinfo)) {
            try (Stream<String> s = Files.lines(cpuinfo)) {
                cpu = s.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).trim())
                        .findFirst().orElse("?");
            } catch (IOException | UncheckedIOException e) {
                cpu = "? (" + e.getClass().getSimpleName() + ")";
            }
        }
        lines.add("CPU: " + cpu + ", " + Runtime.getRuntime().availableProcessors() + " cores available to the JVM");
        lines.add("OS: " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        Path loadavg = Path.of("/proc/loadavg");
        if (Files.isReadable(loadavg)) {
            try {
                String[] load = Files.readString(loadavg).trim().split("\\s+");
                lines.add("Load average when the report was written (1, 5, 15 min): " + load[0] + ", " + load[1] + ", " + load[2]
                        + "; above " + Runtime.getRuntime().availableProcessors()
                        + " means other processes shared the cores during the run, and the errors grow accordingly");
            } catch (IOException | ArrayIndexOutOfBoundsException e) {
                lines.add("Load average: unknown (" + e.getClass().getSimpleName() + ")");
            }
        }
        return lines;
    }

    /**
     * Reads a JMH JSON file and writes the Markdown report.
     *
     * @param args the JSON file and the Markdown file to write
     * @throws IOException if a file cannot be read or written
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: java -cp benchmarks.jar io.hypha.bench.Report <jmh-result.json> <report.md>");
            System.exit(2);
        }
        Path json = Path.of(args[0]);
        if (!Files.isReadable(json)) {
            System.err.println("no JMH result file at " + json + "; run the benchmarks with -rf json -rff " + json);
            System.exit(1);
        }
        Parsed parsed;
        try (Reader in = Files.newBufferedReader(json, StandardCharsets.UTF_8)) {
            parsed = parse(in);
        }
        Properties versions = new Properties();
        try (InputStream in = Report.class.getResourceAsStream("/bench-versions.properties")) {
            if (in != null) {
                versions.load(in);
            }
        }
        String md = render(parsed, machine(), versions);
        Path out = Path.of(args[1]);
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        Files.writeString(out, md, StandardCharsets.UTF_8);
        System.out.print(md);
    }
}
