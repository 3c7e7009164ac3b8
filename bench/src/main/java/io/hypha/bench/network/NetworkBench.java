package io.hypha.bench.network;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * The node-to-node benchmark (bench/run-network.sh): W1 and W2 between two Hypha node processes and, in the same run,
 * between two bare JVMs (Netty TLS, kwik QUIC), over TLS (three rounds) and QUIC (ten rounds). Writes the raw results
 * ({@code <results>.json}) and the report ({@code <results>.md}, {@link NetworkReport}).
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.hypha.bench.network.NetworkBench --root . --probe &lt;jar&gt;
 *      [--quick] [--only tls|quic] [--tls-rounds N] [--quic-rounds N] [--results bench/results/network]
 *      [--analysis file]
 *      [--node-java-opts '...']
 * </pre>
 *
 * <p>Each round starts fresh processes on both sides, so both start cold and warm up the same way. The distribution
 * ({@code hypha} script and {@code launcher/target/hypha}) is copied first, so a rebuild meanwhile does not change
 * what is measured.
 */
public final class NetworkBench {
    private static final String PASSWORD = "bench-only";

    private NetworkBench() {
    }

    /** @param args see the class comment */
    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        boolean quick = options.containsKey("quick");
        Path root = Path.of(options.getOrDefault("root", ".")).toAbsolutePath().normalize();
        Path probe = Path.of(required(options, "probe")).toAbsolutePath();
        Path results = Path.of(options.getOrDefault("results", quick ? "bench/target/network-quick" : "bench/results/network"));
        String only = options.get("only");
        int quicRounds = Integer.parseInt(options.getOrDefault("quic-rounds", quick ? "1" : "10"));
        int tlsRounds = Integer.parseInt(options.getOrDefault("tls-rounds", quick ? "1" : "3"));
        Settings settings = new Settings(quick, tlsPhases(quick), phases(quick, true), tlsRounds, quicRounds, 20_000, "-Xmx256m", 8192,
                options.getOrDefault("node-java-opts", ""));
        Path jar = Path.of(NetworkBench.class.getProtectionDomain().getCodeSource().getLocation().toURI());

