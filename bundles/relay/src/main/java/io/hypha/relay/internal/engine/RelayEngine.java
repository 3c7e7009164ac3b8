package io.hypha.relay.internal.engine;

import io.hypha.api.DeadLetter;
import io.hypha.api.DeliveryFailure;
import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import io.hypha.api.advert.NodeAdvert;
import io.hypha.api.engine.Engine;
import io.hypha.api.engine.EngineContext;
import io.hypha.api.engine.Timer;
import io.hypha.api.router.LocalDelivery;
import io.hypha.api.seal.Sealer;
import io.hypha.api.transport.Network;
import io.hypha.relay.internal.wire.RelayCodec;
import io.hypha.relay.internal.wire.RelayMessage;
import io.hypha.relay.internal.wire.RelayMessage.Deliver;
import io.hypha.relay.internal.wire.RelayMessage.Delivered;
import io.hypha.relay.internal.wire.RelayMessage.Expired;
import io.hypha.relay.internal.wire.RelayMessage.Refused;
import io.hypha.relay.internal.wire.RelayMessage.Register;
import io.hypha.relay.internal.wire.RelayMessage.Registered;
import io.hypha.relay.internal.wire.RelayMessage.Store;
import io.hypha.relay.internal.wire.RelayMessage.Stored;
import io.hypha.relay.internal.wire.WireException;
import io.hypha.relay.store.RelayStore;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay engine ({@value #NAME}): one engine with three roles, which talk to the relay engines of other nodes with
 * the messages of {@link RelayMessage} (docs/relay-protocol.md).
 * <ul>
 *   <li>{@link SenderRole} (always): messages for edge nodes, handed over by the resolving gateway through
 *       {@link #forward}, sealed and given to a relay until it stored or refused them;</li>
 *   <li>{@link RelayRole} ({@code serve=true}): the store of messages for registered edge nodes, forwarded when they are
 *       online and deleted when they acknowledge;</li>
 *   <li>{@link EdgeRole} (relays configured): registration with the relays, and delivery of what they forward.</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * All the roles' state is touched on the engine's turn only, so it needs no locks. What arrives on other threads is
 * handed to the turn through an inbox: the gateway's {@link #forward} (after an atomic admission check, so that a full
 * sender refuses at once), the transport's connection events ({@link #peerConnected}, {@link #peerDisconnected}), the
 * store's completions, the io executor's reads, and console snapshots. The inbox is drained by a zero-delay timer of
 * the engine ({@link EngineContext#schedule}), which runs on its turn.
 */
public final class RelayEngine implements Engine, Port {
    /** The engine's name, the same on every node. */
    public static final String NAME = "relay";
    /** Most inbox tasks run in one turn, so that a flood of work does not hold the shared engine thread for long. */
    static final int MAX_TASKS_PER_TURN = 8_192;

    private static final Logger LOG = LoggerFactory.getLogger(RelayEngine.class);

    private final NodeId self;
    private final RelaySettings settings;
    private final InstantSource clock;
    private final Logger log;
    private final ConcurrentLinkedQueue<Runnable> inbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakeScheduled = new AtomicBoolean();
    private volatile EngineContext ctx;
    private volatile boolean stopped;
    private volatile Network network;

    private final EnumMap<Drop, Long> drops = new EnumMap<>(Drop.class);
    /** Peers connected now, as the transport told (turn-confined). */
    private final Set<NodeId> connected = new HashSet<>();
    private final SenderRole sender;
    private final RelayRole relay;
    private final EdgeRole edge;
    private Timer ticker;

    /**
     * @param self       this node
     * @param settings   the configuration
     * @param clock      the time
     * @param sealer     this node's sealer
     * @param local      local delivery, for opened messages and for failures reported to sending engines
     * @param store      the relay store if this node serves and it opened, else {@code null}
     * @param problem    why the store is not open while serving, or {@code null}
     * @param registry   where registrations are kept, or {@code null}
     * @param registered registrations kept from before
     * @param io         where store reads and registration writes run
     */
    public RelayEngine(NodeId self, RelaySettings settings, InstantSource clock, Sealer sealer, LocalDelivery local,
            RelayStore store, String problem, RegisteredEdges registry, Map<NodeId, Long> registered, Executor io) {
        this.self = Objects.requireNonNull(self, "self");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.log = LoggerFactory.getLogger(LOG.getName() + "." + self.shortForm());
        this.sender = new SenderRole(this, settings.sender(), sealer, local, connected::contains,
                node -> connected.contains(node) || knows(node), drops, new SecureRandom());
        this.relay = new RelayRole(this, settings.serve(), store, problem, registry, registered, io, drops);
        this.edge = new EdgeRole(this, settings.edge(), settings.protocolTtl().toMillis(), sealer, local, () -> network, drops);
    }

    /** @return the settings in force */
    public RelaySettings settings() {
        return settings;
    }

    // ------------------------------------------------------------------------------------------ other threads

    /**
     * Takes a message for an edge node (the {@code RelayRoute} contract): never blocks.
     *
     * @param envelope the message
     * @param advert   the edge node's verified advert
     * @return {@code null} if taken, else why not
     */
    public DeliveryFailure forward(Envelope envelope, NodeAdvert advert) {
        if (stopped) {
            return DeliveryFailure.NO_ROUTE;
        }
        DeliveryFailure refused = sender.admit(envelope, advert, clock.millis());
        if (refused != null) {
            return refused;
        }
        post(() -> {
            if (stopped) {
                sender.release(envelope);
            } else {
                sender.take(envelope, advert);
            }
        });
        return null;
    }

    /** @param peer a peer whose session became usable (transport thread) */
    public void peerConnected(NodeId peer) {
        post(() -> {
            connected.add(peer);
            sender.onConnected(peer);
            edge.onConnected(peer);
        });
    }

    /** @param peer a peer whose last connection closed (transport thread) */
    public void peerDisconnected(NodeId peer) {
        post(() -> {
            connected.remove(peer);
            sender.onDisconnected(peer);
            relay.onDisconnected(peer);
            edge.onDisconnected(peer);
        });
    }

    /** @param n the transport's network view, or {@code null} when it went away */
    public void network(Network n) {
        this.network = n;
        if (n != null) {
            post(() -> {
                try {
                    connected.addAll(n.connected());
                } catch (RuntimeException e) {
                    log.debug("no connection list from the network yet: {}", e.toString());
                }
                edge.onNetwork();
            });
        }
    }

    /** @return a consistent view of the engine, taken on its turn */
    public CompletionStage<RelaySnapshot> snapshot() {
        CompletableFuture<RelaySnapshot> done = new CompletableFuture<>();
        if (stopped) {
            done.completeExceptionally(new IllegalStateException("the relay engine is stopped"));
            return done;
        }
        post(() -> done.complete(new RelaySnapshot(self, sender.view(), relay.view(), edge.view(), new EnumMap<>(drops))));
        return done;
    }

    /** @return the relays this node is an edge node of, first preferred (empty: not an edge node) */
    public List<NodeId> relayIds() {
        return edge.relayIds();
    }

    private boolean knows(NodeId node) {
        Network n = network;
        if (n == null) {
            return false;
        }
        try {
            return n.knows(node);
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void post(Runnable task) {
        inbox.add(task);
        wake();
    }

    private void wake() {
        EngineContext c = ctx;
        if (c != null && !stopped && wakeScheduled.compareAndSet(false, true)) {
            c.schedule(Duration.ZERO, this::drain);
        }
    }

    // ------------------------------------------------------------------------------------------ engine turn

    @Override
    public void onStart(EngineContext context) {
        this.ctx = context;
        ticker = context.scheduleAtFixedRate(settings.tick(), this::tick);
        relay.tick();
        edge.start();
        log.info("relay engine started: sender{}{}", relay.serving() ? ", relay" : settings.serve().serve()
                ? ", relay (store unavailable)" : "", edge.active() ? ", edge of " + edge.relayIds().size() + " relays" : "");
        drain();
    }

    private void drain() {
        wakeScheduled.set(false);
        int n = 0;
        Runnable task;
        while (!stopped && (task = inbox.poll()) != null) {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.error("relay engine task failed", e);
            }
            if (++n >= MAX_TASKS_PER_TURN) {
                wake(); // the rest on another turn
                break;
            }
        }
        endOfTurn();
    }

    private void tick() {
        drain();
        sender.tick(network != null);
        relay.tick();
        edge.tick();
        endOfTurn();
    }

    private void endOfTurn() {
        if (stopped) {
            return;
        }
        relay.flush();
        sender.pump();
    }

    @Override
    public void onMessage(Envelope message, EngineContext context) {
        String type = message.type();
        if (!RelayCodec.isRelayType(type)) {
            count(Drop.UNKNOWN_TYPE);
            log.debug("not a relay message: {}", message);
            return;
        }
        EngineAddress src = message.src();
        if (src == null) {
            count(Drop.NO_SENDER);
            return;
        }
        NodeId from = src.node() == null ? self : src.node();
        RelayMessage m;
        try {
            m = RelayCodec.decode(type, message.payload());
        } catch (WireException e) {
            count(Drop.MALFORMED);
            log.warn("malformed {} from {} dropped: {}", type, from.shortForm(), e.getMessage());
            return;
        }
        if (m instanceof Store s) {
            relay.onStore(from, s);
        } else if (m instanceof Stored s) {
            sender.onStored(from, s);
        } else if (m instanceof Refused r) {
            sender.onRefused(from, r);
        } else if (m instanceof Expired x) {
            sender.onExpired(from, x);
        } else if (m instanceof Register) {
            relay.onRegister(from);
        } else if (m instanceof Registered r) {
            edge.onRegistered(from, r);
        } else if (m instanceof Deliver d) {
            edge.onDeliver(from, d);
        } else if (m instanceof Delivered d) {
            relay.onDelivered(from, d);
        }
        endOfTurn();
    }

    @Override
    public void onUndeliverable(DeadLetter letter, EngineContext context) {
        if (RelayCodec.STORE.equals(letter.envelope().type())) {
            sender.onStoreUndeliverable(letter);
        } else {
            // Control messages are answered or sent again by timeouts (registrations), or again by the store (deliveries).
            log.debug("relay message not delivered ({}): {}", letter.failure(), letter.envelope());
        }
        endOfTurn();
    }

    @Override
    public void onStop(EngineContext context) {
        drain();
        stopped = true;
        if (ticker != null) {
            ticker.cancel();
        }
        edge.stop();
        sender.abandonAll();
        Runnable task;
        while ((task = inbox.poll()) != null) {
            task.run(); // only releases and snapshot answers remain meaningful; roles check 'stopped' where it matters
        }
        log.info("relay engine stopped");
    }

    private void count(Drop drop) {
        drops.merge(drop, 1L, Long::sum);
    }

    // ------------------------------------------------------------------------------------------ Port

    @Override
    public NodeId self() {
        return self;
    }

    @Override
    public long now() {
        return clock.millis();
    }

    @Override
    public void send(NodeId node, RelayMessage message, long expiresAt) {
        EngineContext c = ctx;
        if (c == null || stopped) {
            return;
        }
        EngineAddress to = EngineAddress.of(node, NAME);
        byte[] payload = RelayCodec.encode(message);
        if (expiresAt == Envelope.NEVER) {
            c.send(to, message.type(), payload);
        } else {
            c.send(to, message.type(), payload, Duration.ofMillis(Math.max(1, expiresAt - clock.millis())));
        }
    }

    @Override
    public void sendControl(NodeId node, RelayMessage message) {
        send(node, message, clock.millis() + settings.protocolTtl().toMillis());
    }

    @Override
    public void later(long millis, Runnable task) {
        EngineContext c = ctx;
        if (c != null && !stopped) {
            c.schedule(Duration.ofMillis(millis), () -> {
                task.run();
                endOfTurn();
            });
        }
    }

    @Override
    public Logger log() {
        return log;
    }

    @Override
    public String toString() {
        return "RelayEngine{" + self.shortForm() + "}";
    }
}
