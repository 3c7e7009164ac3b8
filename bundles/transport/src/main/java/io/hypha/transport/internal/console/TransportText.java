package io.hypha.transport.internal.console;

import io.hypha.api.NodeId;
import io.hypha.transport.internal.TransportAdmin;
import io.hypha.transport.internal.TransportSnapshot;
import io.hypha.transport.internal.TransportSnapshot.PeerInfo;
import io.hypha.transport.internal.TransportSnapshot.ProtocolInfo;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The text of the transport commands: pure functions of what the engine reports, so every layout is testable.
 * Tables are plain aligned columns, one row per line.
 */
final class TransportText {
    /** Length of a node id's text form. */
    private static final int NODE_ID_TEXT_LENGTH = 52;

    private TransportText() {
    }

    /** @param listening bound addresses @return one line per address */
    static String listen(List<URI> listening) {
        if (listening.isEmpty()) {
            return "not listening: no transport protocol is bound (install feature tls or quic, and check the listen "
                    + "addresses of configuration io.hypha.transport)\n";
        }
        StringBuilder sb = new StringBuilder();
        for (URI uri : listening) {
            sb.append(uri).append('\n');
        }
        return sb.toString();
    }

    /** @param result a connect result @return the {@code hypha:connect} text */
    static String connected(TransportAdmin.ConnectResult result) {
        return "connected to " + result.node() + " at " + result.address() + " (kept connected)\n";
    }

    /** @param peers the peers @return the {@code hypha:peers} table */
    static String peers(List<PeerInfo> peers) {
        if (peers.isEmpty()) {
            return "no peers (hypha:connect <scheme://host:port> reaches one)\n";
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("NODE", "STATE", "KIND", "PROTOCOL", "ADDRESS", "RTT", "QUEUED", "UNACKED"));
        for (PeerInfo p : peers) {
            rows.add(List.of(p.node().toString(), p.state().name(), p.permanent() ? "permanent" : "ephemeral",
                    p.scheme().isEmpty() ? "-" : p.scheme(), p.address() == null ? "-" : p.address().toString(),
                    rtt(p.rttMicros()), String.valueOf(p.queued()), String.valueOf(p.unacked())));
        }
        return table(rows);
    }

    /** @param result one ping's result @param index its number (from 1) @return one line */
    static String pong(TransportAdmin.PingResult result, int index) {
        return "pong " + index + " from " + result.node().shortForm() + " over " + result.address() + ": time="
                + rtt(result.rttMicros()) + "\n";
    }

    /**
     * @param sent pings sent
     * @param rtts round trips of those answered, in microseconds
     * @return the summary line of {@code hypha:ping}
     */
    static String pingSummary(int sent, List<Long> rtts) {
        String line = sent + " sent, " + rtts.size() + " answered";
        if (!rtts.isEmpty()) {
            long min = rtts.stream().mapToLong(Long::longValue).min().orElse(0);
            long max = rtts.stream().mapToLong(Long::longValue).max().orElse(0);
            long avg = Math.round(rtts.stream().mapToLong(Long::longValue).average().orElse(0));
            line += ", rtt min/avg/max = " + millis(min) + "/" + millis(avg) + "/" + millis(max) + " ms";
        }
        return line + "\n";
    }

    /** @param snapshot the engine's state @return the {@code hypha:transports} text */
    static String transports(TransportSnapshot snapshot) {
        StringBuilder sb = new StringBuilder();
        if (snapshot.protocols().isEmpty()) {
            sb.append("no transport protocol installed (install feature tls or quic)\n");
        } else {
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("SCHEME", "INSTALLED", "LISTENING", "CONNECTIONS", "MSGS IN", "MSGS OUT", "BYTES IN", "BYTES OUT"));
            for (ProtocolInfo p : snapshot.protocols()) {
                rows.add(List.of(p.scheme(), p.installed() ? "yes" : "no",
                        p.listening().isEmpty() ? "-" : p.listening().stream().map(URI::toString).collect(Collectors.joining(",")),
                        String.valueOf(p.connections()), String.valueOf(p.traffic().messagesIn()),
                        String.valueOf(p.traffic().messagesOut()), String.valueOf(p.traffic().bytesIn()),
                        String.valueOf(p.traffic().bytesOut())));
            }
            sb.append(table(rows));
            for (ProtocolInfo p : snapshot.protocols()) {
                sb.append("drops ").append(p.scheme()).append(": ").append(counts(p.drops())).append('\n');
                sb.append("refused ").append(p.scheme()).append(": ").append(counts(p.refusals())).append('\n');
            }
            for (ProtocolInfo p : snapshot.protocols()) {
                if (p.installed()) {
                    sb.append("metrics ").append(p.scheme()).append(": ").append(metrics(p.metrics())).append('\n');
                }
            }
        }
        long connected = snapshot.peers().stream().filter(p -> p.state() == TransportSnapshot.PeerState.CONNECTED).count();
        sb.append("sessions: ").append(snapshot.peers().size()).append(" (").append(connected).append(" connected), queued ")
                .append(snapshot.peers().stream().mapToLong(PeerInfo::queued).sum()).append(", unacked ")
                .append(snapshot.peers().stream().mapToLong(PeerInfo::unacked).sum()).append('\n');
        sb.append("refused at send: ").append(counts(snapshot.forwardRefusals())).append('\n');
        return sb.toString();
    }

    /**
     * Resolves what an operator typed as a node: a full node id, or a prefix of exactly one peer's id.
     *
     * @param text  what was typed
     * @param peers the known peers
     * @return the node
     * @throws IllegalArgumentException with a sentence for the operator if it names no node or several
     */
    static NodeId resolveNode(String text, List<PeerInfo> peers) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.length() == NODE_ID_TEXT_LENGTH) {
            return NodeId.parse(t);
        }
        List<NodeId> matches = peers.stream().map(PeerInfo::node).filter(n -> n.toString().startsWith(t)).toList();
        if (t.isEmpty() || matches.isEmpty()) {
            throw new IllegalArgumentException("no peer's node id starts with '" + text + "' (hypha:peers lists them)");
        }
        if (matches.size() > 1) {
            throw new IllegalArgumentException("'" + text + "' matches " + matches.size() + " peers; type more of the node id");
        }
        return matches.get(0);
    }

    private static <E extends Enum<E>> String counts(Map<E, Long> counts) {
        String s = counts.entrySet().stream().filter(e -> e.getValue() != 0)
                .sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey().name().toLowerCase(Locale.ROOT) + "=" + e.getValue())
                .collect(Collectors.joining(" "));
        return s.isEmpty() ? "none" : s;
    }

    /** The protocol's non-zero counters as {@code name=value}, sorted by name; {@code none} if all are zero. */
    private static String metrics(Map<String, Long> metrics) {
        String s = metrics.entrySet().stream().filter(e -> e.getValue() != 0)
                .sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" "));
        return s.isEmpty() ? "none" : s;
    }

    private static String rtt(long micros) {
        return micros < 0 ? "-" : millis(micros) + " ms";
    }

    private static String millis(long micros) {
        return String.format(Locale.ROOT, "%.3f", micros / 1000.0);
    }

    private static String table(List<List<String>> rows) {
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
