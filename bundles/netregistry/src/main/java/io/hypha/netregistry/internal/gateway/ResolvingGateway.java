package io.hypha.netregistry.internal.gateway;

import io.hypha.api.DeliveryFailure;
import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import io.hypha.api.advert.AdvertDirectory;
import io.hypha.api.advert.NodeAdvert;
import io.hypha.api.router.LocalDelivery;
import io.hypha.api.router.RelayRoute;
import io.hypha.api.router.RemoteGateway;
import io.hypha.api.transport.Network;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's remote gateway when the NetRegistry is installed: resolves a destination node id to a way of reaching
 * it, then hands the message on.
 *
 * <pre>
 *  forward(msg to node N)
 *   ├─ messages for N are held (N is being resolved) ─────────────▶ hold it too, behind them
 *   ├─ N's advert lists relays and no address, N not connected ───▶ RelayRoute.forward  (none installed: NO_ROUTE)
 *   ├─ the Transport engine knows N (Network.knows) ──────────────▶ Transport gateway
 *   └─ otherwise hold it, then resolve N:
 *        advert held, or found by lookup through connected peers
 *          ├─ with addresses ──▶ Network.learn(N, addresses), then every held message to the Transport gateway, in order
 *          ├─ relays only ─────▶ every held message to the RelayRoute, in order
 *          └─ none / no advert ▶ every held message reported undeliverable: NO_ROUTE
 * </pre>
 *
 * Messages for one node are held in a bounded queue while it is resolved (beyond it, and beyond the number of nodes
 * resolved at once, forward refuses with {@link DeliveryFailure#MAILBOX_FULL}), and leave it in the order they came,
 * before any later message for that node: a sender's order is kept. A refusal found after {@code forward} returned is
 * reported with {@link LocalDelivery#undeliverable}, so the sending engine is told.
 *
 * <p>Thread-safe and never blocking: the fast path (the Transport engine knows the node) takes no lock; holding and
 * releasing take one short lock; resolving runs on whatever thread completes the learn or the lookup.
 */
public final class ResolvingGateway implements RemoteGateway {
    private static final Logger LOG = LoggerFactory.getLogger(ResolvingGateway.class);

    private final RemoteGateway transport;
    private final Network network;
    private final AdvertDirectory directory;
    private final LocalDelivery local;
    private final Supplier<RelayRoute> relay;
    private final String node;
    private volatile int holdPerNode;
    private volatile int holdNodes;

    private final Object lock = new Object();
    private final Map<NodeId, Hold> holds = new ConcurrentHashMap<>();
    private boolean closed;

    private final AtomicLong resolved = new AtomicLong();
    private final AtomicLong relayed = new AtomicLong();
    private final AtomicLong unresolved = new AtomicLong();
    private final AtomicLong refusedHoldFull = new AtomicLong();

    /** The messages for one node held while it is resolved; guarded by the gateway's lock. */
    private static final class Hold {
        final NodeId node;
        final ArrayDeque<Envelope> messages = new ArrayDeque<>();
        boolean released;

        Hold(NodeId node) {
            this.node = node;
        }
    }

    /** Where a message goes without holding it, or {@code null}: resolve first. */
    private static final Route TRANSPORT = new Route.Transport();

    private sealed interface Route {
        record Transport() implements Route {
        }

        record Relay(NodeAdvert advert) implements Route {
        }
    }

    /**
     * @param transport   the Transport engine's gateway
     * @param network     the Transport engine's view of the network
     * @param directory   the NetRegistry's adverts
     * @param local       where refusals found later are reported
     * @param relay       the relay route if one is installed now (read at each use), or {@code null}
     * @param holdPerNode most messages held for one node while it is resolved (at least 1)
     * @param holdNodes   most nodes resolved at once (at least 1)
     */
    public ResolvingGateway(RemoteGateway transport, Network network, AdvertDirectory directory, LocalDelivery local,
                            Supplier<RelayRoute> relay, int holdPerNode, int holdNodes) {
        this.transport = Objects.requireNonNull(transport, "transport");
        this.network = Objects.requireNonNull(network, "network");
        this.directory = Objects.requireNonNull(directory, "directory");
        this.local = Objects.requireNonNull(local, "local");
        this.relay = Objects.requireNonNull(relay, "relay");
        this.node = network.self().shortForm();
        bounds(holdPerNode, holdNodes);
    }

    /**
     * Changes the holding bounds; messages already held stay.
     *
     * @param perNode most messages held for one node (at least 1)
     * @param nodes   most nodes resolved at once (at least 1)
     */
    public void bounds(int perNode, int nodes) {
        if (perNode < 1 || nodes < 1) {
            throw new IllegalArgumentException("holding bounds are at least 1, got " + perNode + " per node and " + nodes + " nodes");
        }
        holdPerNode = perNode;
        holdNodes = nodes;
    }

    @Override
    public DeliveryFailure forward(Envelope envelope) {
        NodeId dst = envelope.dst().node();
        if (!holds.containsKey(dst)) {
            Route route = route(dst);
            if (route != null) {
                return send(route, envelope);
            }
        }
        Hold hold;
        synchronized (lock) {
            Hold held = holds.get(dst);
            if (held != null) {
                if (held.messages.size() >= holdPerNode) {
                    refusedHoldFull.incrementAndGet();
                    return DeliveryFailure.MAILBOX_FULL;
                }
                held.messages.add(envelope);
                return null;
            }
            Route route = route(dst); // resolved meanwhile (a hold was just released)?
            if (route != null) {
                return send(route, envelope);
            }
            if (closed || holds.size() >= holdNodes) {
                refusedHoldFull.incrementAndGet();
                LOG.warn("node {}: refusing a message to {}: {}", node, dst, closed ? "the gateway is stopping"
                        : holds.size() + " nodes are being resolved (setting holdNodes)");
                return closed ? DeliveryFailure.NO_ROUTE : DeliveryFailure.MAILBOX_FULL;
            }
            hold = new Hold(dst);
            hold.messages.add(envelope);
            holds.put(dst, hold);
        }
        resolve(hold);
        return null;
    }

    /** @return where a message to the node goes now, or {@code null} if the node must be resolved first */
    private Route route(NodeId dst) {
        if (network.connected().contains(dst)) {
            return TRANSPORT; // connected now: direct, without touching the advert table on the hot path
        }
        Optional<NodeAdvert> advert = Optional.empty();
        if (relay.get() != null) {
            advert = directory.find(dst);
            if (advert.isPresent() && relayOnly(advert.get()) && !network.connected().contains(dst)) {
                return new Route.Relay(advert.get());
            }
        }
        if (network.knows(dst)) {
            return TRANSPORT;
        }
        if (advert.isEmpty()) {
            advert = directory.find(dst);
        }
        return advert.isPresent() && relayOnly(advert.get()) ? new Route.Relay(advert.get()) : null;
    }

    private static boolean relayOnly(NodeAdvert advert) {
        return advert.addresses().isEmpty() && !advert.relays().isEmpty();
    }

    private DeliveryFailure send(Route route, Envelope envelope) {
        if (route instanceof Route.Relay r) {
            RelayRoute relayRoute = relay.get();
            if (relayRoute == null) {
                return DeliveryFailure.NO_ROUTE;
            }
            relayed.incrementAndGet();
            return relayRoute.forward(envelope, r.advert());
        }
        return transport.forward(envelope);
    }

    // ------------------------------------------------------------------------------------------------ resolving

    private void resolve(Hold hold) {
        Optional<NodeAdvert> held = directory.find(hold.node);
        if (held.isPresent()) {
            resolved(hold, held.get());
            return;
        }
        directory.lookup(hold.node).whenComplete((found, error) -> {
            if (error != null || found.isEmpty()) {
                unresolved.incrementAndGet();
                release(hold, null, "no connected peer knows node " + hold.node
                        + (error == null ? "" : " (" + error + ")"));
            } else {
                resolved(hold, found.get());
            }
        });
    }

    private void resolved(Hold hold, NodeAdvert advert) {
        if (!advert.addresses().isEmpty()) {
            network.learn(hold.node, advert.addresses()).whenComplete((done, error) -> {
                if (error != null) {
                    unresolved.incrementAndGet();
                    release(hold, null, "the Transport engine did not take the addresses of node " + hold.node + ": " + error);
                } else {
                    resolved.incrementAndGet();
                    release(hold, TRANSPORT, null);
                }
            });
        } else if (!advert.relays().isEmpty()) {
            resolved.incrementAndGet();
            release(hold, new Route.Relay(advert), null);
        } else {
            unresolved.incrementAndGet();
            release(hold, null, "the advert of node " + hold.node + " lists no address and no relay");
        }
    }

    /**
     * Hands every held message on by the route, in order, or reports each undeliverable ({@code NO_ROUTE}), then drops
     * the hold. Under the lock, so that no message for the node overtakes the held ones; the reports are made after.
     */
    private void release(Hold hold, Route route, String noRoute) {
        List<Refusal> refusals = new ArrayList<>();
        synchronized (lock) {
            if (hold.released) {
                return;
            }
            hold.released = true;
            holds.remove(hold.node, hold);
            for (Envelope envelope : hold.messages) {
                DeliveryFailure failure = route == null ? DeliveryFailure.NO_ROUTE : send(route, envelope);
                if (failure != null) {
                    refusals.add(new Refusal(envelope, failure, route == null ? noRoute
                            : "refused on the way to node " + hold.node + " after it was resolved"));
                }
            }
            hold.messages.clear();
        }
        for (Refusal r : refusals) {
            local.undeliverable(r.envelope(), r.failure(), r.detail());
        }
    }

    private record Refusal(Envelope envelope, DeliveryFailure failure, String detail) {
    }

    /** Reports every held message undeliverable ({@code NO_ROUTE}) and refuses new ones: the gateway goes away. */
    public void close() {
        List<Hold> all;
        synchronized (lock) {
            closed = true;
            all = List.copyOf(holds.values());
        }
        for (Hold hold : all) {
            release(hold, null, "the resolving gateway stopped while node " + hold.node + " was being resolved");
        }
    }

    /** @return messages held now, for all nodes */
    public int held() {
        synchronized (lock) {
            return holds.values().stream().mapToInt(h -> h.messages.size()).sum();
        }
    }

    /** @return nodes being resolved now */
    public int resolving() {
        return holds.size();
    }

    @Override
    public String toString() {
        return "ResolvingGateway{node " + node + ", resolving " + holds.size() + ", resolved " + resolved + ", relayed "
                + relayed + ", unresolved " + unresolved + ", refused (hold full) " + refusedHoldFull + "}";
    }
}
