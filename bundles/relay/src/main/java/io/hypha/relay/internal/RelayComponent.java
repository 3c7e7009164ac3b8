package io.hypha.relay.internal;

import io.hypha.api.DeadLetter;
import io.hypha.api.DeliveryFailure;
import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import io.hypha.api.advert.AdvertDirectory;
import io.hypha.api.advert.NodeAdvert;
import io.hypha.api.engine.Engine;
import io.hypha.api.engine.EngineContext;
import io.hypha.api.engine.EngineName;
import io.hypha.api.identity.NodeIdentity;
import io.hypha.api.router.LocalDelivery;
import io.hypha.api.router.RelayRoute;
import io.hypha.api.seal.Sealer;
import io.hypha.api.transport.Network;
import io.hypha.api.transport.NetworkListener;
import io.hypha.relay.internal.engine.RegisteredEdges;
import io.hypha.relay.internal.engine.RelayEngine;
import io.hypha.relay.internal.engine.RelaySettings;
import io.hypha.relay.internal.engine.RelaySettings.RelayTarget;
import io.hypha.relay.internal.engine.RelaySnapshot;
import io.hypha.relay.store.RelayStore;
import io.hypha.relay.store.RelayStoreException;
import io.hypha.relay.store.RelayStoreSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay engine as a Declarative Services component: registers the {@link RelayEngine} as engine {@code relay}, as
 * the node's {@link RelayRoute} (the resolving gateway hands it messages for edge nodes), as a {@link NetworkListener}
 * (connections come and go) and as {@link RelayAdmin} for the console. When configured to serve it opens the
 * {@link RelayStore} in {@code ${hypha.data}/relay/}; when configured with relays it tells the
 * {@link AdvertDirectory} (if there is one) to advertise them instead of this node's addresses.
 *
 * <p>A configuration change ({@code conf/io.hypha.relay.cfg}) re-activates the component (no {@code @Modified}): the
 * store is closed and opened again with the new settings, and messages the old instance held unconfirmed are reported
 * to their senders, never dropped silently.
 */
@Component(service = {Engine.class, RelayRoute.class, NetworkListener.class, RelayAdmin.class},
        configurationPid = RelayComponent.PID, immediate = true)
@EngineName(RelayEngine.NAME)
@Designate(ocd = RelayComponent.Config.class)
public final class RelayComponent implements Engine, RelayRoute, NetworkListener, RelayAdmin {
    /** The configuration PID. */
    public static final String PID = "io.hypha.relay";
    /** Framework property naming the node's data directory. */
    public static final String DATA_PROPERTY = "hypha.data";
    /** The relay's directory under the data directory. */
    public static final String DIRECTORY = "relay";

    private static final Logger LOG = LoggerFactory.getLogger(RelayComponent.class);
    private static final long IO_STOP_WAIT_MILLIS = 5_000;

    /** The relay engine's configuration: roles, bounds and timings. */
    @ObjectClassDefinition(id = PID, name = "Hypha relay engine",
            description = "Store-and-forward for edge nodes. Every node is a sender (it seals messages for edge nodes and "
                    + "hands them to their relays); serve=true makes it a relay (durable store, per-edge quotas, expiry); "
                    + "relays=... makes it an edge node (it registers with those relays and advertises them instead of "
                    + "its addresses).")
    public @interface Config {
        /** @return whether to serve as a relay */
        @AttributeDefinition(name = "Serve as a relay",
                description = "Keep messages for edge nodes that register with this node, in a durable store in "
                        + "${hypha.data}/relay/, and forward them when the edge node connects.")
        boolean serve() default false;

        /** @return the relays of this edge node */
        @AttributeDefinition(name = "Relays (edge node)",
                description = "Relays this node registers with, first preferred, as scheme://nodeid@host:port (the relay's "
                        + "node id as user-info), e.g. tls://<nodeid>@192.0.2.1:4001; several separated by commas. "
                        + "Non-empty makes this node an edge node: its advert lists these relays and no address.")
        String[] relays() default {};

        /** @return per-edge message quota */
        @AttributeDefinition(name = "Quota per edge (messages)", min = "1",
                description = "Relay: most messages held for one edge node. A message beyond it is refused and its sender "
                        + "told QUOTA_FULL.")
        long quotaMessages() default 100_000;

