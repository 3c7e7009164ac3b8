package io.hypha.bench.network;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One round on the Hypha side: two fresh node processes ({@code sender}, {@code receiver}) with the probe bundle
 * (engines bench-source, bench-sink, bench-ping), the sender connected to the receiver over one scheme, then every
 * phase in order. W1: bench-source on the sender streams to bench-sink on the receiver, which times the arrivals;
 * W2: bench-ping on the sender pings bench-ping on the receiver and times the round trips. The driver waits with the
 * engines' {@code await} command (one console command every {@value #AWAIT_MILLIS} ms, not a poll loop) and ends a
 * run in which nothing arrives for the stall limit.
 */
final class HyphaRound {
    static final List<String> ENGINES = List.of("bench-source", "bench-sink", "bench-ping");
    static final long AWAIT_MILLIS = 10_000;
    private static final Duration ASK_TIMEOUT = Duration.ofMillis(AWAIT_MILLIS + 30_000);
    private static final Duration START_DEADLINE = Duration.ofSeconds(120);
    private static final Pattern STARTED = Pattern.compile("started run ([0-9a-f]+):");

    private final Settings settings;
    private final Path script;
    private final Path probe;
    private final Path dir;
    private final String scheme;
    private final int round;
    private final Consumer<RunResult> report;

    /**
     * @param settings the benchmark's settings
     * @param script   the {@code hypha} script of the distribution
     * @param probe    the probe bundle
     * @param dir      where the round's nodes keep their data
     * @param scheme   {@code tls} or {@code quic}
     * @param round    the round's number
     * @param report   told of each result as it comes
     */
    HyphaRound(Settings settings, Path script, Path probe, Path dir, String scheme, int round, Consumer<RunResult> report) {
        this.settings = settings;
        this.script = script;
        this.probe = probe;
        this.dir = dir;
        this.scheme = scheme;
        this.round = round;
        this.report = report;
    }

