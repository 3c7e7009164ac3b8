package io.hypha.router.internal;

import io.hypha.api.DeliveryFailure;
import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import io.hypha.api.identity.NodeIdentity;
import io.hypha.api.router.LocalDelivery;
import io.hypha.api.router.RemoteGateway;
import io.hypha.api.router.Router;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's {@link Router}: decides who receives a message. A destination on this node goes to the engine runtime
 * ({@link LocalDelivery}); one on another node goes to the {@link RemoteGateway} with the highest service ranking
 * (the Transport engine) when one is installed, and is dead-lettered as {@link DeliveryFailure#NO_ROUTE} otherwise.
 *
 * <p>The whole decision is {@link #decide}: the seam where topics, domains and relays join in later releases.
 * Routing never blocks, never throws for a delivery failure and takes no lock (the gateway is a volatile reference
 * that DS swaps).
 */
@Component(service = Router.class)
public final class RouterComponent implements Router {
    private static final Logger LOG = LoggerFactory.getLogger(RouterComponent.class);

    /** Where a message goes. */
    enum Route {
        /** An engine on this node. */
        LOCAL,
        /** Another node, through the remote gateway. */
        GATEWAY,
        /** Another node, but no gateway is installed. */
        NONE
    }

    private final LocalDelivery local;
    private final NodeId node;
    private final AtomicReference<RemoteGateway> gateway = new AtomicReference<>();

    /**
     * @param local    the engine runtime
     * @param identity this node's identity
     */
    @Activate
    public RouterComponent(@Reference LocalDelivery local, @Reference NodeIdentity identity) {
        this.local = Objects.requireNonNull(local, "local");
        this.node = Objects.requireNonNull(identity, "identity").id();
        LOG.debug("node {}: router started", node.shortForm());
    }

    /** @param g the gateway with the highest ranking; greedy: a better one replaces it */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindGateway")
    void bindGateway(RemoteGateway g) {
        gateway.set(g);
        LOG.info("node {}: remote gateway {} installed", node.shortForm(), g.getClass().getName());
    }

    /** @param g a gateway going away; cleared only if it is the one in use (DS binds a replacement first) */
    void unbindGateway(RemoteGateway g) {
        if (gateway.compareAndSet(g, null)) {
            LOG.info("node {}: remote gateway removed; messages to other nodes are dead-lettered as NO_ROUTE", node.shortForm());
        }
    }

    @Override
    public NodeId localNode() {
        return node;
    }

    @Override
    public long nextMessageId() {
        return local.nextMessageId();
    }

    @Override
    public void route(Envelope envelope) {
        RemoteGateway g = gateway.get();
        switch (decide(envelope, g)) {
            case LOCAL -> local.deliver(envelope);
            case GATEWAY -> forward(envelope, g);
            case NONE -> local.undeliverable(envelope, DeliveryFailure.NO_ROUTE,
                    "no transport is installed on node " + node.shortForm() + ", so it cannot reach node "
                            + envelope.dst().node().shortForm() + "; install a transport feature (quic or tls)");
        }
    }

    /**
     * The routing decision, kept in one place.
     *
     * @param envelope the message
     * @param g        the gateway in use, or {@code null}
     * @return where it goes
     */
    Route decide(Envelope envelope, RemoteGateway g) {
        NodeId to = envelope.dst().node();
        if (to == null || to == node || to.equals(node)) {
            return Route.LOCAL;
        }
        return g != null ? Route.GATEWAY : Route.NONE;
    }

    private void forward(Envelope envelope, RemoteGateway g) {
        DeliveryFailure refused;
        try {
            refused = g.forward(envelope);
        } catch (RuntimeException e) {
            LOG.error("node {}: remote gateway {} failed on {}", node.shortForm(), g.getClass().getName(), envelope, e);
            local.undeliverable(envelope, DeliveryFailure.NO_ROUTE, "the remote gateway failed: " + e);
            return;
        }
        if (refused != null) {
            local.undeliverable(envelope, refused, "the remote gateway refused the message to node "
                    + envelope.dst().node().shortForm());
        }
    }

    @Override
    public String toString() {
        return "Router[" + node.shortForm() + "]";
    }
}