        /** @return per-edge byte quota */
        @AttributeDefinition(name = "Quota per edge (bytes)", min = "1",
                description = "Relay: most stored bytes (sealed message plus the sender's note) held for one edge node. "
                        + "Beyond it messages are refused (QUOTA_FULL).")
        long quotaBytes() default 256L << 20;

        /** @return total byte limit */
        @AttributeDefinition(name = "Store limit (bytes)", min = "1",
                description = "Relay: most stored bytes for all edge nodes together. Beyond it messages are refused "
                        + "(the sender is told QUOTA_FULL).")
        long maxTotalBytes() default 2L << 30;

        /** @return largest stored message */
        @AttributeDefinition(name = "Largest stored message (bytes)", min = "1",
                description = "Relay: largest stored message (sealed bytes plus note). Larger ones are refused TOO_LARGE "
                        + "and the sender tries the edge's next relay. Keep it below the transport's frame size.")
        int maxMessageBytes() default 512 * 1024;

        /** @return retention limit */
        @AttributeDefinition(name = "Longest retention (hours)", min = "1",
                description = "Relay: a message is kept at most this long whatever its own expiry (one that never expires "
                        + "is kept this long); then it expires and its sender is told EXPIRED.")
        long maxRetentionHours() default 7 * 24;

        /** @return durability */
        @AttributeDefinition(name = "Durability",
                description = "Relay: what a stored message survives before the relay answers 'stored'. FSYNC: each group "
                        + "commit is forced to disk (survives a machine crash). WRITE: written to the operating system "
                        + "(survives the relay process being killed, not a machine crash); faster on slow disks.",
                options = {@Option(label = "fsync each group commit", value = "FSYNC"),
                        @Option(label = "write to the OS only", value = "WRITE")})
        String durability() default "FSYNC";

        /** @return group commit bound */
        @AttributeDefinition(name = "Group commit size (operations)", min = "1",
                description = "Relay: most store operations written in one commit; bounds a commit's memory and the wait "
                        + "of the first operation in it.")
        int storeMaxBatch() default 4_096;

        /** @return most registered edges */
        @AttributeDefinition(name = "Most edge nodes", min = "1",
                description = "Relay: most edge nodes registered at once; more are answered FULL.")
        int maxEdges() default 10_000;

        /** @return registration lifetime */
        @AttributeDefinition(name = "Registration lifetime (hours)", min = "1",
                description = "Relay: a registration not renewed (by the edge node connecting) for this long lapses; "
                        + "messages for that edge node are then refused (UNKNOWN_EDGE).")
        long registrationTtlHours() default 30 * 24;

        /** @return forward window */
        @AttributeDefinition(name = "Forward window (messages)", min = "1",
                description = "Relay: most messages forwarded to one edge node and not yet acknowledged by it.")
        int forwardWindow() default 4_096;

        /** @return deliver batch */
        @AttributeDefinition(name = "Deliver batch (messages)", min = "1", max = "4096",
                description = "Relay: most messages in one deliver message to an edge node.")
        int deliverBatchMessages() default 128;

        /** @return deliver batch bytes */
        @AttributeDefinition(name = "Deliver batch (bytes)", min = "1",
                description = "Relay: most sealed bytes in one deliver message (one message always fits).")
        int deliverBatchBytes() default 256 * 1024;

        /** @return expiry check period */
        @AttributeDefinition(name = "Expiry check (ms)", min = "1",
                description = "Relay: how often expired messages are deleted and reported to their senders (EXPIRED).")
        long expiryCheckMillis() default 1_000;

        /** @return expiry batch */
        @AttributeDefinition(name = "Expiry batch (messages)", min = "1",
                description = "Relay: most messages expired in one store operation (more are expired right after).")
        int expiryBatch() default 1_024;

        /** @return pending bound */
        @AttributeDefinition(name = "Sender: held messages", min = "1",
                description = "Sender: most messages for edge nodes held until a relay stored or refused them. Beyond it "
                        + "new messages are refused at once (MAILBOX_FULL).")
        int maxPendingMessages() default 100_000;

        /** @return pending byte bound */
        @AttributeDefinition(name = "Sender: held bytes", min = "1",
                description = "Sender: most bytes (payload, type and a fixed overhead per message) held the same way.")
        long maxPendingBytes() default 128L << 20;

