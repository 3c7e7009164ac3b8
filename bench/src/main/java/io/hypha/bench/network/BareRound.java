package io.hypha.bench.network;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One round on the bare side: a {@link BareMain} server and client, each its own JVM, run the phases in order on one
 * connection. When a phase stalls, fails or overruns its limit, both are ended and the phases after it run on a fresh
 * pair, so one stall costs one run only.
 */
final class BareRound {
    private static final long READY_MILLIS = 30_000;

    private final Settings settings;
    private final Path jar;
    private final Path keyStore;
    private final String password;
    private final Path dir;
    private final String transport;
    private final int round;
    private final Consumer<RunResult> report;

    BareRound(Settings settings, Path jar, Path keyStore, String password, Path dir, String transport, int round,
              Consumer<RunResult> report) {
        this.settings = settings;
        this.jar = jar;
        this.keyStore = keyStore;
        this.password = password;
        this.dir = dir;
        this.transport = transport;
        this.round = round;
        this.report = report;
    }

    private record Line(String from, String text) {
    }

    /** @return a result for every phase, in order */
    List<RunResult> run(List<Phase> phases) throws IOException {
        Files.createDirectories(dir);
        List<RunResult> results = new ArrayList<>();
        List<Phase> remaining = phases;
        while (!remaining.isEmpty()) {
            List<RunResult> done = pair(remaining);
            results.addAll(done);
            remaining = remaining.subList(done.size(), remaining.size());
        }
        return results;
    }

