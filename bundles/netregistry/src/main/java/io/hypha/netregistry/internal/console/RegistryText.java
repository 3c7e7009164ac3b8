package io.hypha.netregistry.internal.console;

import io.hypha.api.NodeId;
import io.hypha.api.advert.AdvertRejection;
import io.hypha.api.advert.NodeAdvert;
import io.hypha.api.advert.TransportAddress;
import io.hypha.netregistry.internal.registry.RegistrySnapshot;
import io.hypha.netregistry.internal.registry.RegistrySnapshot.Counters;
import io.hypha.netregistry.internal.registry.RegistrySnapshot.SeedInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The text of the registry commands: pure functions of a {@link RegistrySnapshot}, so every layout is testable.
 * Node ids are printed in full (what {@code hypha:send} and {@code hypha:connect} take); counters are
 * {@code name=value} words on a line that starts with its name and a colon.
 */
final class RegistryText {
    /** Length of a node id's text form. */
    private static final int NODE_ID_TEXT_LENGTH = 52;

    private RegistryText() {
    }

    /** @param s the registry's state @return the {@code hypha:adverts} text */
    static String adverts(RegistrySnapshot s) {
        StringBuilder sb = new StringBuilder();
        sb.append("own: ").append(s.own().map(RegistryText::summary).orElse(s.self() + " no advert yet (nothing to"
                + " advertise: no listening address and no relay)")).append('\n');
        if (s.adverts().isEmpty()) {
            sb.append("no adverts of other nodes held (seeds, connections and samples bring them)\n");
        } else {
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("NODE", "VERSION", "ADDRESSES", "RELAYS", "EXPIRES"));
            for (NodeAdvert a : s.adverts()) {
                rows.add(List.of(a.node().toString(), String.valueOf(a.version()), addresses(a.addresses()),
                        relays(a.relays()), a.expires().toString()));
            }
            sb.append(table(rows));
        }
        sb.append("held: ").append(s.adverts().size()).append(" of ").append(s.capacity()).append(" (store ")
                .append(s.storeFile()).append(")\n");
        sb.append("rejected: ").append(rejections(s.rejections())).append('\n');
        sb.append("refused (table full): ").append(s.tableFull()).append('\n');
        Counters c = s.counters();
        sb.append("counters: accepted=").append(c.accepted()).append(" lookups=").append(c.lookups()).append(" found=")
                .append(c.lookupsFound()).append(" missed=").append(c.lookupsMissed()).append(" refused=")
                .append(c.lookupsRefused()).append(" samples=").append(c.samples()).append(" bad_messages=")
                .append(c.badMessages()).append('\n');
        for (SeedInfo seed : s.seeds()) {
            sb.append("seed ").append(seed.address()).append(": ").append(seed.state().name().toLowerCase(Locale.ROOT));
            if (seed.peer() != null) {
                sb.append(" (").append(seed.peer()).append(')');
            }
            if (seed.failures() > 0) {
                sb.append(", ").append(seed.failures()).append(" failed dials, last: ").append(seed.lastError());
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** @param advert an advert found @return the {@code hypha:lookup} text */
    static String found(NodeAdvert advert) {
        return "found " + summary(advert) + "\n";
    }

    /** @param node a node nobody knew @param timeoutMillis the lookup timeout @return the sentence */
    static String notFound(NodeId node, long timeoutMillis) {
        return "no peer knew node " + node + " (none of the connected peers answered with its advert within "
                + timeoutMillis + " ms; hypha:peers lists them)";
    }

    /** One line: node, version, addresses, relays, expiry. */
    static String summary(NodeAdvert a) {
        return a.node() + " v" + a.version() + " addresses " + addresses(a.addresses()) + " relays " + relays(a.relays())
                + " expires " + a.expires();
    }

    /**
     * Resolves what an operator typed as a node: a full node id, or the start of exactly one held advert's node id.
     *
     * @param text    what was typed
     * @param adverts the adverts held
     * @return the node
     * @throws IllegalArgumentException with a sentence for the operator if it names no node or several
     */
    static NodeId resolveNode(String text, List<NodeAdvert> adverts) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.length() == NODE_ID_TEXT_LENGTH) {
            return NodeId.parse(t);
        }
        List<NodeId> matches = adverts.stream().map(NodeAdvert::node).filter(n -> n.toString().startsWith(t)).toList();
        if (t.isEmpty() || matches.isEmpty()) {
            throw new IllegalArgumentException("'" + text + "' is not a node id (52 base32 characters) nor the start of the"
                    + " node id of an advert held here (hypha:adverts lists them)");
        }
        if (matches.size() > 1) {
            throw new IllegalArgumentException("'" + text + "' matches " + matches.size() + " adverts; type more of the node id");
        }
        return matches.get(0);
    }

    private static String addresses(List<TransportAddress> addresses) {
        return addresses.isEmpty() ? "-" : addresses.stream().map(a -> a.uri() + "(" + a.weight() + ")")
                .collect(Collectors.joining(","));
    }

    private static String relays(List<NodeId> relays) {
        return relays.isEmpty() ? "-" : relays.stream().map(NodeId::toString).collect(Collectors.joining(","));
    }

    private static String rejections(Map<AdvertRejection, Long> counts) {
        String s = counts.entrySet().stream().filter(e -> e.getValue() != 0).sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey().name().toLowerCase(Locale.ROOT) + "=" + e.getValue())
                .collect(Collectors.joining(" "));
        return s.isEmpty() ? "none" : s;
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