        /** @return largest message sent through relays */
        @AttributeDefinition(name = "Sender: largest message (bytes)", min = "1",
                description = "Sender: largest message (payload, type and overhead) sent through relays; larger ones are "
                        + "refused at once (NO_ROUTE).")
        int sendMaxMessageBytes() default 512 * 1024;

        /** @return per-relay window */
        @AttributeDefinition(name = "Sender: window per relay (messages)", min = "1",
                description = "Sender: most messages handed to one relay and not yet answered; more wait, in order.")
        int sendWindow() default 4_096;

        /** @return store batch */
        @AttributeDefinition(name = "Sender: store batch (messages)", min = "1", max = "4096",
                description = "Sender: most messages in one store message to a relay.")
        int storeBatchMessages() default 128;

        /** @return store batch bytes */
        @AttributeDefinition(name = "Sender: store batch (bytes)", min = "1",
                description = "Sender: most sealed bytes in one store message (one message always fits).")
        int storeBatchBytes() default 256 * 1024;

        /** @return resend timeout */
        @AttributeDefinition(name = "Sender: resend after (ms)", min = "1",
                description = "Sender: a message handed to a connected relay and unanswered this long is sent again.")
        long resendAfterMillis() default 30_000;

        /** @return resend grace after reconnect */
        @AttributeDefinition(name = "Sender: resend grace after reconnect (ms)", min = "1",
                description = "Sender: when a relay reconnects, messages handed to it before and still unanswered this "
                        + "long after are sent again (the relay may have lost them in a crash).")
        long resendGraceMillis() default 5_000;

        /** @return failover delay */
        @AttributeDefinition(name = "Sender: failover after (ms)", min = "1",
                description = "Sender: messages for a relay disconnected this long move to the edge node's next relay.")
        long failoverAfterMillis() default 10_000;

        /** @return expiry grace */
        @AttributeDefinition(name = "Sender: expiry grace (ms)", min = "0",
                description = "Sender: a message handed to a relay and unanswered this long after its expiry is reported "
                        + "EXPIRED by the sender itself.")
        long expiryGraceMillis() default 30_000;

        /** @return longest hold */
        @AttributeDefinition(name = "Sender: longest hold (ms)", min = "1",
                description = "Sender: a message no relay confirmed within this long is given up and reported NO_ROUTE.")
        long maxPendingAgeMillis() default 3_600_000;

        /** @return retry delay */
        @AttributeDefinition(name = "Sender: retry delay (ms)", min = "1",
                description = "Sender: how long a relay is left alone after the transport refused a message for it as full.")
        long retryDelayMillis() default 1_000;

        /** @return dedupe memory */
        @AttributeDefinition(name = "Edge: duplicate memory (messages)", min = "1",
                description = "Edge: how many (sender, message) pairs are remembered to drop duplicates.")
        int dedupeCapacity() default 65_536;

        /** @return first reconnect delay */
        @AttributeDefinition(name = "Edge: reconnect minimum (ms)", min = "1",
                description = "Edge: first delay before dialling a relay again; it doubles with each failure (with jitter).")
        long reconnectMinMillis() default 500;

        /** @return longest reconnect delay */
        @AttributeDefinition(name = "Edge: reconnect maximum (ms)", min = "1",
                description = "Edge: longest delay between dials of a relay (at least the minimum); also the wait before "
                        + "registering again with a relay that refused.")
        long reconnectMaxMillis() default 30_000;

        /** @return local retry */
        @AttributeDefinition(name = "Edge: delivery retry (ms)", min = "1",
                description = "Edge: how long to wait before offering a message again to a full local mailbox (meanwhile "
                        + "the relay is not acknowledged, so it holds back).")
        long deliveryRetryMillis() default 20;

        /** @return held bound */
        @AttributeDefinition(name = "Edge: held messages per relay", min = "1",
                description = "Edge: most received messages held per relay while a local mailbox is full (a relay sends at "
                        + "most its forward window, so this is reached only by a relay that ignores it); more are dropped "
                        + "unacknowledged and fetched again by registering anew.")
        int maxHeld() default 16_384;

