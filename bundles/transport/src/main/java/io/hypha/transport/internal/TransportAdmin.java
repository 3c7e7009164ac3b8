package io.hypha.transport.internal;

import io.hypha.api.NodeId;
import io.hypha.api.advert.AdvertDirectory;
import io.hypha.api.advert.TransportAddress;
import io.hypha.api.transport.NetworkListener;
import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * The operator's view of the Transport engine, used by the console commands of this bundle. Registered as a service
 * by the engine's component (its type is private to this bundle). Every method is thread-safe and non-blocking; the
 * stages fail with an {@link AdminException}.
 */
public interface TransportAdmin {
    /** @return this node's id */
    NodeId self();

    /** @return the addresses actually bound by the listening transports, in configuration order */
    List<URI> listening();

    /**
     * Dials an address and keeps the node connected (a permanent peer: re-dialled with backoff when the connection
     * drops).
     *
     * @param address {@code scheme://host:port}, optionally {@code scheme://nodeid@host:port} to require that node
     * @return the node reached, once the handshake succeeded
     */
    CompletionStage<ConnectResult> connect(URI address);

    /**
     * Sends one Ping on the node's active connection.
     *
     * @param node the peer
     * @return the round trip
     */
    CompletionStage<PingResult> ping(NodeId node);

    /** @return a consistent snapshot of protocols, peers and counters, taken on the engine thread */
    CompletionStage<TransportSnapshot> snapshot();

    /**
     * The result of {@link #connect}.
     *
     * @param node    the node reached (authenticated)
     * @param address the address dialled, without node id
     */
    /** @param node a node @return whether the engine holds a session for it */
    boolean knows(NodeId node);

    /** @return peers with an open connection: a live, read-only view */
    Set<NodeId> connectedPeers();

    /**
     * @param node      a node
     * @param addresses its advertised addresses, replacing those of its earlier advert
     * @return completes when the node's session holds them
     */
    CompletionStage<Void> learnAdvertised(NodeId node, List<TransportAddress> addresses);

    /** @param listener told of listening changes and peers (first with the current listening set) */
    void addListener(NetworkListener listener);

    /** @param listener no longer told */
    void removeListener(NetworkListener listener);

    /** @param directory where handshake advert versions come from, or {@code null} for none */
    void useAdverts(AdvertDirectory directory);

    record ConnectResult(NodeId node, URI address) {
    }

    /**
     * The result of {@link #ping}.
     *
     * @param node       the peer
     * @param address    the address of the connection the ping went over
     * @param rttMicros  the round-trip time in microseconds
     */
    record PingResult(NodeId node, URI address, long rttMicros) {
    }
}