        // Interrupted (Ctrl-C, kill): end the nodes and bare JVMs this run started, and only those.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> ProcessHandle.current().descendants()
                .forEach(ProcessHandle::destroyForcibly), "end-children"));
        Path work = Files.createTempDirectory("hypha-network-bench-");
        System.out.println("network benchmark" + (quick ? " (quick)" : "") + ": work directory " + work);
        Path script = snapshot(root, work.resolve("dist"));
        Path keyStore = keyStore(work);
        LoadSampler load = new LoadSampler();
        Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        List<RunResult> runs = new CopyOnWriteArrayList<>();
        java.util.function.Consumer<RunResult> report = r -> System.out.println("  " + r.summary());
        boolean failed = false;
        for (String transport : List.of("tls", "quic")) {
            if (only != null && !only.equals(transport)) {
                continue;
            }
            int rounds = transport.equals("tls") ? settings.tlsRounds() : settings.quicRounds();
            List<Phase> phases = transport.equals("tls") ? settings.tlsPhases() : settings.quicPhases();
            for (int round = 1; round <= rounds; round++) {
                System.out.printf(Locale.ROOT, "%s round %d/%d (load %s)%n", transport, round, rounds, LoadSampler.now());
                Path dir = work.resolve(transport + "-round" + round);
                BareRound bare = new BareRound(settings, jar, keyStore, PASSWORD, dir.resolve("bare"), transport, round, report);
                HyphaRound hypha = new HyphaRound(settings, script, probe, dir.resolve("hypha"), transport, round, report);
                // Bare first in odd rounds, Hypha first in even ones: a change in the machine's load during a round
                // then falls on each side as often.
                List<RunResult> ours;
                if (round % 2 == 1) {
                    runs.addAll(bare.run(phases));
                    ours = hypha.run(phases);
                    runs.addAll(ours);
                } else {
                    ours = hypha.run(phases);
                    runs.addAll(ours);
                    runs.addAll(bare.run(phases));
                }
                if (ours.stream().allMatch(RunResult::completed)) {
                    delete(dir.resolve("hypha")); // node data: large; kept when something went wrong
                } else {
                    failed = true;
                }
            }
        }
        load.close();
        Map<String, String> environment = environment(settings, started, load, root);
        environment.put("bundles measured", bundleVersions(work.resolve("dist/launcher/target/hypha/system/io/hypha")));
        Results all = new Results(environment, runs);
        Path json = Path.of(results + ".json");
        Path md = Path.of(results + ".md");
        all.write(json);
        // The analysis is written for the full run it explains; a smoke run's figures are not what it describes.
        String analysis = !quick && options.containsKey("analysis") && Files.isRegularFile(Path.of(options.get("analysis")))
                ? Files.readString(Path.of(options.get("analysis")), StandardCharsets.UTF_8) : null;
        Files.writeString(md, NetworkReport.markdown(all, analysis), StandardCharsets.UTF_8);
        System.out.println("wrote " + json + " and " + md + (failed ? "; node files of incomplete runs kept in " + work : ""));
        if (!failed) {
            delete(work);
        }
    }

    /**
     * The workloads of ARCHITECTURE.md section 10 (a tenth of them for a smoke run), with one exception: over QUIC the
     * 10 KiB run is 10,000 messages after 2,000, not 100,000 after 20,000. kwik moves 10 KiB messages at about 20 MB/s
     * here, bare or not, so 120,000 of them take a minute per side per round: ten rounds of both sides would take 20
     * minutes on their own.
     */
    static List<Phase> phases(boolean quick, boolean quic) {
        int scale = quick ? 10 : 1;
        int large = quic ? 10 : 1;
        return List.of(
                new Phase(Phase.Kind.W1, 1_000_000 / scale, 200_000 / scale, 100),
                new Phase(Phase.Kind.W1, 100_000 / scale / large, 20_000 / scale / large, 10 * 1024),
                new Phase(Phase.Kind.W2, 20_000 / scale, 2_000 / scale, 100));
    }

    /**
     * The TLS workloads: {@link #phases}, then W1 100 B once more on the same, now warm, processes (both sides keep
     * speeding up well past a 200,000-message warm-up: the second pass shows where each settles).
     */
    static List<Phase> tlsPhases(boolean quick) {
        List<Phase> phases = new ArrayList<>(phases(quick, false));
        Phase first = phases.get(0);
        phases.add(new Phase(first.kind(), first.count(), first.warmup(), first.size(), 2));
        return List.copyOf(phases);
    }

    private static Map<String, String> environment(Settings s, Instant started, LoadSampler load, Path root) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("mode", s.quick() ? "Quick smoke run (a tenth of the messages, " + s.quicRounds() + " QUIC round): not for quoting."
                : "Full run.");
        env.put("started", started.toString());
        env.put("ended", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        env.put("cpus", Integer.toString(Runtime.getRuntime().availableProcessors()));
        env.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        env.put("load", load.summary());
        if (load.mean() > 3.0) {
            env.put("caution", String.format(Locale.ROOT, "other work ran on the machine during this run (mean load %.1f "
                    + "where the benchmark itself makes about 2): the figures are disturbed, the cold first passes most "
                    + "(JIT compilation competes for the cores); compare ratios within the run only", load.mean()));
        }
        env.put("versions", versions());
        env.put("rounds", s.tlsRounds() + " over TLS, " + s.quicRounds() + " over QUIC; each round starts fresh processes on "
                + "both sides (bare first in odd rounds, Hypha first in even ones) and runs the workloads in order on one "
                + "connection; figures are medians of the completed runs. Over TLS "
                + describe(s.tlsPhases()) + "; over QUIC " + describe(s.quicPhases()) + (s.quick() ? "" : " (10 KiB over QUIC: a "
                + "tenth of the messages, because kwik moves them at about 20 MB/s here, bare or not; 120,000 per side "
                + "and round would take about 20 minutes over ten rounds)"));
        env.put("node heap", s.heap() + " in both nodes (and in both bare JVMs)");
        env.put("receiver mailbox", "mailboxCapacity=" + s.mailboxCapacity() + " (conf/io.hypha.runtime.cfg in both nodes): at "
                + "most " + s.mailboxCapacity() + " x 10 KiB = " + s.mailboxCapacity() * 10 / 1024 + " MiB of payloads can wait in a "
                + "mailbox, well inside 256 MiB (the default 16384 would allow 160 MiB)");
        env.put("credit window", "bench-source keeps at most " + s.window(s.quicPhases().get(0)) + " messages of up to "
                + Settings.SMALL + " B (" + s.window(s.quicPhases().get(1)) + " larger ones) beyond the sink's last credit; "
                + "the sink credits every eighth of the window. Application-level flow control: the nodes' mailbox "
                + "backpressure is not relied on. The bare sides use TCP's / QUIC's flow control only");
        env.put("W1 timing", "receiver clock (System.nanoTime) at the arrival of the first message after the warm-up and of "
                + "the last; rate = (messages - 1) / (last - first). Hypha: on bench-sink's turn (transport, session, "
                + "router and mailbox included); bare: where the frame is decoded");
        env.put("W2 timing", "sender clock around each round trip, one in flight; percentiles by nearest rank over the "
                + "timed round trips (warm-up excluded). Hypha: bench-ping to bench-ping@receiver, which replies");
        env.put("bare TLS", "Netty NIO, one event loop per side, TLS 1.3 JDK engine with client certificate (P-256), "
                + "TCP_NODELAY, water marks 256 KiB / 1 MiB, Netty's varint frame codec, flush every 64 KiB written");
        env.put("bare QUIC", "kwik, one bidirectional stream, blocking streams, same windows as bundles/transport-quic "
                + "(1 MiB stream, 2 MiB connection), 16 KiB writes, and the transport's stall workaround (a zero-length "
                + "write on each stream every 10 ms, STALL.md)");
        env.put("stall rule", "a run in which nothing arrives for " + s.stallMillis() / 1000 + " s ends as STALLED; every run "
                + "also has a time limit (TIMEOUT); both count as not completed");
        env.put("node options", s.nodeJavaOpts().isEmpty() ? "none beyond the heap" : s.nodeJavaOpts());
        env.put("distribution", root.resolve("launcher/target/hypha") + " (copied at the start)");
        return env;
    }

    /** @return the Bundle-Version of each Hypha bundle in the copied distribution (their build times tell builds apart) */
    static String bundleVersions(Path system) {
        List<String> versions = new ArrayList<>();
        try (Stream<Path> jars = Files.walk(system)) {
            for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
                try (java.util.jar.JarFile file = new java.util.jar.JarFile(jar.toFile())) {
                    java.util.jar.Manifest manifest = file.getManifest();
                    String bsn = manifest == null ? null : manifest.getMainAttributes().getValue("Bundle-SymbolicName");
                    String version = manifest == null ? null : manifest.getMainAttributes().getValue("Bundle-Version");
                    if (bsn != null && version != null) {
                        versions.add(bsn.split(";")[0] + " " + version);
                    }
                }
            }
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
        return String.join(", ", versions);
    }

    private static String describe(List<Phase> phases) {
        return String.join(", ", phases.stream().map(p -> String.format(Locale.ROOT, "%s (%,d after %,d warm-up)", p.label(),
                p.count(), p.warmup())).toList());
    }

    private static String versions() {
        Properties p = new Properties();
        try (InputStream in = NetworkBench.class.getResourceAsStream("/bench-versions.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            return "unknown";
        }
        return "hypha " + p.getProperty("hypha.version") + ", netty " + p.getProperty("netty.version") + ", kwik "
                + p.getProperty("kwik.version") + " + agent15 " + p.getProperty("agent15.version");
    }

    /** Copies the hypha script and the distribution, keeping their relative layout; @return the copied script */
    static Path snapshot(Path root, Path to) throws IOException {
        Path dist = root.resolve("launcher/target/hypha");
        if (!Files.isRegularFile(dist.resolve("etc/startup.list")) || !Files.isRegularFile(root.resolve("hypha"))) {
            throw new IllegalStateException("no distribution at " + dist + ": run `mvn install -DskipTests` at the root first");
        }
        Path target = to.resolve("launcher/target/hypha");
        try (Stream<Path> files = Files.walk(dist)) {
            for (Path f : files.toList()) {
                Path copy = target.resolve(dist.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(f, copy, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        Path script = to.resolve("hypha");
        Files.copy(root.resolve("hypha"), script, StandardCopyOption.COPY_ATTRIBUTES);
        return script;
    }

    /** A PKCS12 key store with a self-signed P-256 certificate for the bare sides, made with the JDK's keytool. */
    private static Path keyStore(Path dir) throws IOException, InterruptedException {
        Path file = dir.resolve("bare.p12");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair",
                "-alias", BareMain.ALIAS, "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA",
                "-dname", "CN=localhost", "-ext", "san=dns:localhost,ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", file.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("keytool failed");
        }
        return file;
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + args[i]);
            }
            String name = args[i].substring(2);
            if (name.equals("quick")) {
                options.put(name, "true");
            } else if (i + 1 < args.length) {
                options.put(name, args[++i]);
            } else {
                throw new IllegalArgumentException("--" + name + " needs a value");
            }
        }
        return options;
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return value;
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            System.out.println("could not delete " + dir + ": " + e);
        }
    }

    /** Samples the 1-minute load average every few seconds, to report how busy the shared machine was. */
    static final class LoadSampler implements AutoCloseable {
        private final List<Double> samples = new CopyOnWriteArrayList<>();
        private final Thread thread;

        LoadSampler() {
            thread = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    double now = current();
                    if (!Double.isNaN(now)) {
                        samples.add(now);
                    }
                    try {
                        Thread.sleep(5_000);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "load-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        static double current() {
            try {
                return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
            } catch (IOException | RuntimeException e) {
                return Double.NaN;
            }
        }

        static String now() {
            double l = current();
            return Double.isNaN(l) ? "unknown" : String.format(Locale.ROOT, "%.2f", l);
        }

        double mean() {
            return samples.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        }

        String summary() {
            List<Double> s = new ArrayList<>(samples);
            if (s.isEmpty()) {
                return "unknown";
            }
            double mean = s.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            double max = s.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
            return String.format(Locale.ROOT, "mean %.2f, max %.2f (sampled every 5 s; the benchmark's own two processes "
                    + "account for about 2)", mean, max);
        }

        @Override
        public void close() {
            thread.interrupt();
        }
    }
}
