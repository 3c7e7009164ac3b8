package io.hypha.api.router;

import io.hypha.api.DeliveryFailure;
import io.hypha.api.Envelope;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Carries messages to other nodes: the seam between the {@link Router} and the network (the Transport engine).
 * Register at most one as an OSGi service; the router uses the one with the highest service ranking.
 */
@ConsumerType
public interface RemoteGateway {
    /**
     * Takes responsibility for a message to another node. Must not block. Failures found later (expiry,
     * unreachable node) are reported through {@link LocalDelivery#undeliverable}.
     *
     * @param envelope the message; its destination has a node other than this one
     * @return {@code null} if the message was accepted, otherwise why it was refused right away
     */
    DeliveryFailure forward(Envelope envelope);
}
