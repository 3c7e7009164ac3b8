package io.hypha.api.advert;

import io.hypha.api.NodeId;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The verified node adverts this node holds, and its own. Registered by the NetRegistry. The Transport engine reads
 * advert versions for its handshake; routing reads adverts to find addresses and relays.
 *
 * <p>Every method is thread-safe and, except {@link #lookup}, answers from memory at once.
 *
 * @since 1.1
 */
@ProviderType
public interface AdvertDirectory {
    /** @return the version of this node's current signed advert, 0 before it has one */
    long ownVersion();

    /** @return this node's current signed advert, if it has one */
    Optional<NodeAdvert> own();

    /**
     * @param node a node
     * @return the version of its advert held here, 0 if none
     */
    long knownVersion(NodeId node);

    /**
     * @param node a node
     * @return its advert if one is held here and has not expired
     */
    Optional<NodeAdvert> find(NodeId node);

    /**
     * Finds a node's advert: the one held here, or else asks connected peers ({@code GetNodeAdvert}) and keeps the
     * first valid answer.
     *
     * @param node the node
     * @return completes with the advert, or empty if no peer knew it within the lookup timeout; never fails
     */
    CompletionStage<Optional<NodeAdvert>> lookup(NodeId node);

    /**
     * Sets the relays this node lists in its own advert, and whether the advert lists its listening addresses. An
     * edge node lists its relays and no address; senders then reach it through a relay. Re-signs and re-publishes
     * the advert when this changes it.
     *
     * @param relays             the relays that hold messages for this node, first preferred; empty for none
     * @param advertiseAddresses whether the advert lists this node's listening addresses
     */
    void useRelays(List<NodeId> relays, boolean advertiseAddresses);
}
