package io.hypha.console.internal;

import io.hypha.api.DeadLetter;
import io.hypha.api.DeliveryFailure;
import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import io.hypha.api.engine.EngineInfo;
import io.hypha.features.FeatureChange;
import io.hypha.features.FeatureInfo;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Turns what the services report into the text the console prints. Pure functions of their arguments, kept apart
 * from the service calls so that every layout is testable. Tables are plain aligned columns, one row per line, so
 * they read well and can be grepped.
 */
final class ConsoleFormat {
    private static final int MAX_PAYLOAD_CHARS = 2000;
    private static final int MAX_HEX_BYTES = 64;

    private ConsoleFormat() {
    }

    /**
     * @param node       the node id, or {@code null} if the identity service is not running
     * @param uptime     how long the node has run
     * @param engines    the engines, or {@code null} if the engine runtime is not running
     * @param transports the schemes of the registered transport protocols
     * @return the {@code hypha:node} text
     */
    static String node(NodeId node, Duration uptime, List<EngineInfo> engines, List<String> transports) {
        String engineLine;
        if (engines == null) {
            engineLine = "unknown (the engine runtime is not running; install feature core)";
        } else {
            long running = engines.stream().filter(e -> e.state() == EngineInfo.State.RUNNING).count();
            engineLine = running + " running, " + (engines.size() - running) + " suspended";
        }
        return table(List.of(
                List.of("node", node == null ? "unknown (the identity service is not running; install feature core)" : node.toString()),
                List.of("uptime", duration(uptime)),
                List.of("engines", engineLine),
                List.of("transports", transports.isEmpty() ? "none" : String.join(", ", transports.stream().sorted().toList()))));
    }

    /** @param engines the engines @return the {@code hypha:engines} table */
    static String engines(List<EngineInfo> engines) {
        if (engines.isEmpty()) {
            return "no engines\n";
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("NAME", "STATE", "QUEUED/CAPACITY", "PROCESSED", "FAILED", "BUNDLE"));
        for (EngineInfo e : engines) {
            rows.add(List.of(e.name(), e.state().name(), e.queued() + "/" + e.capacity(), String.valueOf(e.processed()),
                    String.valueOf(e.failed()), e.bundle().isEmpty() ? "-" : e.bundle()));
        }
        return table(rows);
    }

