package io.hypha.multinode;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Drives the probe bundle's engines through the console: {@code stream-source} on the sending node, {@code stream-sink}
 * on the receiving one (see {@code io.hypha.multinode.probe}).
 */
final class Streams {
    /** How long a whole run may take, swaps included. */
    static final Duration RUN_DEADLINE = Duration.ofSeconds(240);
    private static final Pattern STARTED = Pattern.compile("started run ([0-9a-f]+):");

    private Streams() {
    }

    /**
     * Starts a run on {@code from} towards the sink of {@code to}.
     *
     * @return the run's id (hex)
     */
    static String start(NodeProcess from, NodeProcess to, long count, long rate) {
        String out = from.execOk("hypha:send stream-source start " + to.id() + " " + count + " size=100 rate=" + rate);
        Matcher m = STARTED.matcher(out);
        assertThat(m.find()).as("stream-source started a run: " + out).isTrue();
        return m.group(1);
    }

    /** @return the sink's status pairs on {@code node} */
    static Map<String, String> sink(NodeProcess node) {
        return ConsoleText.pairs(statusLine(node.execOk("hypha:send stream-sink status"), "stream-sink"));
    }

    /** @return the source's status pairs on {@code node} */
    static Map<String, String> source(NodeProcess node) {
        return ConsoleText.pairs(statusLine(node.execOk("hypha:send stream-source status"), "stream-source"));
    }

    private static String statusLine(String output, String engine) {
        int at = output.indexOf("(stream.ok): ");
        if (at < 0) {
            throw new AssertionError(engine + " did not answer its status: " + output);
        }
        return output.substring(at + "(stream.ok): ".length()).trim();
    }

    /** Waits until the sink on {@code node} has received at least {@code received} messages of the run. */
    static void awaitReceived(NodeProcess node, String run, long received) {
        Await.until(node.name() + "'s sink received " + received + " messages of run " + run, RUN_DEADLINE, node::diagnostics, () -> {
            Map<String, String> s = sink(node);
            return run.equals(s.get("run")) && Long.parseLong(s.get("received")) >= received ? Optional.of(s) : Optional.empty();
        });
    }

    /**
     * Waits until the source on {@code from} is DONE (the sink credited every message), then checks the sink's tally on
     * {@code to}: every message exactly once, in order, undamaged; and that the source had nothing refused.
     */
    static void awaitCompleteAndIntact(NodeProcess from, NodeProcess to, String run, long count) {
        Map<String, String> source = Await.until(from.name() + "'s run " + run + " is credited in full", RUN_DEADLINE,
                () -> "\nsink: " + sink(to) + from.diagnostics() + to.diagnostics(), () -> {
                    Map<String, String> s = source(from);
                    return "DONE".equals(s.get("state")) || !"none".equals(s.get("refused")) ? Optional.of(s) : Optional.empty();
                });
        Map<String, String> sink = sink(to);
        assertThat(source).as("source on " + from.name()).containsEntry("run", run).containsEntry("state", "DONE")
                .containsEntry("sent", Long.toString(count)).containsEntry("credited", Long.toString(count))
                .containsEntry("refused", "none");
        assertThat(sink).as("sink on " + to.name() + ": every message once, in order")
                .containsEntry("run", run)
                .containsEntry("received", Long.toString(count))
                .containsEntry("highest", Long.toString(count))
                .containsEntry("duplicates", "0")
                .containsEntry("outOfOrder", "0")
                .containsEntry("missing", "0")
                .containsEntry("firstMissing", "0")
                .containsEntry("corrupt", "0");
    }
}
