package io.hypha.transport.internal;

import io.hypha.api.NodeId;
import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * What the Transport engine holds at one moment, for the console and metrics: its protocols, its peers and its
 * counters. Taken on the engine thread, so its numbers agree with each other.
 *
 * @param self             this node
 * @param protocols        one entry per scheme seen since start (installed or not), sorted by scheme
 * @param peers            one entry per session, sorted by node id
 * @param forwardRefusals  messages refused when they were handed to the engine, before a scheme was chosen, by reason
 */
public record TransportSnapshot(NodeId self, List<ProtocolInfo> protocols, List<PeerInfo> peers,
                                Map<Drop, Long> forwardRefusals) {
    /** Copies the lists and map. */
    public TransportSnapshot {
        protocols = List.copyOf(protocols);
        peers = List.copyOf(peers);
        forwardRefusals = Map.copyOf(forwardRefusals);
    }

    /**
     * Messages and bytes in each direction.
     *
     * @param messagesIn  Data frames received (duplicates included)
     * @param messagesOut Data frames sent (resends included)
     * @param bytesIn     bytes of frames received
     * @param bytesOut    bytes of frames sent
     */
    public record Traffic(long messagesIn, long messagesOut, long bytesIn, long bytesOut) {
    }

    /**
     * One transport scheme.
     *
     * @param scheme      the scheme ({@code tls}, {@code quic}, ...)
     * @param installed   whether a protocol for it is installed now
     * @param listening   addresses it is bound to now
     * @param connections open connections (including those in their handshake)
     * @param traffic     counters since start
     * @param drops       message drops by reason, since start (every reason present)
     * @param refusals    connections refused or closed by reason, since start (every reason present)
     * @param metrics     the installed protocol's own counters ({@code TransportProtocol.metrics()}), by dotted name;
     *                    empty if it is not installed or keeps none
     */
    public record ProtocolInfo(String scheme, boolean installed, List<URI> listening, int connections, Traffic traffic,
                               Map<Drop, Long> drops, Map<Refusal, Long> refusals, Map<String, Long> metrics) {
        /** Copies the lists and maps. */
        public ProtocolInfo {
            listening = List.copyOf(listening);
            drops = Map.copyOf(drops);
            refusals = Map.copyOf(refusals);
            metrics = Map.copyOf(metrics);
        }
    }

    /** Whether a peer can be sent to now. */
    public enum PeerState {
        /** A connection is open and carries the session. */
        CONNECTED,
        /** A connection is being opened. */
        CONNECTING,
        /** No connection; messages wait (until expiry, within the buffer bound). */
        DISCONNECTED
    }

    /**
     * One remote node.
     *
     * @param node        the node
     * @param state       whether it is connected
     * @param permanent   whether it is kept connected (re-dialled) rather than dialled on demand
     * @param scheme      scheme of the active connection, or empty
     * @param address     address of the active connection, or {@code null}
     * @param rttMicros   last measured round-trip time on the active connection in microseconds, or -1 if unknown
     * @param queued      messages waiting to be sent
     * @param unacked     messages sent and not yet acknowledged
     * @param connections open connections to it (including those in their handshake)
     * @param traffic     counters since the session was created
     * @param drops       message drops by reason (every reason present)
     */
    public record PeerInfo(NodeId node, PeerState state, boolean permanent, String scheme, URI address, long rttMicros,
                           long queued, long unacked, int connections, Traffic traffic, Map<Drop, Long> drops) {
        /** Copies the map. */
        public PeerInfo {
            drops = Map.copyOf(drops);
        }
    }
}
