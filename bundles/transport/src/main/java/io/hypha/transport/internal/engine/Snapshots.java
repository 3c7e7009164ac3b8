package io.hypha.transport.internal.engine;

import io.hypha.transport.internal.Drop;
import io.hypha.transport.internal.Refusal;
import io.hypha.transport.internal.TransportSnapshot;
import io.hypha.transport.internal.TransportSnapshot.PeerInfo;
import io.hypha.transport.internal.TransportSnapshot.PeerState;
import io.hypha.transport.internal.TransportSnapshot.ProtocolInfo;
import io.hypha.transport.internal.TransportSnapshot.Traffic;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds a {@link TransportSnapshot} from the engine's state. Engine thread only. */
final class Snapshots {
    private static final Logger LOG = LoggerFactory.getLogger(Snapshots.class);

    private Snapshots() {
    }

    static TransportSnapshot take(TransportEngine engine, LongAdder[] forwardRefusals) {
        Map<String, Integer> connections = engine.links.connectionsByScheme();
        Map<String, List<URI>> listening = engine.protocols.listeningByScheme();
        List<ProtocolInfo> protocols = new ArrayList<>();
        for (SchemeStats st : engine.protocols.stats()) {
            protocols.add(new ProtocolInfo(st.scheme, engine.protocols.isInstalled(st.scheme),
                    listening.getOrDefault(st.scheme, List.of()), connections.getOrDefault(st.scheme, 0),
                    new Traffic(st.messagesIn, st.messagesOut, st.bytesIn, st.bytesOut), drops(st.drops),
                    refusals(st.refusals), metrics(engine.protocols.current(st.scheme))));
        }
        protocols.sort(Comparator.comparing(ProtocolInfo::scheme));

        List<PeerInfo> peers = new ArrayList<>();
        for (Session s : engine.sessions.all()) {
            Link a = s.active;
            PeerState state = a != null ? PeerState.CONNECTED : s.links.isEmpty() ? PeerState.DISCONNECTED : PeerState.CONNECTING;
            long[] drops = s.drops.clone();
            drops[Drop.BUFFER_FULL.ordinal()] += s.gate.refusedFull.sum();
            peers.add(new PeerInfo(s.peer, state, s.permanent, a == null ? "" : a.scheme(), a == null ? null : a.address,
                    a == null || a.rttNanos < 0 ? -1 : a.rttNanos / 1000, s.queued(), s.inflight, s.links.size(),
                    new Traffic(s.messagesIn, s.messagesOut, s.bytesIn, s.bytesOut), drops(drops)));
        }
        peers.sort(Comparator.comparing(PeerInfo::node));

        long[] refused = new long[forwardRefusals.length];
        for (int i = 0; i < refused.length; i++) {
            refused[i] = forwardRefusals[i].sum();
        }
        return new TransportSnapshot(engine.self, protocols, peers, drops(refused));
    }

    /** The protocol's own counters; a protocol that fails to give them shows none rather than breaking the snapshot. */
    private static Map<String, Long> metrics(ProtocolHandle handle) {
        if (handle == null) {
            return Map.of();
        }
        try {
            Map<String, Long> metrics = handle.protocol.metrics();
            Map<String, Long> out = new HashMap<>();
            if (metrics != null) {
                metrics.forEach((k, v) -> {
                    if (k != null && v != null) {
                        out.put(k, v);
                    }
                });
            }
            return out;
        } catch (RuntimeException e) {
            LOG.debug("transport protocol {} failed to give its metrics: {}", handle, e.toString());
            return Map.of();
        }
    }

    private static Map<Drop, Long> drops(long[] counts) {
        Map<Drop, Long> out = new EnumMap<>(Drop.class);
        for (Drop d : Drop.values()) {
            out.put(d, counts[d.ordinal()]);
        }
        return out;
    }

    private static Map<Refusal, Long> refusals(long[] counts) {
        Map<Refusal, Long> out = new EnumMap<>(Refusal.class);
        for (Refusal r : Refusal.values()) {
            out.put(r, counts[r.ordinal()]);
        }
        return out;
    }
}
