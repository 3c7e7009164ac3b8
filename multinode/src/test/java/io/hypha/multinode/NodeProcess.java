package io.hypha.multinode;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One node of the assembled distribution, running as a separate process exactly as an operator starts it:
 * {@code ./hypha --data <dir> --headless}, driven with {@code ./hypha exec --data <dir> '<command>'} and stopped with
 * {@code ./hypha stop}. Its listen addresses are written to {@code <dir>/conf/io.hypha.transport.config} before it
 * starts (port 0: the node picks free ports; {@link #listenAddress} reads what it bound).
 *
 * <p>Every command run and its output is kept in a transcript next to the data directory, which
 * {@link #diagnostics()} returns with the node's console output and log, for failure reports.
 */
final class NodeProcess {
    /** How long a node may take from process start to answering commands with its listeners bound. */
    static final Duration START_DEADLINE = Duration.ofSeconds(120);
    /** How long one {@code exec} may take; the node's own command timeout (60 s) normally answers first. */
    static final Duration EXEC_DEADLINE = Duration.ofSeconds(90);
    /** How long {@link #stop} waits before killing. */
    static final Duration STOP_DEADLINE = Duration.ofSeconds(45);
    /** Heap of each node: modest, so that several fit on a small machine and memory bounds are exercised. */
    static final String HEAP = "-Xmx256m";

    private static final Pattern NODE_ID = Pattern.compile("^node\\s+([a-z2-7]{52})\\s*$", Pattern.MULTILINE);
    private static final Pattern LB_LINE = Pattern.compile("^\\s*(\\d+)\\|([^|]+)\\|\\s*\\d+\\|(\\S+) \\(", Pattern.MULTILINE);

    /**
     * What to start.
     *
     * @param name         the node's name in the test (and its directory's)
     * @param bootFeatures features installed at first start, or {@code null} for the distribution's default
     * @param listen       listen addresses for configuration {@code io.hypha.transport}
     * @param deploy       bundle jars copied into {@code deploy/} once the node is up
     * @param seeds        seed addresses given on the command line ({@code --seed URI} each)
     */
    record Spec(String name, List<String> bootFeatures, List<String> listen, List<Path> deploy, List<String> seeds) {
        /** The default listen addresses: TLS and QUIC on loopback, free ports. */
        static final List<String> LOOPBACK = List.of("tls://127.0.0.1:0", "quic://127.0.0.1:0");

        /** A spec without seeds. */
        Spec(String name, List<String> bootFeatures, List<String> listen, List<Path> deploy) {
            this(name, bootFeatures, listen, deploy, List.of());
        }

        /** @param uris seed addresses @return this spec, started with {@code --seed} for each (replacing earlier seeds) */
        Spec seeds(String... uris) {
            return new Spec(name, bootFeatures, listen, deploy, List.of(uris));
        }

        /** @param name the node's name @return a node with the default features and listen addresses */
        static Spec named(String name) {
            return new Spec(name, null, LOOPBACK, List.of());
        }

        /** @param features the boot features @return this spec with them */
        Spec boot(String... features) {
            return new Spec(name, List.of(features), listen, deploy, seeds);
        }

        /** @param jars bundle jars @return this spec with them deployed once the node is up */
        Spec deploying(Path... jars) {
            return new Spec(name, bootFeatures, listen, List.of(jars), seeds);
        }

        /** @return the schemes the node will listen on: configured and brought by a boot feature */
        List<String> expectedSchemes() {
            List<String> features = bootFeatures == null ? List.of("tls", "quic") : bootFeatures;
            return listen.stream().map(a -> URI.create(a).getScheme()).filter(features::contains).distinct().toList();
        }
    }

    /**
     * The end of one {@code ./hypha exec}.
     *
     * @param command the command line
     * @param exit    the launcher's exit code (0 ok, 1 the command failed, 3 no node, ...)
     * @param output  standard output and error
     */
    record Result(String command, int exit, String output) {
        /** @return whether the command succeeded */
        boolean ok() {
            return exit == 0;
        }
    }

    private final Spec spec;
    private final Path script;
    private final Path data;
    private final Path consoleOut;
    private final Path transcript;
    private final Process process;
    private String id;

    private NodeProcess(Spec spec, Path script, Path data, Path consoleOut, Path transcript, Process process) {
        this.spec = spec;
        this.script = script;
        this.data = data;
        this.consoleOut = consoleOut;
        this.transcript = transcript;
        this.process = process;
    }

    /**
     * Prepares the data directory (listen configuration) and starts the node; does not wait for it.
     *
     * @param spec   what to start
     * @param script the {@code hypha} script
     * @param root   the directory that holds the test's nodes
     * @return the starting node
     * @throws IOException if the directory cannot be prepared or the process not started
     */
    static NodeProcess launch(Spec spec, Path script, Path root) throws IOException {
        Path data = root.resolve(spec.name());
        Files.createDirectories(data.resolve("conf"));
        Files.createDirectories(data.resolve("deploy"));
        // .config (typed) rather than .cfg: a .cfg value is one string, and listen is a list
        String listen = spec.listen().stream().map(a -> "\"" + a + "\"").collect(Collectors.joining(","));
        Files.writeString(data.resolve("conf/io.hypha.transport.config"), "listen=[" + listen + "]\n", StandardCharsets.UTF_8);
        Path out = root.resolve(spec.name() + ".out");
        Path transcript = root.resolve(spec.name() + ".transcript");
        // appended to, not replaced: a restarted node (same data directory) keeps the story of its first life
        List<String> command = new ArrayList<>(List.of(script.toString(), "--data", data.toString(), "--headless"));
        for (String seed : spec.seeds()) {
            command.add("--seed");
            command.add(seed);
        }
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()));
        environment(pb, spec.bootFeatures());
        Files.writeString(transcript, Instant.now() + " started " + String.join(" ", pb.command()) + " with HYPHA_JAVA_OPTS="
                + pb.environment().get("HYPHA_JAVA_OPTS") + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        return new NodeProcess(spec, script, data, out, transcript, pb.start());
    }

    /** The node JVM: the test's own Java, a modest heap, and the boot features if the spec names them. */
    private static void environment(ProcessBuilder pb, List<String> bootFeatures) {
        Map<String, String> env = pb.environment();
        env.put("JAVA_HOME", System.getProperty("java.home"));
        String opts = HEAP + (bootFeatures == null ? "" : " -Dhypha.features.boot=" + String.join(",", bootFeatures));
        env.put("HYPHA_JAVA_OPTS", opts);
    }

    /**
     * Waits until the node answers commands and has bound a listener for every expected scheme; then deploys the
     * spec's bundles and waits for their engines (for the probe: {@code stream-source}, {@code stream-sink}).
     *
     * @return this node
     */
    NodeProcess awaitReady() {
        Await.until(name() + " answers hypha:node", START_DEADLINE, this::diagnostics, () -> {
            assertAlive();
            Result r = Files.exists(data.resolve("admin.port")) ? exec("hypha:node") : null;
            return r != null && r.ok() ? Optional.of(r) : Optional.empty();
        });
        Await.until(name() + " listens on " + spec.expectedSchemes(), START_DEADLINE, this::diagnostics, () -> {
            assertAlive();
            String listening = exec("hypha:listen").output();
            return spec.expectedSchemes().stream().allMatch(s -> listening.contains(s + "://")) ? Optional.of(listening) : Optional.empty();
        });
        if (!spec.deploy().isEmpty()) {
            // Hot deployment into the running node. Not before the first start: FileInstall would try to start the
            // bundle before the boot features have installed the API it imports, fail, and not try again.
            for (Path jar : spec.deploy()) {
                try {
                    Files.copy(jar, data.resolve("deploy").resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException e) {
                    throw new AssertionError("could not deploy " + jar + " to " + name() + ": " + e, e);
                }
            }
            awaitEngine("stream-sink");
            awaitEngine("stream-source");
        }
        return this;
    }

    /** @param engine an engine name @return this node, once {@code hypha:engines} lists the engine RUNNING */
    NodeProcess awaitEngine(String engine) {
        Pattern running = Pattern.compile("^" + Pattern.quote(engine) + "\\s+RUNNING\\b", Pattern.MULTILINE);
        Await.until(name() + " runs engine " + engine, START_DEADLINE, this::diagnostics, () -> {
            assertAlive();
            return running.matcher(exec("hypha:engines").output()).find() ? Optional.of(true) : Optional.empty();
        });
        return this;
    }

    /**
     * Runs one console command through {@code ./hypha exec}.
     *
     * @param command the command line
     * @return its exit code and output
     */
    Result exec(String command) {
        long start = System.nanoTime();
        try {
            Path out = Files.createTempFile(data.getParent(), spec.name() + "-exec", ".out");
            try {
                Process p = new ProcessBuilder(script.toString(), "exec", "--data", data.toString(), command)
                        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
                p.getOutputStream().close();
                if (!p.waitFor(EXEC_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError("'" + command + "' on " + name() + " did not end within " + EXEC_DEADLINE + diagnostics());
                }
                Result r = new Result(command, p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
                record(r, System.nanoTime() - start);
                return r;
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new AssertionError("could not run '" + command + "' on " + name() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running '" + command + "' on " + name(), e);
        }
    }

    /**
     * @param command a command that must succeed
     * @return its output
     * @throws AssertionError with the output and the node's diagnostics if it failed
     */
    String execOk(String command) {
        Result r = exec(command);
        if (!r.ok()) {
            throw new AssertionError("'" + command + "' failed on " + name() + " (exit " + r.exit() + "):\n" + r.output() + diagnostics());
        }
        return r.output();
    }

    /** @return the node's id (from {@code hypha:node}) */
    String id() {
        if (id == null) {
            Matcher m = NODE_ID.matcher(execOk("hypha:node"));
            if (!m.find()) {
                throw new AssertionError("no node id in hypha:node of " + name() + diagnostics());
            }
            id = m.group(1);
        }
        return id;
    }

    /**
     * @param scheme {@code tls} or {@code quic}
     * @return the address the node listens on for that scheme (from {@code hypha:listen})
     */
    URI listenAddress(String scheme) {
        return execOk("hypha:listen").lines().map(String::trim).filter(l -> l.startsWith(scheme + "://")).map(URI::create)
                .findFirst().orElseThrow(() -> new AssertionError(name() + " does not listen on " + scheme + diagnostics()));
    }

    /**
     * @param symbolicName a bundle symbolic name
     * @return its bundle id, from {@code lb -s}
     */
    long bundleId(String symbolicName) {
        return bundle(symbolicName).map(b -> b.id).orElseThrow(() -> new AssertionError(
                "no bundle " + symbolicName + " on " + name() + diagnostics()));
    }

    /**
     * @param symbolicName a bundle symbolic name
     * @return its state as {@code lb} prints it ({@code Active}, {@code Resolved}...), or empty if it is not installed
     */
    Optional<String> bundleState(String symbolicName) {
        return bundle(symbolicName).map(b -> b.state);
    }

    private record BundleLine(long id, String state) {
    }

    private Optional<BundleLine> bundle(String symbolicName) {
        Matcher m = LB_LINE.matcher(execOk("lb -s"));
        while (m.find()) {
            if (m.group(3).equals(symbolicName)) {
                return Optional.of(new BundleLine(Long.parseLong(m.group(1)), m.group(2).trim()));
            }
        }
        return Optional.empty();
    }

    /** Stops the node with {@code ./hypha stop}; kills it if it does not exit in time. */
    void stop() {
        if (!process.isAlive()) {
            return;
        }
        try {
            Process p = new ProcessBuilder(script.toString(), "stop", "--data", data.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(transcript.toFile())).start();
            p.getOutputStream().close();
            p.waitFor(STOP_DEADLINE.toSeconds(), TimeUnit.SECONDS);
            if (!process.waitFor(STOP_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
                kill();
            }
        } catch (IOException e) {
            kill();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
        }
    }

    /** Kills the node's JVM at once (SIGKILL): no shutdown hook, no clean close of anything. */
    void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(STOP_DEADLINE.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** @return whether the node's process runs */
    boolean isAlive() {
        return process.isAlive();
    }

    private void assertAlive() {
        if (!process.isAlive()) {
            throw new AssertionError(name() + " exited with " + process.exitValue() + diagnostics());
        }
    }

    /** @return what this node was started from */
    Spec spec() {
        return spec;
    }

    /** @return the node's name in the test */
    String name() {
        return spec.name();
    }

    /** @return the node's data directory */
    Path data() {
        return data;
    }

    /** @return files worth keeping when a test fails: console output, transcript, log */
    List<Path> files() {
        return List.of(consoleOut, transcript, data.resolve("log/hypha.log"));
    }

    /** @return the end of the node's console output, command transcript and log, for an assertion message */
    String diagnostics() {
        StringBuilder sb = new StringBuilder();
        for (Path f : files()) {
            sb.append("\n----- ").append(name()).append(": ").append(f).append(" (last lines)\n").append(tail(f, 60));
        }
        return sb.toString();
    }

    /**
     * @param file  a text file
     * @param lines how many
     * @return its last lines, or why it cannot be read
     */
    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size())) + "\n";
        } catch (IOException e) {
            return "(" + e + ")\n";
        }
    }

    private void record(Result r, long nanos) {
        List<String> lines = new ArrayList<>();
        lines.add(Instant.now() + " $ " + r.command() + "   [exit " + r.exit() + ", " + nanos / 1_000_000 + " ms]");
        r.output().lines().forEach(l -> lines.add("    " + l));
        try {
            Files.write(transcript, lines, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            // the transcript is for diagnosis only
        }
    }

    @Override
    public String toString() {
        return name() + (id == null ? "" : " (" + id.substring(0, 8) + ")");
    }
}