    /**
     * @param counts  dead letters since start, by reason
     * @param letters the most recent ones, oldest first
     * @param local   this node, whose id is left out of addresses; {@code null} if unknown
     * @return the {@code hypha:deadletters} text
     */
    static String deadLetters(Map<DeliveryFailure, Long> counts, List<DeadLetter> letters, NodeId local) {
        long total = counts.values().stream().mapToLong(Long::longValue).sum();
        if (total == 0 && letters.isEmpty()) {
            return "no dead letters\n";
        }
        StringBuilder sb = new StringBuilder();
        List<List<String>> countRows = new ArrayList<>();
        countRows.add(List.of("REASON", "COUNT"));
        for (DeliveryFailure f : DeliveryFailure.values()) {
            long n = counts.getOrDefault(f, 0L);
            if (n > 0) {
                countRows.add(List.of(f.name(), String.valueOf(n)));
            }
        }
        countRows.add(List.of("total", String.valueOf(total)));
        sb.append(table(countRows));
        if (!letters.isEmpty()) {
            sb.append('\n').append("most recent ").append(letters.size()).append(", oldest first:\n");
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("TIME", "REASON", "TYPE", "FROM -> TO", "DETAIL"));
            for (DeadLetter l : letters) {
                Envelope m = l.envelope();
                rows.add(List.of(time(l.at()), l.failure().name(), m.type(),
                        address(m.src(), local, true) + " -> " + address(m.dst(), local, true), oneLine(l.detail())));
            }
            sb.append(table(rows));
        }
        return sb.toString();
    }

    /** @param features the features @return the {@code hypha:features} table */
    static String features(List<FeatureInfo> features) {
        if (features.isEmpty()) {
            return "no features (no feature files in the features/ or deploy/ directory)\n";
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("NAME", "INSTALLED", "DESCRIPTION"));
        for (FeatureInfo f : features) {
            rows.add(List.of(f.name(), f.installed() ? "yes" : "no", oneLine(f.description())));
        }
        return table(rows);
    }

    /**
     * @param verb   {@code install} or {@code uninstall}
     * @param change what changed, or would change
     * @return the text for {@code hypha:feature-install} / {@code hypha:feature-uninstall}
     */
    static String change(String verb, FeatureChange change) {
        StringBuilder sb = new StringBuilder();
        String pastTense = verb + "ed";
        if (change.isEmpty()) {
            sb.append(change.applied()
                    ? "feature '" + change.feature() + "' " + pastTense + ": no bundle changed\n"
                    : "dry run: " + verb + "ing feature '" + change.feature() + "' would change no bundle\n");
            return sb.toString();
        }
        sb.append(change.applied()
                ? "feature '" + change.feature() + "' " + pastTense + ":\n"
                : "dry run: " + verb + "ing feature '" + change.feature() + "' would (nothing was changed):\n");
        // One line per bundle and action, the action in a fixed-width column, so the lines can be grepped.
        change.toInstall().forEach(b -> sb.append(String.format("  %-10s %s\n", "install", b)));
        change.toStart().forEach(b -> sb.append(String.format("  %-10s %s\n", "start", b)));
        change.toStop().forEach(b -> sb.append(String.format("  %-10s %s\n", "stop", b)));
        change.toUninstall().forEach(b -> sb.append(String.format("  %-10s %s\n", "uninstall", b)));
        return sb.toString();
    }

    /**
     * @param to    where the request went
     * @param reply the reply
     * @param local this node, whose id is left out of addresses
     * @return the text for a reply to {@code hypha:send}
     */
    static String reply(EngineAddress to, Envelope reply, NodeId local) {
        return "reply from " + address(reply.src() == null ? to : reply.src(), local, false) + " (" + reply.type() + "): "
                + payload(reply.payload()) + "\n";
    }

    /**
     * @param address an engine address, or {@code null} (a message from outside any engine)
     * @param local   this node, or {@code null} if unknown
     * @param brief   whether to shorten a remote node id to its first characters (in tables)
     * @return the engine name alone for a local engine, {@code engine@node} for a remote one, {@code -} for none
     */
    static String address(EngineAddress address, NodeId local, boolean brief) {
        if (address == null) {
            return "-";
        }
        if (address.isLocal() || address.node().equals(local)) {
            return address.engine();
        }
        return address.engine() + "@" + (brief ? address.node().shortForm() : address.node().toString());
    }

    /**
     * @param to      where the request went
     * @param timeout how long the console waited
     * @return the text for a request that got no reply in time
     */
    static String noReply(EngineAddress to, Duration timeout) {
        return "sent to " + to + "; no reply within " + timeout.toMillis() + " ms\n";
    }

    /** @param payload a payload @return it as one printable text */
    static String payload(Object payload) {
        if (payload == null) {
            return "(no payload)";
        }
        if (payload instanceof byte[] bytes) {
            String hex = HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, MAX_HEX_BYTES));
            return bytes.length + " bytes: " + hex + (bytes.length > MAX_HEX_BYTES ? "..." : "");
        }
        String text = payload.toString();
        return text.length() > MAX_PAYLOAD_CHARS ? text.substring(0, MAX_PAYLOAD_CHARS) + "... (" + text.length() + " characters)" : text;
    }

    /** @param d a duration @return it as {@code 1d 02h 03m 04s}, leading zero units left out */
    static String duration(Duration d) {
        long s = Math.max(0, d.toSeconds());
        long days = s / 86_400;
        long hours = s / 3_600 % 24;
        long minutes = s / 60 % 60;
        long seconds = s % 60;
        if (days > 0) {
            return String.format("%dd %02dh %02dm %02ds", days, hours, minutes, seconds);
        }
        if (hours > 0) {
            return String.format("%dh %02dm %02ds", hours, minutes, seconds);
        }
        if (minutes > 0) {
            return String.format("%dm %02ds", minutes, seconds);
        }
        return seconds + "s";
    }

    private static String time(Instant at) {
        return at.truncatedTo(ChronoUnit.MILLIS).toString();
    }

    private static String oneLine(String s) {
        return s.replace('\n', ' ').replace('\r', ' ');
    }

    /** Aligns rows into columns separated by two spaces; the last column is not padded. */
    static String table(List<List<String>> rows) {
        int columns = rows.stream().mapToInt(List::size).max().orElse(0);
        int[] widths = new int[columns];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                String cell = row.get(i);
                sb.append(cell);
                if (i < row.size() - 1) {
                    sb.append(" ".repeat(widths[i] - cell.length() + 2));
                }
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
