package io.hypha.bench.relay;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The relay store-and-forward benchmark of issue 4: three node processes of the assembled distribution (sender A, relay
 * R, edge node E), driven through {@code ./hypha exec} as an operator would. E registers with R and stops; A sends E
 * {@code --count} messages of {@code --size} bytes, all at once (the probe's {@code burst-source}); R stores them
 * durably; then E starts again and R drains them to it.
 *
 * <ul>
 *   <li>Store rate: messages over the time between the first and the last durable store at R (R's own clock, printed by
 *       {@code hypha:relay} as firstStored and lastStored; a store counts once its group commit is done, fsync
 *       included with the default durability).</li>
 *   <li>Drain rate: messages over the time from E's registration at R to R's last deletion after E's acknowledgement
 *       (REGISTERED and LAST ACK of E's row), checked against E's sink: every message once, in order.</li>
 *   <li>R's heap: {@code jstat -gc} every 250 ms during each phase (the highest used), and what stays after a full GC
 *       ({@code jcmd GC.run}, then {@code GC.heap_info}); R's disk: the bytes of {@code <data>/relay/}.</li>
 * </ul>
 * A single-file program without dependencies: {@code bench/run-relay.sh} runs it with {@code java RelayBench.java}.
 */
public final class RelayBench {
    private static final Pattern NODE_ID = Pattern.compile("^node\\s+([a-z2-7]{52})\\s*$", Pattern.MULTILINE);
    private static final Pattern PAIR = Pattern.compile("([A-Za-z][\\w.]*)=(\\S+)");
    private static final Duration PHASE_DEADLINE = Duration.ofMinutes(15);
    private static final long POLL_MILLIS = 2_000;

    private final Path root;
    private final Path script;
    private final Path probe;
    private final int count;
    private final int size;
    private final String durability;
    private final String relayHeap;
    private final String scheme;
    private final List<Node> nodes = new ArrayList<>();

    private RelayBench(Path root, Path script, Path probe, int count, int size, String durability, String relayHeap,
            String scheme) {
        this.root = root;
        this.script = script;
        this.probe = probe;
        this.count = count;
        this.size = size;
        this.durability = durability;
        this.relayHeap = relayHeap;
        this.scheme = scheme;
    }

    /**
     * @param args {@code --probe <jar> --out <md> [--count N] [--size B] [--durability FSYNC|WRITE] [--relay-heap -Xmx..]
     *             [--scheme quic|tls (how E reaches R)] [--compare-opts "&lt;JVM options of a second configuration&gt;"]
     *             [--script ./hypha] [--keep]}
     * @throws Exception if the run fails; the nodes are stopped
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--keep")) {
                a.put(args[i].substring(2), "true");
            } else if (args[i].startsWith("--") && i + 1 < args.length) {
                a.put(args[i].substring(2), args[++i]);
            } else {
                throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Path probe = Path.of(required(a, "probe")).toAbsolutePath();
        Path out = Path.of(required(a, "out")).toAbsolutePath();
        Path script = Path.of(a.getOrDefault("script", "hypha")).toAbsolutePath();
        Path root = Files.createTempDirectory("hypha-relay-bench-");
        String compare = a.get("compare-opts"); // a second configuration, e.g. "-XX:+UseParallelGC": same rounds, nodes with these JVM options
        RelayBench bench = new RelayBench(root, script, probe, Integer.parseInt(a.getOrDefault("count", "100000")),
                Integer.parseInt(a.getOrDefault("size", "1024")), a.getOrDefault("durability", "FSYNC"),
                a.getOrDefault("relay-heap", "-Xmx256m"), a.getOrDefault("scheme", "quic"));
        boolean ok = false;
        try {
            List<Result> results = new ArrayList<>();
            results.add(bench.run("default", ""));
            if (compare != null && !compare.isBlank()) {
                results.add(bench.run("compare", compare));
            }
            String report = bench.report(results);
            Files.createDirectories(out.getParent());
            Files.writeString(out, report, StandardCharsets.UTF_8);
            System.out.println(report);
            System.out.println("written to " + out);
            ok = true;
        } finally {
            bench.nodes.forEach(Node::stop);
            if (ok && !a.containsKey("keep")) {
                deleteTree(root);
            } else {
                System.out.println("node directories kept in " + root);
            }
        }
    }

    private static String required(Map<String, String> a, String name) {
        String v = a.get(name);
        if (v == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return v;
    }

    /** What one round measured. */
    private record Round(String name, double storeRate, long storeMillis, long endToEndMillis, long storedBytes,
            double drainRate, long drainMillis, boolean intact, Map<String, String> sink, long storeHeapMaxKiB,
            long drainHeapMaxKiB, long retainedFullKiB, long retainedDrainedKiB, long diskFull, long diskDrained,
            String stored, String drained, String sender) {
    }

    /** The rounds of one node configuration. */
    private record Result(String opts, String loadBefore, String loadAfter, Round cold, Round warm) {
    }

    private Result run(String label, String extraOpts) throws Exception {
        String load = "?";
        try {
            load = Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            // not Linux
        }
        Path runRoot = root.resolve(label);
        Files.createDirectories(runRoot);
        String opts = extraOpts.isBlank() ? "" : " " + extraOpts.trim();
        log("starting A, R and E in " + runRoot + (opts.isEmpty() ? "" : " with" + opts));
        List<String> relayListen = fixedLoopback();
        Node na = Node.launch("a", script, runRoot, "-Xmx1g" + opts, List.of("tls://127.0.0.1:0", "quic://127.0.0.1:0"));
        Node nr = Node.launch("r", script, runRoot, relayHeap + opts, relayListen);
        Node ne = Node.launch("e", script, runRoot, "-Xmx512m" + opts, List.of("tls://127.0.0.1:0", "quic://127.0.0.1:0"));
        nodes.addAll(List.of(na, nr, ne));
        for (Node n : nodes) {
            n.awaitReady();
        }
        na.installProbe(probe);
        ne.installProbe(probe);
        String rId = nr.id();
        String eId = ne.id();

        nr.configure("serve=true", "durability=" + durability, "quotaMessages=" + (2L * count),
                "quotaBytes=" + (1L << 33), "maxTotalBytes=" + (1L << 34));
        nr.await("R serves", () -> nr.exec("hypha:relay").contains("roles sender, relay") ? Optional.of(true) : Optional.empty());
        na.configure("maxPendingMessages=" + count, "maxPendingBytes=" + (1L << 31));
        String edgeAddress = nr.listen(scheme).replace(scheme + "://", scheme + "://" + rId + "@");
        ne.configure("relays=" + edgeAddress, "reconnectMinMillis=200", "reconnectMaxMillis=1000");
        nr.await("E registered at R", () -> row(nr.exec("hypha:relay"), eId).filter(r -> r.get(1).equals("online")).map(r -> true));
        na.execOk("hypha:connect " + nr.listen("tls"));
        na.await("A learns E's advert (relays, no address)", () -> {
            String found = na.exec("hypha:lookup " + eId);
            return found.contains("addresses - relays " + rId) ? Optional.of(true) : Optional.empty();
        });

        // Round 1, cold: E's process stops; the drain goes to a new E process (a JVM that starts cold).
        ne.stop();
        Round cold = round("cold", na, nr, eId, () -> {
            Node fresh = Node.launch("e", script, runRoot, "-Xmx512m" + opts, List.of("tls://127.0.0.1:0", "quic://127.0.0.1:0"));
            nodes.set(2, fresh);
            fresh.awaitReady();
            return fresh;
        });

        // Round 2, warm: every JVM has carried a round; E goes offline by stopping its transport bundles (every
        // connection closes: to R, and the one it dialled to A for its sink's credits) and comes back by starting them.
        Node e2 = nodes.get(2);
        List<String> transports = List.of(e2.bundleId("io.hypha.transport.tls"), e2.bundleId("io.hypha.transport.quic"));
        e2.execOk("hypha:send stream-sink reset");
        na.execOk("hypha:send burst-source reset");
        transports.forEach(id -> e2.execOk("stop " + id));
        na.await("warm: A no longer connected to E", () -> na.exec("hypha:peers").lines()
                .anyMatch(l -> l.startsWith(eId) && l.contains(" CONNECTED ")) ? Optional.empty() : Optional.of(true));
        Round warm = round("warm", na, nr, eId, () -> {
            transports.forEach(id -> e2.exec("start " + id));
            return e2;
        });
        String loadAfter = "?";
        try {
            loadAfter = Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            // not Linux
        }
        nodes.forEach(Node::stop);
        nodes.clear();
        return new Result(extraOpts.trim(), load, loadAfter, cold, warm);
    }

    /** Checks a node that will receive; returns it once it runs (for the drain). */
    private interface EdgeReturn {
        Node comeBack() throws Exception;
    }

    private Round round(String name, Node na, Node nr, String eId, EdgeReturn edgeReturn) throws Exception {
        nr.await(name + ": E offline at R", () -> row(nr.exec("hypha:relay"), eId).filter(r -> r.get(1).equals("offline")).map(r -> true));
        long storedBefore = number(line(nr.exec("hypha:relay"), "counters:"), "stored");
        long ackedBefore = number(line(nr.exec("hypha:relay"), "counters:"), "acked");

        HeapSampler storeHeap = HeapSampler.start(nr.pid());
        long sendAt = System.currentTimeMillis();
        log(name + ": A " + na.execOk("hypha:send burst-source send " + eId + " " + count + " size=" + size + " ttl=86400000").trim());
        String stored = nr.await(name + ": R holds all " + count + " messages", () -> {
            String t = nr.exec("hypha:relay");
            return number(line(t, "relay: store"), "messages") >= count ? Optional.of(t) : Optional.empty();
        });
        storeHeap.stop();
        String sender = na.await(name + ": A's sender has nothing unconfirmed", () -> {
            String t = na.exec("hypha:relay");
            return number(line(t, "sender:"), "pending") == 0 ? Optional.of(t) : Optional.empty();
        });
        // R's first store of the round is not printed; the round's stores are the last 'count' of the counter, and the
        // time from R's first store to its last is measured on R's clock when no store happened before (round 1), else
        // from A's send command (round 2: a little pessimistic, it includes A's sealing of the first batch).
        Map<String, String> counters = pairs(line(stored, "counters:"));
        Instant lastStored = Instant.parse(counters.get("lastStored"));
        Instant firstStored = storedBefore == 0 ? Instant.parse(counters.get("firstStored")) : Instant.ofEpochMilli(sendAt);
        long storeMillis = Duration.between(firstStored, lastStored).toMillis();
        long storedBytes = number(line(stored, "relay: store"), "bytes");
        long retainedFull = nr.retainedHeapKiB();
        long diskFull = du(nr.data.resolve("relay"));

        HeapSampler drainHeap = HeapSampler.start(nr.pid());
        Node ne = edgeReturn.comeBack();
        String drained = nr.await(name + ": R drained to E", () -> {
            String t = nr.exec("hypha:relay");
            return number(line(t, "relay: store"), "messages") == 0
                    && number(line(t, "counters:"), "acked") >= ackedBefore + count ? Optional.of(t) : Optional.empty();
        });
        drainHeap.stop();
        List<String> eRow = row(drained, eId).orElseThrow(() -> new IllegalStateException("no row for E in\n" + drained));
        long drainMillis = Duration.between(Instant.parse(eRow.get(2)), Instant.parse(eRow.get(8))).toMillis();
        String sink = ne.await(name + ": E's sink counted every message", () -> {
            String t = ne.exec("hypha:send stream-sink status");
            return pairs(t).getOrDefault("received", "0").equals(Integer.toString(count)) ? Optional.of(t) : Optional.empty();
        });
        Map<String, String> sinkPairs = pairs(sink.substring(sink.indexOf("(stream.ok):") + 12));
        boolean intact = sinkPairs.get("received").equals(Integer.toString(count)) && "0".equals(sinkPairs.get("duplicates"))
                && "0".equals(sinkPairs.get("outOfOrder")) && "0".equals(sinkPairs.get("missing"))
                && "0".equals(sinkPairs.get("corrupt"));
        return new Round(name, count * 1000.0 / Math.max(1, storeMillis), storeMillis, lastStored.toEpochMilli() - sendAt,
                storedBytes, count * 1000.0 / Math.max(1, drainMillis), drainMillis, intact, sinkPairs, storeHeap.maxUsedKiB(),
                drainHeap.maxUsedKiB(), retainedFull, nr.retainedHeapKiB(), diskFull, du(nr.data.resolve("relay")), stored,
                drained, sender);
    }

    private String report(List<Result> results) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Relay store-and-forward benchmark\n\n");
        sb.append("Issue 4: ").append(String.format(Locale.ROOT, "%,d", count)).append(" messages of ").append(size)
                .append(" B sent to an offline edge node through a relay, then drained when it connects. Three node processes "
                        + "of the distribution on 127.0.0.1 (A sends, R relays, E is the edge node), driven through "
                        + "`./hypha exec`. Two rounds each: **cold** (fresh JVMs; E's process stops and a new one drains) and "
                        + "**warm** (the same processes again; E goes offline by stopping its transport bundles and comes "
                        + "back by starting them), since JIT compilation makes the difference on a 2-core machine.\n\n");
        sb.append("Command: `bench/run-relay.sh").append(scheme.equals("quic") ? "" : " --scheme " + scheme).append("` (")
                .append(Instant.now()).append(")  \n");
        sb.append("Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores (shared with other work), Java ")
                .append(System.getProperty("java.version")).append(", ").append(System.getProperty("os.name")).append(' ')
                .append(System.getProperty("os.arch")).append(". A reaches R over TLS, E over ").append(scheme)
                .append("; R's heap ").append(relayHeap).append(", durability ").append(durability)
                .append(durability.equals("FSYNC") ? " (each group commit forced to disk before R answers `stored`)" : "")
                .append(".\n");
        for (Result r : results) {
            sb.append("\n## ").append(r.opts().isEmpty() ? "Default node configuration" : "Nodes started with `HYPHA_JAVA_OPTS=" + r.opts() + "`")
                    .append(" (1-minute load average before: ").append(r.loadBefore()).append(", after: ").append(r.loadAfter())
                    .append(")\n\n");
            table(sb, r.cold(), r.warm());
        }
        sb.append("\nNotes: rates use R's own timestamps (`hypha:relay`: firstStored/lastStored; E's row: REGISTERED and LAST "
                + "ACK), so the driver's polling does not enter them; in the warm round the store is timed from A's send "
                + "command (R prints the first store since start only), which includes A's sealing of the first batch. A sends "
                + "all messages in one burst (the probe's `burst-source`); its relay sender holds them until R confirms "
                + "(4,096 unconfirmed per relay, store batches of 128). The drain includes E opening each message "
                + "(ChaCha20-Poly1305), delivering it to its sink engine, which checks every byte, and acknowledging "
                + "cumulatively; R deletes only what E acknowledged (forward window 4,096, deliver batches of 128). The MVStore "
                + "file keeps freed pages for reuse and shrinks when the store closes.\n\n"
                + "Cold and warm: a fresh JVM runs the hot paths (the JDK's TLS record encryption, AES-GCM and its GHASH, "
                + "BouncyCastle's ChaCha20-Poly1305, the store's MVStore pages) interpreted or in C1 code for its first "
                + "seconds, and these two cores also compile for three JVMs; JFR profiles of cold runs show the TLS threads "
                + "of R and E busiest, in GHASH's plain-Java fallback, and the same code compiled in warm runs. The cold drain "
                + "is the one that suffers most: E's process is new when it starts. Run to run, figures on this shared "
                + "machine vary by about a third.\n");
        for (Result r : results) {
            for (Round round : List.of(r.cold(), r.warm())) {
                sb.append("\n<details><summary>").append(r.opts().isEmpty() ? "default" : r.opts()).append(", ")
                        .append(round.name).append(" round: console output</summary>\n\n```\n");
                sb.append("R, store full:\n").append(round.stored).append("\nA, after R confirmed everything:\n")
                        .append(round.sender).append("\nR, drained:\n").append(round.drained).append("\nE's sink: ")
                        .append(round.sink).append('\n');
                sb.append("```\n</details>\n");
            }
        }
        return sb.toString();
    }

    private void table(StringBuilder sb, Round cold, Round warm) {
        sb.append("| Measure | Cold | Warm | Target |\n|---|---|---|---|\n");
        sb.append(String.format(Locale.ROOT, "| Store rate (durably stored at R) | %,.0f msg/s (%.2f s) | **%,.0f msg/s** (%.2f s) | >= 10,000/s: %s |%n",
                cold.storeRate, cold.storeMillis / 1000.0, warm.storeRate, warm.storeMillis / 1000.0,
                met(warm.storeRate, 10_000) + (cold.storeRate >= 10_000 ? ", cold too" : ", not cold")));
        sb.append(String.format(Locale.ROOT, "| Drain rate (E registered -> last acknowledged deletion at R) | %,.0f msg/s (%.2f s) | **%,.0f msg/s** (%.2f s) | >= 20,000/s: %s |%n",
                cold.drainRate, cold.drainMillis / 1000.0, warm.drainRate, warm.drainMillis / 1000.0,
                met(warm.drainRate, 20_000) + (cold.drainRate >= 20_000 ? ", cold too" : ", not cold")));
        sb.append(String.format(Locale.ROOT, "| E got every message once, in order | %s | %s | yes |%n", intact(cold), intact(warm)));
        sb.append(String.format(Locale.ROOT, "| R heap, highest used storing / draining | %,d / %,d MiB | %,d / %,d MiB | |%n",
                cold.storeHeapMaxKiB / 1024, cold.drainHeapMaxKiB / 1024, warm.storeHeapMaxKiB / 1024, warm.drainHeapMaxKiB / 1024));
        sb.append(String.format(Locale.ROOT, "| R heap after a full GC, store full / drained | %,d / %,d MiB | %,d / %,d MiB | |%n",
                cold.retainedFullKiB / 1024, cold.retainedDrainedKiB / 1024, warm.retainedFullKiB / 1024, warm.retainedDrainedKiB / 1024));
        sb.append(String.format(Locale.ROOT, "| R disk (`<data>/relay/`), store full / drained | %,d / %,d MiB | %,d / %,d MiB | |%n",
                cold.diskFull >> 20, cold.diskDrained >> 20, warm.diskFull >> 20, warm.diskDrained >> 20));
        sb.append(String.format(Locale.ROOT, "| Stored bytes per message (sealed 1 KiB + envelope + sender's note) | %,d B | %,d B | |%n",
                cold.storedBytes / Math.max(1, count), warm.storedBytes / Math.max(1, count)));
        sb.append(String.format(Locale.ROOT, "| A's send command -> last store at R (A's sealing, the transport, R's commits) | %.2f s | %.2f s | |%n",
                cold.endToEndMillis / 1000.0, warm.endToEndMillis / 1000.0));
    }

    private static String met(double rate, double target) {
        return rate >= target ? "met" : "NOT met";
    }

    private static String intact(Round r) {
        return (r.intact ? "yes" : "NO") + " (received=" + r.sink.get("received") + " duplicates=" + r.sink.get("duplicates")
                + " outOfOrder=" + r.sink.get("outOfOrder") + ")";
    }

    // ------------------------------------------------------------------------------------------ helpers

    private static void log(String s) {
        System.out.println(Instant.now() + " " + s);
    }

    private static List<String> fixedLoopback() throws IOException {
        try (ServerSocket tcp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             DatagramSocket udp = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return List.of("tls://127.0.0.1:" + tcp.getLocalPort(), "quic://127.0.0.1:" + udp.getLocalPort());
        }
    }

    private static String line(String text, String prefix) {
        return text.lines().map(String::trim).filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no line '" + prefix + "' in:\n" + text));
    }

    private static Map<String, String> pairs(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        Matcher x = PAIR.matcher(text);
        while (x.find()) {
            m.put(x.group(1), x.group(2));
        }
        return m;
    }

    private static long number(String text, String name) {
        String v = pairs(text).get(name);
        return v == null ? -1 : Long.parseLong(v);
    }

    /** @return the columns (split on two or more spaces) of the table row of {@code hypha:relay} naming a node */
    private static Optional<List<String>> row(String text, String node) {
        return text.lines().map(String::trim).filter(l -> l.startsWith(node)).findFirst()
                .map(l -> List.of(l.split("\\s{2,}")));
    }

    private static long du(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.out.println("could not delete " + dir + ": " + e);
        }
    }

    private static String jdkTool(String tool) {
        return Path.of(System.getProperty("java.home"), "bin", tool).toString();
    }

    /** Samples a JVM's used heap with {@code jstat -gc <pid> 250}: young, survivor and old generation in use. */
    private static final class HeapSampler {
        private final Process jstat;
        private final AtomicLong maxUsedKiB = new AtomicLong();
        private final Thread reader;

        private HeapSampler(Process jstat) {
            this.jstat = jstat;
            this.reader = new Thread(this::read, "jstat");
            reader.setDaemon(true);
            reader.start();
        }

        static HeapSampler start(long pid) throws IOException {
            return new HeapSampler(new ProcessBuilder(jdkTool("jstat"), "-gc", Long.toString(pid), "250")
                    .redirectErrorStream(true).start());
        }

        private void read() {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(jstat.getInputStream(), StandardCharsets.UTF_8))) {
                String header = in.readLine();
                if (header == null) {
                    return;
                }
                List<String> columns = List.of(header.trim().split("\\s+"));
                String l;
                while ((l = in.readLine()) != null) {
                    String[] v = l.trim().split("\\s+");
                    if (v.length != columns.size()) {
                        continue;
                    }
                    double used = 0;
                    for (String c : List.of("S0U", "S1U", "EU", "OU")) {
                        int i = columns.indexOf(c);
                        if (i >= 0) {
                            used += Double.parseDouble(v[i]);
                        }
                    }
                    long u = (long) used;
                    maxUsedKiB.accumulateAndGet(u, Math::max);
                }
            } catch (IOException | NumberFormatException e) {
                // the sampled JVM went away
            }
        }

        void stop() throws InterruptedException {
            jstat.destroy();
            reader.join(2_000);
        }

        long maxUsedKiB() {
            return maxUsedKiB.get();
        }
    }

    /** One node process: {@code ./hypha --data <dir> --headless}, commands through {@code ./hypha exec}. */
    private static final class Node {
        final String name;
        final Path script;
        final Path data;
        final Process process;
        private String id;

        private Node(String name, Path script, Path data, Process process) {
            this.name = name;
            this.script = script;
            this.data = data;
            this.process = process;
        }

        static Node launch(String name, Path script, Path root, String heap, List<String> listen) throws IOException {
            Path data = root.resolve(name);
            Files.createDirectories(data.resolve("conf"));
            Files.createDirectories(data.resolve("deploy"));
            String addresses = String.join(",", listen.stream().map(x -> "\"" + x + "\"").toList());
            Files.writeString(data.resolve("conf/io.hypha.transport.config"), "listen=[" + addresses + "]\n");
            ProcessBuilder pb = new ProcessBuilder(script.toString(), "--data", data.toString(), "--headless")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(root.resolve(name + ".out").toFile()));
            pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
            pb.environment().put("HYPHA_JAVA_OPTS", heap);
            return new Node(name, script, data, pb.start());
        }

        void awaitReady() {
            await(name + " answers and listens", () -> Files.exists(data.resolve("admin.port"))
                    && exec("hypha:listen").contains("tls://") ? Optional.of(true) : Optional.empty());
        }

        void installProbe(Path probe) {
            String installed = execOk("install " + probe.toUri());
            Matcher m = Pattern.compile("Bundle ID: (\\d+)").matcher(installed);
            if (!m.find()) {
                throw new IllegalStateException("no bundle id in: " + installed);
            }
            execOk("start " + m.group(1));
            await(name + " runs the probe", () -> exec("hypha:engines").contains("stream-sink") ? Optional.of(true) : Optional.empty());
        }

        void configure(String... lines) throws IOException {
            Files.writeString(data.resolve("conf/io.hypha.relay.cfg"), String.join("\n", lines) + "\n");
        }

        String id() {
            if (id == null) {
                Matcher m = NODE_ID.matcher(execOk("hypha:node"));
                if (!m.find()) {
                    throw new IllegalStateException("no node id from " + name);
                }
                id = m.group(1);
            }
            return id;
        }

        String bundleId(String symbolicName) {
            Matcher m = Pattern.compile("^\\s*(\\d+)\\|[^|]+\\|\\s*\\d+\\|(\\S+) \\(", Pattern.MULTILINE).matcher(execOk("lb -s"));
            while (m.find()) {
                if (m.group(2).equals(symbolicName)) {
                    return m.group(1);
                }
            }
            throw new IllegalStateException("no bundle " + symbolicName + " on " + name);
        }

        String listen(String scheme) {
            return execOk("hypha:listen").lines().map(String::trim).filter(l -> l.startsWith(scheme + "://")).findFirst()
                    .orElseThrow(() -> new IllegalStateException(name + " does not listen on " + scheme));
        }

        long pid() throws IOException {
            return Long.parseLong(Files.readString(data.resolve("hypha.pid")).trim());
        }

        /** @return the heap in use after a full GC, in KiB */
        long retainedHeapKiB() throws IOException, InterruptedException {
            long pid = pid();
            run(jdkTool("jcmd"), Long.toString(pid), "GC.run");
            String info = run(jdkTool("jcmd"), Long.toString(pid), "GC.heap_info");
            Matcher m = Pattern.compile("used (\\d+)K").matcher(info);
            return m.find() ? Long.parseLong(m.group(1)) : -1;
        }

        private static String run(String... command) throws IOException, InterruptedException {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(60, TimeUnit.SECONDS);
            return out;
        }

        String exec(String command) {
            try {
                Process p = new ProcessBuilder(script.toString(), "exec", "--data", data.toString(), command)
                        .redirectErrorStream(true).start();
                p.getOutputStream().close();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
                return p.exitValue() == 0 ? out : "";
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        String execOk(String command) {
            String out = exec(command);
            if (out.isEmpty()) {
                throw new IllegalStateException("'" + command + "' failed on " + name);
            }
            return out;
        }

        <T> T await(String what, Supplier<Optional<T>> probe) {
            long end = System.nanoTime() + PHASE_DEADLINE.toNanos();
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(name + " exited while waiting until " + what);
                }
                Optional<T> v = probe.get();
                if (v.isPresent()) {
                    log(what);
                    return v.get();
                }
                if (System.nanoTime() > end) {
                    throw new IllegalStateException("not within " + PHASE_DEADLINE + ": " + what);
                }
                try {
                    // Each poll is a './hypha exec', a short-lived JVM: poll rarely, or the driver itself loads the two
                    // cores the nodes are measured on (the rates come from R's timestamps, not from the polls).
                    Thread.sleep(POLL_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        }

        void stop() {
            if (!process.isAlive()) {
                return;
            }
            try {
                Process p = new ProcessBuilder(script.toString(), "stop", "--data", data.toString()).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                p.waitFor(60, TimeUnit.SECONDS);
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (IOException | InterruptedException e) {
                process.destroyForcibly();
            }
        }
    }
}
