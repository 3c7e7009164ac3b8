package io.hypha.multinode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The nodes of one test class, as a JUnit extension registered in a static field: starts them (in parallel), stops
 * them after the class, and when a test or the set-up fails keeps each node's console output, command transcript and
 * log in {@code target/multinode-logs/<class>/} and prints their ends to the test's output (which failsafe puts in
 * the report).
 *
 * <pre>
 *   &#64;RegisterExtension static final Cluster cluster = new Cluster();
 *   ... cluster.start(Spec.named("a"), Spec.named("b").deploying(Cluster.probe()));
 * </pre>
 */
final class Cluster implements AfterAllCallback, TestWatcher {
    private final Path script = Path.of(System.getProperty("hypha.test.script", "../hypha")).toAbsolutePath().normalize();
    private final Path dist = Path.of(System.getProperty("hypha.test.dist", "../launcher/target/hypha")).toAbsolutePath().normalize();
    private final Path logs = Path.of(System.getProperty("hypha.test.logs", "target/multinode-logs")).toAbsolutePath();
    private final List<NodeProcess> nodes = new ArrayList<>();
    private Path root;
    private boolean failed;

    /** @return the probe bundle (engines stream-source and stream-sink): this module's jar */
    static Path probe() {
        Path jar = Path.of(System.getProperty("hypha.test.probe", "target/hypha-multinode-0.1.0-SNAPSHOT.jar")).toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("the probe bundle " + jar + " is missing: run the tests with mvn verify (after package)");
        }
        return jar;
    }

    /**
     * Starts nodes side by side and waits until each is ready ({@link NodeProcess#awaitReady()}).
     *
     * @param specs what to start
     * @return the nodes, in the order given
     * @throws IOException if a node cannot be started
     */
    List<NodeProcess> start(NodeProcess.Spec... specs) throws IOException {
        if (!Files.isRegularFile(dist.resolve("etc/startup.list")) || !Files.isRegularFile(script)) {
            throw new IllegalStateException("no distribution at " + dist + " (or no script " + script
                    + "): build the launcher first (mvn -DskipTests install, or mvn verify from the root)");
        }
        if (root == null) {
            root = Files.createTempDirectory("hypha-multinode-");
        }
        List<NodeProcess> started = new ArrayList<>();
        for (NodeProcess.Spec spec : specs) {
            NodeProcess node = NodeProcess.launch(spec, script, root);
            nodes.add(node);
            started.add(node);
        }
        for (NodeProcess node : started) {
            node.awaitReady(); // they boot side by side meanwhile
        }
        return started;
    }

    /**
     * Starts a node again on its data directory (after {@link NodeProcess#kill} or {@link NodeProcess#stop}): same
     * identity and installed bundles, new listening ports.
     *
     * @param node a node that is no longer running
     * @return the new process, ready
     * @throws IOException if it cannot be started
     */
    NodeProcess restart(NodeProcess node) throws IOException {
        return restart(node, node.spec().deploying());
    }

    /**
     * Starts a node again on its data directory with another spec (the same name: seeds or features may differ).
     *
     * @param node a node that is no longer running
     * @param spec what to start it with
     * @return the new process, ready
     * @throws IOException if it cannot be started
     */
    NodeProcess restart(NodeProcess node, NodeProcess.Spec spec) throws IOException {
        if (node.isAlive()) {
            throw new IllegalStateException(node.name() + " still runs");
        }
        if (!spec.name().equals(node.name())) {
            throw new IllegalArgumentException("a restart keeps the name (the data directory): " + node.name() + ", got " + spec.name());
        }
        NodeProcess again = NodeProcess.launch(spec, script, root);
        nodes.remove(node);
        nodes.add(again);
        return again.awaitReady();
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        failed = true;
        keepLogs(context.getRequiredTestClass().getSimpleName(), context.getDisplayName());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (context.getExecutionException().isPresent() && !failed) {
            failed = true; // the set-up failed: no test ran to report it
            keepLogs(context.getRequiredTestClass().getSimpleName(), "set-up");
        }
        List<Thread> stops = nodes.stream().map(n -> new Thread(n::stop, "stop-" + n.name())).toList();
        stops.forEach(Thread::start);
        for (Thread t : stops) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (root != null && !failed) {
            deleteQuietly(root);
        }
    }

    private void keepLogs(String testClass, String test) {
        Path dir = logs.resolve(testClass);
        System.out.println("===== " + testClass + " / " + test + " failed; node files kept in " + dir
                + (root == null ? "" : " (data directories in " + root + ")"));
        for (NodeProcess node : nodes) {
            try {
                Path nodeDir = dir.resolve(node.name());
                Files.createDirectories(nodeDir);
                for (Path f : node.files()) {
                    if (Files.isRegularFile(f)) {
                        Files.copy(f, nodeDir.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            } catch (IOException e) {
                System.out.println("could not keep the files of " + node.name() + ": " + e);
            }
            for (Path f : node.files()) {
                System.out.println("----- " + node.name() + ": " + f + " (last lines)");
                System.out.print(NodeProcess.tail(f, 150));
            }
        }
    }

    private static void deleteQuietly(Path dir) {
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
}