    /** Runs phases on one server and client until they end or one phase does not complete; @return at least one result */
    private List<RunResult> pair(List<Phase> phases) throws IOException {
        List<RunResult> results = new ArrayList<>();
        BlockingQueue<Line> lines = new LinkedBlockingQueue<>();
        List<Thread> readers = new ArrayList<>();
        Map<String, Map<Integer, Long>> cpu = new HashMap<>();
        Path log = dir.resolve("bare-" + transport + "-round" + round + ".log");
        Process server = start("server", phases, null, lines, log, readers);
        Process client = null;
        try {
            Line ready = next(lines, READY_MILLIS, cpu);
            if (ready == null || !ready.text().startsWith("READY ")) {
                results.add(RunResult.failed(transport, RunResult.BARE, round, phases.get(0), RunResult.Outcome.FAILED, 0,
                        Double.NaN, "bare server not ready: " + (ready == null ? "no answer" : ready.text())));
                return results;
            }
            client = start("client", phases, ready.text().substring(6).trim(), lines, log, readers);
            long phaseStart = System.nanoTime();
            int index = 0;
            while (index < phases.size()) {
                Phase phase = phases.get(index);
                Line line = next(lines, 500, cpu);
                double seconds = (System.nanoTime() - phaseStart) / 1e9;
                if (line == null) {
                    if (seconds > settings.limit(phase).toSeconds()) {
                        results.add(failed(phase, RunResult.Outcome.TIMEOUT, -1, seconds, "still running at the time limit"));
                        return results;
                    }
                    if (!server.isAlive() && !client.isAlive()) {
                        results.add(failed(phase, RunResult.Outcome.FAILED, -1, seconds, "both processes ended; see " + log));
                        return results;
                    }
                    continue;
                }
                String[] words = line.text().split("\\s+");
                switch (words[0]) {
                    case "RESULT" -> {
                        if (Integer.parseInt(words[1]) != index) {
                            results.add(failed(phase, RunResult.Outcome.FAILED, -1, seconds, "out of step: " + line.text()));
                            return results;
                        }
                        Map<String, String> pairs = HyphaRound.pairs(line.text());
                        double wire = phase.size() + varintSize(phase.size());
                        results.add(phase.kind() == Phase.Kind.W1
                                ? new RunResult(transport, RunResult.BARE, round, phase, RunResult.Outcome.COMPLETED, phase.total(),
                                        Stats.rate(phase.count(), Long.parseLong(pairs.get("firstNanos")),
                                                Long.parseLong(pairs.get("lastNanos"))), null, -1, wire, seconds, Double.NaN, "")
                                : new RunResult(transport, RunResult.BARE, round, phase, RunResult.Outcome.COMPLETED, phase.total(),
                                        Double.NaN, Stats.Latency.of(latencies(Path.of(pairs.get("file")))), -1, wire, seconds,
                                        Double.NaN, ""));
                        index++;
                        phaseStart = System.nanoTime();
                    }
                    case "STALLED" -> {
                        results.add(failed(phase, RunResult.Outcome.STALLED, progress(line.text()), seconds,
                                "nothing moved for " + settings.stallMillis() / 1000 + " s (" + line.from() + ")"));
                        return results;
                    }
                    case "FAILED" -> {
                        results.add(failed(phase, RunResult.Outcome.FAILED, -1, seconds, line.from() + ": " + line.text()));
                        return results;
                    }
                    default -> {
                        // READY, DONE, kwik's warnings: nothing to do
                    }
                }
            }
            return results;
        } finally {
            end(client);
            end(server);
            for (Thread reader : readers) {
                try {
                    reader.join(5_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            while (next(lines, 0, cpu) != null) {
                // collects the last CPU lines
            }
            for (int i = 0; i < results.size(); i++) {
                RunResult r = results.get(i);
                if (r.completed()) {
                    results.set(i, r.withCpu(cpuMicros(cpu, i, r.phase())));
                }
                report.accept(results.get(i));
            }
        }
    }

    /** @return both processes' CPU time in phase {@code i} per message or round trip, in microseconds; NaN if unknown */
    static double cpuMicros(Map<String, Map<Integer, Long>> cpu, int i, Phase phase) {
        double nanos = 0;
        for (String role : List.of("server", "client")) {
            Map<Integer, Long> boundaries = cpu.getOrDefault(role, Map.of());
            Long from = boundaries.get(i);
            Long to = boundaries.get(i + 1);
            if (from == null || to == null) {
                return Double.NaN;
            }
            nanos += to - from;
        }
        return nanos / 1e3 / phase.total();
    }

    /** @return the next line that is not a CPU line (those are collected into {@code cpu}), or null after the wait */
    private static Line next(BlockingQueue<Line> lines, long millis, Map<String, Map<Integer, Long>> cpu) {
        long end = System.nanoTime() + millis * 1_000_000L;
        while (true) {
            Line line = take(lines, Math.max(0, (end - System.nanoTime()) / 1_000_000L));
            if (line == null || !line.text().startsWith("CPU ")) {
                return line;
            }
            String[] words = line.text().split("\\s+");
            try {
                cpu.computeIfAbsent(line.from(), k -> new HashMap<>()).put(Integer.parseInt(words[1]), Long.parseLong(words[2]));
            } catch (RuntimeException e) {
                // not ours
            }
        }
    }

    private RunResult failed(Phase phase, RunResult.Outcome outcome, long progress, double seconds, String note) {
        return RunResult.failed(transport, RunResult.BARE, round, phase, outcome, Math.max(0, progress), seconds, note);
    }

    private static long progress(String line) {
        int at = line.indexOf("progress=");
        return at < 0 ? -1 : Long.parseLong(line.substring(at + 9).trim());
    }

    private static long[] latencies(Path file) throws IOException {
        long[] nanos = Stats.parseNanos(Files.readString(file, StandardCharsets.UTF_8));
        Files.deleteIfExists(file);
        return nanos;
    }

    static int varintSize(int value) {
        int size = 1;
        for (int v = value >>> 7; v != 0; v >>>= 7) {
            size++;
        }
        return size;
    }

    private Process start(String role, List<Phase> phases, String port, BlockingQueue<Line> lines, Path log,
                          List<Thread> readers) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(List.of(settings.heap().split("\\s+")));
        command.addAll(List.of("-cp", jar.toString(), BareMain.class.getName(), transport, role, Phase.encodeAll(phases),
                "keystore=" + keyStore, "password=" + password, "stallMillis=" + settings.stallMillis(), "out=" + dir));
        if (port != null) {
            command.add("port=" + port);
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                 Writer w = Files.newBufferedWriter(log, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                String text;
                while ((text = in.readLine()) != null) {
                    synchronized (BareRound.class) {
                        w.write(role + ": " + text + "\n");
                        w.flush();
                    }
                    lines.add(new Line(role, text.trim()));
                }
            } catch (IOException e) {
                lines.add(new Line(role, "FAILED -1 output unreadable: " + e));
            }
        }, "bare-" + role + "-output");
        reader.setDaemon(true);
        reader.start();
        readers.add(reader);
        return p;
    }

    private static Line take(BlockingQueue<Line> lines, long millis) {
        try {
            return lines.poll(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static void end(Process p) {
        if (p == null) {
            return;
        }
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
    }
}