        /** @return protocol TTL */
        @AttributeDefinition(name = "Protocol message lifetime (ms)", min = "1",
                description = "How long relay control messages (answers, registrations, deliveries) stay deliverable; also "
                        + "how long a registration may stay unanswered before the edge node dials again.")
        long protocolTtlMillis() default 60_000;

        /** @return tick */
        @AttributeDefinition(name = "Timer period (ms)", min = "1",
                description = "How often the engine checks its timeouts: resends, failovers, expiry of held messages, "
                        + "reconnects.")
        long tickMillis() default 250;
    }

    private final RelayEngine engine;
    private final RelayStore store;
    private final ExecutorService io;

    /**
     * Opens the store (when serving) and builds the engine.
     *
     * @param context  the bundle context, for {@code hypha.data}
     * @param config   the configuration
     * @param identity this node
     * @param sealer   this node's sealer
     * @param local    local delivery
     */
    @Activate
    public RelayComponent(BundleContext context, Config config, @Reference NodeIdentity identity, @Reference Sealer sealer,
            @Reference LocalDelivery local) {
        NodeId self = identity.id();
        RelaySettings settings = settings(config);
        this.io = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "hypha-relay-io-" + self.shortForm());
            t.setDaemon(true);
            return t;
        });
        RelayStore opened = null;
        String problem = null;
        RegisteredEdges registry = null;
        Map<NodeId, Long> registered = Map.of();
        if (settings.serve().serve()) {
            Path dir = directory(context);
            registry = new RegisteredEdges(dir);
            try {
                opened = RelayStore.open(dir, settings.serve().store());
                registered = registry.load();
            } catch (RelayStoreException e) {
                problem = e.reason() + ": " + e.getMessage();
                LOG.error("node {}: the relay store cannot be opened; this node does not store messages for edge nodes "
                        + "until it can: {}", self.shortForm(), e.getMessage());
            } catch (IOException e) {
                LOG.error("node {}: cannot read the registered edge nodes from {} ({}); edge nodes register again when "
                        + "they connect", self.shortForm(), registry.file(), e.toString());
            }
        }
        this.store = opened;
        this.engine = new RelayEngine(self, settings, InstantSource.system(), sealer, local, opened, problem, registry,
                registered, io);
    }

    /** @return {@code ${hypha.data}/relay}, or the bundle's data area when there is no data directory */
    private static Path directory(BundleContext context) {
        String data = context.getProperty(DATA_PROPERTY);
        if (data != null && !data.isBlank()) {
            return Path.of(data).resolve(DIRECTORY);
        }
        LOG.warn("framework property {} is not set; keeping the relay store in the bundle's data area", DATA_PROPERTY);
        return context.getDataFile(DIRECTORY).toPath();
    }

    /** Closes the store after the io thread finished its work. */
    @Deactivate
    void deactivate() {
        io.shutdown();
        try {
            if (!io.awaitTermination(IO_STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                LOG.warn("relay io thread did not stop within {} ms", IO_STOP_WAIT_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (store != null) {
            store.close();
        }
        // The advert is left as it is: a node that stops as an edge node stays one for those who look it up meanwhile
        // (its relays keep its messages). The next instance sets it again (bindAdverts).
    }

    /** @param network the transport's network view */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindNetwork")
    void bindNetwork(Network network) {
        engine.network(network);
    }

    /** @param network the network view going away */
    void unbindNetwork(Network network) {
        engine.network(null);
    }

    /**
     * The relay component owns the relay part of this node's advert: an edge node advertises its relays and no address,
     * any other node no relay and its addresses (which undoes an earlier edge configuration; the directory re-signs only
     * when this changes the advert).
     *
     * @param directory the advert directory
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindAdverts")
    void bindAdverts(AdvertDirectory directory) {
        List<NodeId> relays = engine.relayIds();
        directory.useRelays(relays, relays.isEmpty());
    }

    /** @param directory the advert directory going away (nothing to undo: the advert is the directory's) */
    void unbindAdverts(AdvertDirectory directory) {
    }

    /** Turns the configuration into settings; an invalid value falls back to the defaults, with an error logged. */
    static RelaySettings settings(Config c) {
        List<RelayTarget> relays = new ArrayList<>();
        for (String item : items(c.relays())) {
            try {
                relays.add(RelayTarget.parse(item));
            } catch (IllegalArgumentException e) {
                LOG.error("configuration {}: relay '{}' ignored: {}", PID, item, e.getMessage());
            }
        }
        try {
            RelayStoreSettings store = new RelayStoreSettings(c.quotaMessages(), c.quotaBytes(), c.maxTotalBytes(),
                    c.maxMessageBytes(), Duration.ofHours(c.maxRetentionHours()), durability(c.durability()), c.storeMaxBatch());
            return new RelaySettings(
                    new RelaySettings.Sender(c.maxPendingMessages(), c.maxPendingBytes(), c.sendMaxMessageBytes(),
                            c.sendWindow(), c.storeBatchMessages(), c.storeBatchBytes(), Duration.ofMillis(c.resendAfterMillis()),
                            Duration.ofMillis(c.resendGraceMillis()), Duration.ofMillis(c.failoverAfterMillis()),
                            Duration.ofMillis(c.expiryGraceMillis()), Duration.ofMillis(c.maxPendingAgeMillis()),
                            Duration.ofMillis(c.retryDelayMillis())),
                    new RelaySettings.Serve(c.serve(), store, c.maxEdges(), Duration.ofHours(c.registrationTtlHours()),
                            c.forwardWindow(), c.deliverBatchMessages(), c.deliverBatchBytes(),
                            Duration.ofMillis(c.expiryCheckMillis()), c.expiryBatch()),
                    new RelaySettings.Edge(dedupe(relays), c.dedupeCapacity(), Duration.ofMillis(c.reconnectMinMillis()),
                            Duration.ofMillis(c.reconnectMaxMillis()), Duration.ofMillis(c.deliveryRetryMillis()), c.maxHeld()),
                    Duration.ofMillis(c.protocolTtlMillis()), Duration.ofMillis(c.tickMillis()));
        } catch (IllegalArgumentException e) {
            LOG.error("configuration {} is invalid ({}); using the defaults (serve={}, {} relays)", PID, e.getMessage(),
                    c.serve(), relays.size());
            RelaySettings d = RelaySettings.defaults();
            return new RelaySettings(d.sender(), RelaySettings.Serve.DEFAULTS.withServe(c.serve()),
                    d.edge().withRelays(dedupe(relays)), d.protocolTtl(), d.tick());
        }
    }

    private static List<RelayTarget> dedupe(List<RelayTarget> relays) {
        List<RelayTarget> out = new ArrayList<>();
        for (RelayTarget t : relays) {
            if (out.stream().noneMatch(o -> o.id().equals(t.id()))) {
                out.add(t);
            } else {
                LOG.error("configuration {}: relay {} is listed twice; the second is ignored", PID, t.uri());
            }
        }
        return out;
    }

    private static RelayStoreSettings.Durability durability(String text) {
        try {
            return RelayStoreSettings.Durability.valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("durability must be FSYNC or WRITE, got '" + text + "'");
        }
    }

    /** The items of a multi-valued property; a {@code .cfg} file gives one string, so values are split on commas. */
    static List<String> items(String[] values) {
        if (values == null) {
            return List.of();
        }
        return Arrays.stream(values).filter(Objects::nonNull).flatMap(v -> Arrays.stream(v.split(",")))
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    // ------------------------------------------------------------------------------------------ delegation

    @Override
    public DeliveryFailure forward(Envelope envelope, NodeAdvert edge) {
        return engine.forward(envelope, edge);
    }

    @Override
    public void peerConnected(NodeId peer, long peerAdvertVersion, long knownOwnAdvertVersion) {
        engine.peerConnected(peer);
    }

    @Override
    public void peerDisconnected(NodeId peer) {
        engine.peerDisconnected(peer);
    }

    @Override
    public CompletionStage<RelaySnapshot> snapshot() {
        return engine.snapshot();
    }

    @Override
    public void onStart(EngineContext ctx) {
        engine.onStart(ctx);
    }

    @Override
    public void onMessage(Envelope message, EngineContext ctx) {
        engine.onMessage(message, ctx);
    }

    @Override
    public void onUndeliverable(DeadLetter letter, EngineContext ctx) {
        engine.onUndeliverable(letter, ctx);
    }

    @Override
    public void onStop(EngineContext ctx) {
        engine.onStop(ctx);
    }
}
