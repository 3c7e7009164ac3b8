package io.hypha.api.router;

import io.hypha.api.DeliveryFailure;
import io.hypha.api.Envelope;
import io.hypha.api.advert.NodeAdvert;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Carries messages to edge nodes: nodes that cannot be dialled and list relays in their {@link NodeAdvert} instead
 * of addresses. Registered by the relay bundle; the node's resolving gateway hands it every message whose destination
 * advert names relays and no address. The implementation seals the message for the edge node, hands it to one of the
 * relays and reports later failures (the relay's quota was full, the message expired there) through
 * {@link LocalDelivery#undeliverable}.
 *
 * @since 1.1
 */
@ConsumerType
public interface RelayRoute {
    /**
     * Takes responsibility for a message to an edge node. Must not block.
     *
     * @param envelope the message; its destination is the edge node
     * @param edge     the edge node's verified advert (its relays, first preferred)
     * @return {@code null} if taken; otherwise why it was refused right away
     */
    DeliveryFailure forward(Envelope envelope, NodeAdvert edge);
}
