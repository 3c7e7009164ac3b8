package io.hypha.api.transport;

import io.hypha.api.NodeId;
import io.hypha.api.advert.TransportAddress;
import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ProviderType;

/**
 * This node's view of its connections, as the Transport engine keeps it: who is connected, where this node listens,
 * and the addresses at which other nodes can be dialled. Registered by the Transport engine for the bundles that
 * work above it (the NetRegistry feeds it addresses from verified adverts; the relay reads who is connected).
 *
 * <p>The Transport engine registers its {@link io.hypha.api.router.RemoteGateway} with the service property
 * {@value #GATEWAY_PROPERTY}{@code =}{@value #TRANSPORT_GATEWAY}, so a gateway that adds routing of its own (resolving
 * node ids, relays) can register with a higher ranking and pass messages on to it.
 *
 * @since 1.1
 */
@ProviderType
public interface Network {
    /** Service property naming what a {@link io.hypha.api.router.RemoteGateway} is. */
    String GATEWAY_PROPERTY = "hypha.gateway";
    /** {@link #GATEWAY_PROPERTY} value of the Transport engine's gateway. */
    String TRANSPORT_GATEWAY = "transport";

    /** @return this node's id */
    NodeId self();

    /** @return every address this node listens on now, {@code scheme://host:port} */
    List<URI> listening();

    /** @return the peers with at least one open, authenticated connection: a read-only view that follows changes, cheap enough to ask per message */
    Set<NodeId> connected();

    /**
     * @param node a node
     * @return whether the Transport engine holds a session for it (connected now, or with addresses to dial), so
     *         that its gateway takes messages for it
     */
    boolean knows(NodeId node);

    /**
     * Sets the addresses at which a node can be dialled, from its verified advert: they replace the addresses an
     * earlier advert gave (addresses an operator typed stay). Creates the node's session if needed; it is dialled on
     * demand when messages wait for it.
     *
     * @param node      the node
     * @param addresses its advertised addresses with their weights; unknown schemes are kept for when their
     *                  transport is installed
     * @return completes when the Transport engine has taken them, after which {@link #knows} is true and its gateway
     *         takes messages for the node
     */
    CompletionStage<Void> learn(NodeId node, List<TransportAddress> addresses);

    /**
     * Dials an address and completes when the session's handshake is done.
     *
     * @param address {@code scheme://host:port}, optionally with the expected node id as user-info
     * @return the peer's authenticated id; fails with a {@link TransportException} if the dial or handshake failed
     */
    CompletionStage<NodeId> connect(URI address);
}
