package io.hypha.relay.internal.console;

import io.hypha.api.NodeId;
import io.hypha.relay.internal.engine.RelaySnapshot;
import io.hypha.relay.internal.engine.RelaySnapshot.EdgeRow;
import io.hypha.relay.internal.engine.RelaySnapshot.EdgeView;
import io.hypha.relay.internal.engine.RelaySnapshot.RelayRow;
import io.hypha.relay.internal.engine.RelaySnapshot.RelayView;
import io.hypha.relay.internal.engine.RelaySnapshot.SenderView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The text of {@code hypha:relay}: a pure function of the engine's snapshot. Counters are {@code name=value} words
 * (counts by reason in lower case, {@code none} when all are zero), so that scripts and tests read them like the
 * other commands' output; tables are aligned columns; times are ISO-8601 instants (UTC) to the millisecond.
 */
final class RelayText {
    private RelayText() {
    }

    /** @param s the snapshot @return the whole text */
    static String relay(RelaySnapshot s) {
        StringBuilder sb = new StringBuilder();
        List<String> roles = new ArrayList<>(List.of("sender"));
        if (s.relay() != null) {
            roles.add("relay");
        }
        if (s.edge() != null) {
            roles.add("edge");
        }
        sb.append("relay engine on node ").append(s.self()).append(": roles ").append(String.join(", ", roles)).append('\n');
        sb.append('\n').append(sender(s.sender()));
        if (s.relay() != null) {
            sb.append('\n').append(relay(s.relay()));
        }
        if (s.edge() != null) {
            sb.append('\n').append(edge(s.edge()));
        }
        sb.append('\n').append("drops: ").append(counts(s.drops())).append('\n');
        return sb.toString();
    }

    static String sender(SenderView v) {
        StringBuilder sb = new StringBuilder();
        sb.append("sender: pending=").append(v.pendingMessages()).append(" unsent=").append(v.unsent())
                .append(" pendingBytes=").append(v.pendingBytes()).append(" taken=").append(v.taken())
                .append(" confirmed=").append(v.confirmed()).append(" resent=").append(v.resent())
                .append(" failovers=").append(v.failovers()).append('\n');
        sb.append("  refused by relays: ").append(counts(v.refused())).append('\n');
        sb.append("  reported to sending engines: ").append(counts(v.reported())).append('\n');
        if (!v.inFlight().isEmpty()) {
            sb.append("  unconfirmed at relays: ").append(v.inFlight().entrySet().stream()
                    .map(e -> e.getKey().shortForm() + "=" + e.getValue()).collect(Collectors.joining(" "))).append('\n');
        }
        return sb.toString();
    }

    static String relay(RelayView v) {
        StringBuilder sb = new StringBuilder();
        if (v.storeFile() == null) {
            sb.append("relay: store NOT OPEN (").append(v.problem()).append("); storing is refused (UNAVAILABLE)\n");
        } else {
            sb.append("relay: store ").append(v.storeFile()).append(" (").append(v.durability()).append(") messages=")
                    .append(v.messages()).append(" bytes=").append(v.bytes()).append(" fileBytes=").append(v.fileSize())
                    .append('\n');
        }
        sb.append("  quota per edge: ").append(v.quotaMessages()).append(" messages, ").append(v.quotaBytes())
                .append(" bytes; store limit ").append(v.maxTotalBytes()).append(" bytes; largest message ")
                .append(v.maxMessageBytes()).append(" bytes\n");
        sb.append("  counters: stored=").append(v.stored()).append(" forwarded=").append(v.forwarded()).append(" acked=")
                .append(v.acked()).append(" expired=").append(v.expired()).append(" firstStored=")
                .append(time(v.firstStoredAt())).append(" lastStored=").append(time(v.lastStoredAt())).append('\n');
        sb.append("  refused: ").append(counts(v.refused())).append('\n');
        if (v.edges().isEmpty()) {
            sb.append("  no edge nodes registered\n");
            return sb.toString();
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("EDGE", "STATE", "REGISTERED", "MESSAGES", "BYTES", "QUOTA", "IN FLIGHT", "LAST STORED", "LAST ACK"));
        for (EdgeRow e : v.edges()) {
            rows.add(List.of(e.edge().toString(), !e.registered() ? "unregistered" : e.online() ? "online" : "offline",
                    time(e.registeredAt()), String.valueOf(e.messages()), String.valueOf(e.bytes()),
                    percent(e.messages(), v.quotaMessages()) + " of messages, " + percent(e.bytes(), v.quotaBytes()) + " of bytes",
                    String.valueOf(e.inFlight()), time(e.lastStoredAt()), time(e.lastAckAt())));
        }
        sb.append(indent(table(rows)));
        return sb.toString();
    }

    static String edge(EdgeView v) {
        StringBuilder sb = new StringBuilder();
        sb.append("edge: delivered=").append(v.delivered()).append(" duplicates=").append(v.duplicates())
                .append(" unsealable=").append(v.unsealable()).append(" undeliverable=").append(v.undeliverable()).append('\n');
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("RELAY", "STATE", "ADDRESS", "REGISTERED", "QUOTA", "DELIVERED", "DETAIL"));
        for (RelayRow r : v.relays()) {
            rows.add(List.of(r.relay().toString(), r.state(), r.uri().toString(), time(r.registeredAt()),
                    r.quotaMessages() == 0 ? "-" : r.quotaMessages() + " messages, " + r.quotaBytes() + " bytes",
                    String.valueOf(r.delivered()), r.detail().isEmpty() ? "-" : r.detail()));
        }
        sb.append(indent(table(rows)));
        return sb.toString();
    }

    /** @return {@code a=1 b=2} for the non-zero counts, in the enum's order, or {@code none} */
    static String counts(Map<? extends Enum<?>, Long> counts) {
        String text = counts.entrySet().stream().filter(e -> e.getValue() != null && e.getValue() > 0)
                .sorted(Map.Entry.comparingByKey((a, b) -> Integer.compare(a.ordinal(), b.ordinal())))
                .map(e -> e.getKey().name().toLowerCase(Locale.ROOT) + "=" + e.getValue())
                .collect(Collectors.joining(" "));
        return text.isEmpty() ? "none" : text;
    }

    static String time(Instant t) {
        return t == null ? "-" : t.toString();
    }

    private static String percent(long part, long whole) {
        return whole <= 0 ? "-" : String.format(Locale.ROOT, "%.1f%%", 100.0 * part / whole);
    }

    /** @return the node's short form, for narrow places */
    static String shortForm(NodeId node) {
        return node == null ? "-" : node.shortForm();
    }

    private static String indent(String text) {
        return text.lines().map(l -> "  " + l).collect(Collectors.joining("\n", "", "\n"));
    }

    /** Aligned columns, two spaces apart; the last column is not padded. */
    static String table(List<List<String>> rows) {
        int columns = rows.get(0).size();
        int[] width = new int[columns];
        for (List<String> row : rows) {
            for (int i = 0; i < columns; i++) {
                width[i] = Math.max(width[i], row.get(i).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                line.append(row.get(i));
                if (i < columns - 1) {
                    line.append(" ".repeat(width[i] - row.get(i).length() + 2));
                }
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }
}
