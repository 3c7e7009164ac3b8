package io.hypha.bench.network;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Hypha node process of the distribution, started as an operator starts it ({@code hypha --data DIR --headless},
 * JVM options in {@code HYPHA_JAVA_OPTS}) and driven with {@code hypha exec --data DIR '<command>'}. It listens on one
 * scheme on a free loopback port, with the boot features {@code core,console,<scheme>}.
 */
final class HyphaNode implements AutoCloseable {
    /** How long one {@code exec} may take; the node's own command timeout (60 s) answers first. */
    static final Duration EXEC_DEADLINE = Duration.ofSeconds(75);
    private static final Pattern NODE_ID = Pattern.compile("^node\\s+([a-z2-7]{52})\\s*$", Pattern.MULTILINE);
    private static final Pattern BUNDLE_ID = Pattern.compile("Bundle ID: (\\d+)");
    private static final Pattern HEAP_USED = Pattern.compile("heap\\s+total\\s+(\\d+)K,\\s+used\\s+(\\d+)K");

    private final String name;
    private final Path script;
    private final Path data;
    private final String scheme;
    private final Process process;

    private HyphaNode(String name, Path script, Path data, String scheme, Process process) {
        this.name = name;
        this.script = script;
        this.data = data;
        this.scheme = scheme;
        this.process = process;
    }