    /** @return a result for every phase, in order */
    List<RunResult> run(List<Phase> phases) throws IOException {
        List<RunResult> results = new ArrayList<>();
        String opts = (settings.heap() + " " + settings.nodeJavaOpts()).trim();
        List<String> runtime = List.of("mailboxCapacity=" + settings.mailboxCapacity());
        HyphaNode sender = HyphaNode.launch("sender", script, dir.resolve("sender"), scheme, opts, runtime);
        HyphaNode receiver = HyphaNode.launch("receiver", script, dir.resolve("receiver"), scheme, opts, runtime);
        try {
            sender.awaitReady(probe, ENGINES, START_DEADLINE);
            receiver.awaitReady(probe, ENGINES, START_DEADLINE);
            String target = receiver.id();
            sender.execOk("hypha:connect " + receiver.listenAddress());
            long end = System.nanoTime() + START_DEADLINE.toNanos();
            while (!sender.execOk("hypha:peers").lines().anyMatch(l -> l.startsWith(target) && l.contains("CONNECTED"))) {
                if (System.nanoTime() > end) {
                    throw new BenchException("the sender did not connect to the receiver over " + scheme);
                }
                HyphaNode.sleep(200);
            }
            for (Phase phase : phases) {
                RunResult r;
                long start = System.nanoTime();
                try {
                    r = phase.kind() == Phase.Kind.W1 ? w1(phase, sender, receiver, target) : w2(phase, sender, receiver, target);
                } catch (BenchException e) {
                    r = RunResult.failed(scheme, RunResult.HYPHA, round, phase, RunResult.Outcome.FAILED, 0,
                            (System.nanoTime() - start) / 1e9, e.getMessage());
                }
                results.add(r);
                report.accept(r);
            }
        } catch (BenchException e) {
            for (Phase phase : phases.subList(results.size(), phases.size())) {
                RunResult r = RunResult.failed(scheme, RunResult.HYPHA, round, phase, RunResult.Outcome.FAILED, 0, Double.NaN,
                        e.getMessage());
                results.add(r);
                report.accept(r);
            }
        } finally {
            Thread stopSender = new Thread(sender::close);
            stopSender.start();
            receiver.close();
            try {
                stopSender.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return results;
    }

    private RunResult w1(Phase phase, HyphaNode sender, HyphaNode receiver, String target) throws BenchException {
        long[] wireBefore = wireIn(receiver);
        long cpuBefore = cpu(sender, receiver);
        long start = System.nanoTime();
        String started = sender.ask("bench-source", "start " + target + " " + phase.total() + " size=" + phase.size()
                + " warmup=" + phase.warmup() + " window=" + settings.window(phase) + " credit=" + settings.credit(phase), ASK_TIMEOUT);
        Matcher m = STARTED.matcher(started);
        if (!m.find()) {
            throw new BenchException("bench-source did not start: " + started);
        }
        String run = m.group(1);
        Wait wait = new Wait(start, settings, phase);
        Map<String, String> sink;
        while (true) {
            receiver.assertAlive();
            sender.assertAlive();
            sink = pairs(receiver.ask("bench-sink", "await " + AWAIT_MILLIS, ASK_TIMEOUT));
            boolean ours = run.equals(sink.get("run"));
            long received = ours ? Long.parseLong(sink.getOrDefault("received", "0")) : 0;
            if (ours && "DONE".equals(sink.get("state"))) {
                break;
            }
            RunResult.Outcome ended = wait.check(received);
            if (ended != null) {
                Map<String, String> source = pairs(sender.ask("bench-source", "stop", ASK_TIMEOUT));
                return RunResult.failed(scheme, RunResult.HYPHA, round, phase, ended, received, wait.seconds(),
                        "source: " + source.getOrDefault("sent", "?") + " sent, refused " + source.getOrDefault("refused", "?"));
            }
        }
        double seconds = wait.seconds();
        double cpu = cpuMicros(cpuBefore, cpu(sender, receiver), phase);
        long heap = receiver.heapAfterGcKiB();
        long[] wireAfter = wireIn(receiver);
        double wireBytes = wireAfter[0] > wireBefore[0]
                ? (double) (wireAfter[1] - wireBefore[1]) / (wireAfter[0] - wireBefore[0]) : Double.NaN;
        double rate = Stats.rate(phase.count(), Long.parseLong(sink.get("firstNanos")), Long.parseLong(sink.get("lastNanos")));
        String note = "";
        if (!"0".equals(sink.get("duplicates")) || !"0".equals(sink.get("outOfOrder")) || !"0".equals(sink.get("corrupt"))) {
            note = "sink: duplicates " + sink.get("duplicates") + ", out of order " + sink.get("outOfOrder") + ", corrupt "
                    + sink.get("corrupt");
        }
        return new RunResult(scheme, RunResult.HYPHA, round, phase, RunResult.Outcome.COMPLETED, phase.total(), rate, null,
                heap, wireBytes, seconds, cpu, note);
    }

    private RunResult w2(Phase phase, HyphaNode sender, HyphaNode receiver, String target) throws BenchException {
        long cpuBefore = cpu(sender, receiver);
        long start = System.nanoTime();
        String started = sender.ask("bench-ping", "start " + target + " " + phase.total() + " size=" + phase.size() + " warmup="
                + phase.warmup(), ASK_TIMEOUT);
        Matcher m = STARTED.matcher(started);
        if (!m.find()) {
            throw new BenchException("bench-ping did not start: " + started);
        }
        Wait wait = new Wait(start, settings, phase);
        Map<String, String> status;
        while (true) {
            sender.assertAlive();
            status = pairs(sender.ask("bench-ping", "await " + AWAIT_MILLIS, ASK_TIMEOUT));
            long done = m.group(1).equals(status.get("run")) ? Long.parseLong(status.getOrDefault("done", "0")) : 0;
            if (m.group(1).equals(status.get("run")) && "DONE".equals(status.get("state"))) {
                break;
            }
            RunResult.Outcome ended = wait.check(done);
            if (ended != null) {
                return RunResult.failed(scheme, RunResult.HYPHA, round, phase, ended, done, wait.seconds(), "");
            }
        }
        double seconds = wait.seconds();
        double cpu = cpuMicros(cpuBefore, cpu(sender, receiver), phase);
        // bench-ping computes the percentiles itself (same nearest-rank definition as Stats): the console shows at most
        // 2,000 characters of a reply, too few for 20,000 raw values.
        Stats.Latency latency;
        try {
            latency = new Stats.Latency(phase.count(), Long.parseLong(status.get("p50Nanos")), Long.parseLong(status.get("p99Nanos")),
                    Long.parseLong(status.get("p999Nanos")), Long.parseLong(status.get("maxNanos")),
                    Double.parseDouble(status.get("meanNanos")));
        } catch (RuntimeException e) {
            throw new BenchException("bench-ping's status has no percentiles: " + status);
        }
        return new RunResult(scheme, RunResult.HYPHA, round, phase, RunResult.Outcome.COMPLETED, phase.total(), Double.NaN,
                latency, -1, Double.NaN, seconds, cpu, "");
    }

    /** @return both nodes' CPU time so far in nanoseconds, -1 if unknown */
    private static long cpu(HyphaNode sender, HyphaNode receiver) {
        long a = sender.cpuNanos();
        long b = receiver.cpuNanos();
        return a < 0 || b < 0 ? -1 : a + b;
    }

    /** @return CPU microseconds per message or round trip, NaN if unknown */
    private static double cpuMicros(long before, long after, Phase phase) {
        return before < 0 || after < 0 ? Double.NaN : (after - before) / 1e3 / phase.total();
    }

    /** The stall and time limits of one run. */
    private static final class Wait {
        private final long start;
        private final long stallNanos;
        private final long limitNanos;
        private long progress = -1;
        private long changed;

        Wait(long start, Settings settings, Phase phase) {
            this.start = start;
            this.changed = start;
            this.stallNanos = settings.stallMillis() * 1_000_000L;
            this.limitNanos = settings.limit(phase).toNanos();
        }

        /** @return how the run ended, or {@code null} while it may go on */
        RunResult.Outcome check(long now) {
            long t = System.nanoTime();
            if (now != progress) {
                progress = now;
                changed = t;
            } else if (t - changed > stallNanos) {
                return RunResult.Outcome.STALLED;
            }
            return t - start > limitNanos ? RunResult.Outcome.TIMEOUT : null;
        }

        double seconds() {
            return (System.nanoTime() - start) / 1e9;
        }
    }

    /** @return messages and bytes the receiver's transport of this scheme has received (from hypha:transports) */
    private long[] wireIn(HyphaNode receiver) throws BenchException {
        for (String line : receiver.execOk("hypha:transports").lines().toList()) {
            String[] f = line.trim().split("\\s+");
            // SCHEME INSTALLED LISTENING CONNECTIONS MSGS-IN MSGS-OUT BYTES-IN BYTES-OUT
            if (f.length >= 8 && f[0].equals(scheme) && f[1].equals("yes")) {
                try {
                    return new long[] {Long.parseLong(f[4]), Long.parseLong(f[6])};
                } catch (NumberFormatException e) {
                    break;
                }
            }
        }
        return new long[] {0, 0};
    }

    /** @return the {@code name=value} pairs of a status line */
    static Map<String, String> pairs(String line) {
        Map<String, String> pairs = new HashMap<>();
        for (String word : line.trim().split("\\s+")) {
            int eq = word.indexOf('=');
            if (eq > 0) {
                pairs.put(word.substring(0, eq), word.substring(eq + 1));
            }
        }
        return pairs;
    }
}
