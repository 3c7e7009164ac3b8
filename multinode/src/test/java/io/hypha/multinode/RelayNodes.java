package io.hypha.multinode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the relay scenarios do to nodes through the console and {@code conf/}: configure a relay or an edge node
 * ({@code conf/io.hypha.relay.cfg}, picked up by the running node), read {@code hypha:relay}, drive the probe's
 * {@code burst-source}.
 */
final class RelayNodes {
    /** How long a configuration change, a registration or a drain may take. */
    static final Duration DEADLINE = Duration.ofSeconds(120);

    private RelayNodes() {
    }

    /** @return listen addresses on fixed free loopback ports, so that a restarted relay is where its edges look for it */
    static List<String> fixedLoopback() {
        try (ServerSocket tcp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             DatagramSocket udp = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return List.of("tls://127.0.0.1:" + tcp.getLocalPort(), "quic://127.0.0.1:" + udp.getLocalPort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Installs and starts the probe bundle from the console ({@code install}, {@code start}) and waits for its engines. Not through
     * {@code deploy/}: the deploy watcher's configuration is sometimes found empty at a node's first start (FileInstall
     * then watches {@code ./load} instead), and the probe never arrives; the console install does not depend on it.
     */
    static void installProbe(NodeProcess node) {
        String installed = node.execOk("install " + Cluster.probe().toUri());
        java.util.regex.Matcher id = java.util.regex.Pattern.compile("Bundle ID: (\\d+)").matcher(installed);
        if (!id.find()) {
            throw new AssertionError("no bundle id in: " + installed + node.diagnostics());
        }
        node.execOk("start " + id.group(1));
        node.awaitEngine("stream-sink");
        node.awaitEngine("burst-source");
    }

    /** Writes {@code conf/io.hypha.relay.cfg} (FileInstall applies it to the running node). */
    static void configure(NodeProcess node, String... lines) {
        try {
            Files.writeString(node.data().resolve("conf/io.hypha.relay.cfg"), String.join("\n", lines) + "\n",
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the output of {@code hypha:relay} */
    static String relay(NodeProcess node) {
        return node.execOk("hypha:relay");
    }

    /** Waits until {@code hypha:relay} on the node satisfies the condition; returns that output. */
    static String awaitRelay(NodeProcess node, String what, java.util.function.Predicate<String> condition) {
        return Await.until(node.name() + ": " + what, DEADLINE, node::diagnostics, () -> {
            String text = node.exec("hypha:relay").output();
            return condition.test(text) ? Optional.of(text) : Optional.empty();
        });
    }

    /** @return the line of {@code hypha:relay} output that starts with {@code prefix} (after indentation) */
    static String line(String relayText, String prefix) {
        return relayText.lines().map(String::trim).filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no line '" + prefix + "' in:\n" + relayText));
    }

    /** @return the table row of {@code hypha:relay} output that names a node */
    static Optional<String> row(String relayText, String nodeId) {
        return relayText.lines().map(String::trim).filter(l -> l.startsWith(nodeId)).findFirst();
    }

    /** @return {@code name=value} of the line starting with {@code prefix} */
    static long number(String relayText, String prefix, String name) {
        return ConsoleText.number(line(relayText, prefix), name);
    }

    /** @return the reply of a text command to the probe's burst-source on {@code node} */
    static String burst(NodeProcess node, String command) {
        String out = node.execOk("hypha:send burst-source " + command);
        int at = out.indexOf("(stream.ok): ");
        if (at < 0) {
            throw new AssertionError("burst-source refused '" + command + "': " + out);
        }
        return out.substring(at + "(stream.ok): ".length()).trim();
    }

    /** @return burst-source's counters: sent, sending, refused ({@code reason:count,...} or none), run */
    static Map<String, String> burstStatus(NodeProcess node) {
        return ConsoleText.pairs(burst(node, "status"));
    }

    /** @return how many messages burst-source had reported undeliverable for that reason */
    static long refused(Map<String, String> status, String reason) {
        String refused = status.getOrDefault("refused", "none");
        for (String part : refused.split(",")) {
            String[] kv = part.split(":");
            if (kv.length == 2 && kv[0].equals(reason)) {
                return Long.parseLong(kv[1]);
            }
        }
        return 0;
    }
}