    /**
     * Writes the node's configuration and starts it; does not wait for it.
     *
     * @param name     the node's name in the benchmark (and its directory's)
     * @param script   the {@code hypha} script of the distribution
     * @param data     the data directory (created)
     * @param scheme   {@code tls} or {@code quic}
     * @param javaOpts the node JVM's options (heap, ...)
     * @param runtime  lines of {@code conf/io.hypha.runtime.cfg}, or none
     * @return the starting node
     */
    static HyphaNode launch(String name, Path script, Path data, String scheme, String javaOpts, List<String> runtime)
            throws IOException {
        Files.createDirectories(data.resolve("conf"));
        Files.createDirectories(data.resolve("deploy"));
        Files.writeString(data.resolve("conf/io.hypha.transport.config"), "listen=[\"" + scheme + "://127.0.0.1:0\"]\n",
                StandardCharsets.UTF_8);
        if (!runtime.isEmpty()) {
            Files.write(data.resolve("conf/io.hypha.runtime.cfg"), runtime, StandardCharsets.UTF_8);
        }
        ProcessBuilder pb = new ProcessBuilder(script.toString(), "--data", data.toString(), "--headless")
                .redirectErrorStream(true).redirectOutput(data.resolveSibling(name + ".out").toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("HYPHA_JAVA_OPTS", javaOpts + " -Dhypha.features.boot=core,console," + scheme);
        return new HyphaNode(name, script, data, scheme, pb.start());
    }

    /**
     * Waits until the node answers and listens, installs and starts the probe bundle through the console
     * ({@code install -s file:...}, as an operator may), and waits for its engines. (Not through {@code deploy/}:
     * that depends on the deploy watcher's configuration, which the distribution may change; the console does not.)
     *
     * @param probe    the probe bundle
     * @param engines  the engines it brings
     * @param deadline how long all this may take
     * @throws BenchException if the node exits or is not ready in time
     */
    void awaitReady(Path probe, List<String> engines, Duration deadline) throws BenchException {
        long end = System.nanoTime() + deadline.toNanos();
        awaitOutput("hypha:listen", out -> out.contains(scheme + "://"), end);
        Matcher installed = BUNDLE_ID.matcher(execOk("install -s " + probe.toUri()));
        if (!installed.find()) {
            throw new BenchException("could not install " + probe + " in " + name);
        }
        String id = installed.group(1);
        int[] looks = {0};
        awaitOutput("hypha:engines", out -> {
            boolean ready = engines.stream().allMatch(
                    e -> Pattern.compile("^" + Pattern.quote(e) + "\\s+RUNNING\\b", Pattern.MULTILINE).matcher(out).find());
            if (!ready && ++looks[0] % 5 == 0) {
                try {
                    exec("start " + id); // a start refused while boot features were still being installed
                } catch (BenchException e) {
                    // looked at again next time
                }
            }
            return ready;
        }, end);
    }

    private void awaitOutput(String command, java.util.function.Predicate<String> ready, long endNanos) throws BenchException {
        while (true) {
            assertAlive();
            bootFailure();
            if (Files.exists(data.resolve("admin.port"))) {
                Exec r = exec(command);
                if (r.exit() == 0 && ready.test(r.output())) {
                    return;
                }
            }
            if (System.nanoTime() > endNanos) {
                throw new BenchException(name + " is not ready: '" + command + "' never showed what was awaited; see "
                        + data.resolve("log/hypha.log"));
            }
            sleep(300);
        }
    }

    /**
     * The end of one {@code hypha exec}.
     *
     * @param exit   the exit code (0 ok)
     * @param output standard output and error
     */
    record Exec(int exit, String output) {
    }

    /** Runs one console command. */
    Exec exec(String command) throws BenchException {
        try {
            Path out = Files.createTempFile(data.getParent(), name + "-exec", ".out");
            try {
                Process p = new ProcessBuilder(script.toString(), "exec", "--data", data.toString(), command)
                        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
                p.getOutputStream().close();
                if (!p.waitFor(EXEC_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new BenchException("'" + command + "' on " + name + " did not end within " + EXEC_DEADLINE);
                }
                return new Exec(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new BenchException("cannot run '" + command + "' on " + name + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchException("interrupted");
        }
    }

    /** @return the output of a command that must succeed */
    String execOk(String command) throws BenchException {
        Exec r = exec(command);
        if (r.exit() != 0) {
            throw new BenchException("'" + command + "' failed on " + name + " (exit " + r.exit() + "): " + r.output().trim());
        }
        return r.output();
    }

    /**
     * Sends a text command to an engine of this node ({@code hypha:send}) and returns its answer.
     *
     * @throws BenchException if the engine refuses it or does not answer
     */
    String ask(String engine, String text, Duration timeout) throws BenchException {
        String output = execOk("hypha:send --timeout " + timeout.toMillis() + " " + engine + " " + text);
        int at = output.indexOf("(bench.ok): ");
        if (at < 0) {
            throw new BenchException(engine + " on " + name + " refused or did not answer '" + text + "': " + output.trim());
        }
        return output.substring(at + "(bench.ok): ".length()).trim();
    }

    /** @return the node's id */
    String id() throws BenchException {
        Matcher m = NODE_ID.matcher(execOk("hypha:node"));
        if (!m.find()) {
            throw new BenchException("no node id in hypha:node of " + name);
        }
        return m.group(1);
    }

    /** @return the address the node listens on */
    String listenAddress() throws BenchException {
        return execOk("hypha:listen").lines().map(String::trim).filter(l -> l.startsWith(scheme + "://")).findFirst()
                .orElseThrow(() -> new BenchException(name + " does not listen on " + scheme));
    }

    /**
     * Runs a full GC in the node ({@code jcmd <pid> GC.run}) and reads the heap then ({@code GC.heap_info}).
     *
     * @return the used heap after the GC in KiB, or -1 if jcmd could not tell
     */
    long heapAfterGcKiB() {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            run(jcmd.toString(), Long.toString(process.pid()), "GC.run");
            Matcher m = HEAP_USED.matcher(run(jcmd.toString(), Long.toString(process.pid()), "GC.heap_info"));
            return m.find() ? Long.parseLong(m.group(2)) : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }

    /**
     * @return the node JVM's CPU time so far (user + system, all threads) in nanoseconds, from {@code /proc/<pid>/stat}
     *         (clock ticks of 10 ms); -1 if it cannot be read
     */
    long cpuNanos() {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"), StandardCharsets.UTF_8);
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            // after "pid (comm) ": state is field 3, utime 14, stime 15
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** @return whether the process runs */
    boolean isAlive() {
        return process.isAlive();
    }

    /** @return the node JVM's process id (the script execs java) */
    long pid() {
        return process.pid();
    }

    /** @return the data directory */
    Path data() {
        return data;
    }

    /** @return the node's name in the benchmark */
    String name() {
        return name;
    }

    /** Fails at once when the log says a boot feature could not be installed (an inconsistent distribution). */
    private void bootFailure() throws BenchException {
        Path log = data.resolve("log/hypha.log");
        try {
            if (Files.isRegularFile(log)) {
                for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                    if (line.contains("was not installed")) {
                        throw new BenchException(name + ": " + line.substring(Math.max(0, line.indexOf("boot feature"))) + " (is the "
                                + "distribution half rebuilt? run `mvn install -DskipTests` at the root and try again)");
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // the log is being written: look again next time
        }
    }

    void assertAlive() throws BenchException {
        if (!process.isAlive()) {
            throw new BenchException(name + " exited with " + process.exitValue() + "; see " + data.resolve("log/hypha.log")
                    + " and " + data.resolveSibling(name + ".out"));
        }
    }

    /** Stops the node with {@code hypha stop}; kills it if it does not end in time. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        try {
            Process p = new ProcessBuilder(script.toString(), "stop", "--data", data.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            p.getOutputStream().close();
            p.waitFor(30, TimeUnit.SECONDS);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    static void sleep(long millis) throws BenchException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchException("interrupted");
        }
    }
}
