package io.hypha.netregistry.internal;

import io.hypha.api.DeadLetter;
import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import io.hypha.api.advert.AdvertCodec;
import io.hypha.api.advert.AdvertDirectory;
import io.hypha.api.advert.NodeAdvert;
import io.hypha.api.engine.Engine;
import io.hypha.api.engine.EngineContext;
import io.hypha.api.engine.EngineName;
import io.hypha.api.identity.NodeIdentity;
import io.hypha.api.transport.Network;
import io.hypha.api.transport.NetworkListener;
import io.hypha.netregistry.internal.registry.AdvertStore;
import io.hypha.netregistry.internal.registry.AdvertStoreException;
import io.hypha.netregistry.internal.registry.NetRegistry;
import io.hypha.netregistry.internal.registry.RegistryAdmin;
import io.hypha.netregistry.internal.registry.RegistryProtocol;
import io.hypha.netregistry.internal.registry.RegistrySettings;
import io.hypha.netregistry.internal.registry.RegistrySnapshot;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The NetRegistry as a Declarative Services component: one {@link NetRegistry} registered as the {@code netregistry}
 * {@link Engine}, the node's {@link AdvertDirectory}, a {@link NetworkListener} (the Transport engine calls it) and the
 * console's {@link RegistryAdmin}. Its adverts live in {@code ${hypha.data}/registry/}.
 *
 * <p>References: {@link Network} (mandatory: the registry feeds it addresses and reads who is connected),
 * {@link AdvertCodec} and {@link NodeIdentity}. The Transport engine refers back to the {@link AdvertDirectory} with
 * an optional, dynamic reference, so there is no cycle. A configuration change re-creates the component: the adverts
 * are read again from the store, and the engine runtime holds messages for the engine meanwhile.
 */
@Component(service = {Engine.class, AdvertDirectory.class, NetworkListener.class, RegistryAdmin.class},
        configurationPid = NetRegistryComponent.PID, immediate = true)
@EngineName(RegistryProtocol.ENGINE)
@Designate(ocd = NetRegistryComponent.Config.class)
public final class NetRegistryComponent implements Engine, AdvertDirectory, NetworkListener, RegistryAdmin {
    /** The configuration PID, shared with the resolving gateway. */
    public static final String PID = "io.hypha.netregistry";
    /** Framework property with the node's data directory. */
    public static final String DATA_PROPERTY = "hypha.data";
    /** Framework property with seeds from the command line ({@code ./hypha --seed URI}), comma-separated. */
    public static final String SEEDS_PROPERTY = "hypha.seeds";
    /** Placeholder for {@link #DATA_PROPERTY} in {@link Config#storeDirectory()}. */
    public static final String DATA_PLACEHOLDER = "${" + DATA_PROPERTY + "}";

    private static final Logger LOG = LoggerFactory.getLogger(NetRegistryComponent.class);

    /** The NetRegistry's configuration. */
    @ObjectClassDefinition(id = PID, name = "Hypha NetRegistry",
            description = "Signed node adverts: this node's own, those of other nodes (kept on disk), seeds, lookups by "
                    + "node id, peer sampling, and how messages to nodes known only by id are held while they are resolved.")
    public @interface Config {
        /** @return seeds */
        @AttributeDefinition(name = "Seeds",
                description = "Nodes dialled at start to join the network, as scheme://host:port or "
                        + "scheme://nodeid@host:port (which also checks the node's identity). Each is dialled until it "
                        + "answers once (backoff between tries), then asked for a sample of the adverts it holds. A single "
                        + "value may list several, comma-separated (as a .cfg file gives them). The framework property "
                        + "hypha.seeds (./hypha --seed URI) adds to these.")
        String[] seeds() default {};

        /** @return weights */
        @AttributeDefinition(name = "Address weights",
                description = "Weight of this node's addresses in its advert, by scheme, as scheme=weight (0 to 65535; "
                        + "higher is dialled first by others). Schemes not listed get 100. Default: quic=200, tls=100.")
        String[] schemeWeights() default {"quic=200", "tls=100"};

        /** @return public addresses */
        @AttributeDefinition(name = "Public addresses",
                description = "Addresses to advertise instead of the listening ones, as scheme://host:port (a node behind "
                        + "NAT or a port mapping, or listening on 0.0.0.0, which nobody can dial). At most 16. Empty (the "
                        + "default): the listening addresses that can be dialled.")
        String[] publicAddresses() default {};

        /** @return advert lifetime */
        @AttributeDefinition(name = "Advert lifetime (s)", min = "60",
                description = "How long this node's signed advert is valid, in seconds (at least 60). The node signs a "
                        + "new one, with a higher version, when a quarter of it is left, and at once when its addresses or "
                        + "relays change. Default 86400 (24 hours).")
        long advertTtlSeconds() default 86_400L;

        /** @return capacity */
        @AttributeDefinition(name = "Capacity (adverts)", min = "1", max = "1000000",
                description = "Most adverts of other nodes held, in memory and on disk (1 to 1000000). When full, expired "
                        + "ones make room; otherwise adverts of new nodes are refused (counted as table full) while newer "
                        + "adverts of known nodes are still taken. Default 10000.")
        int capacity() default RegistrySettings.DEFAULT_CAPACITY;

        /** @return lookup timeout */
        @AttributeDefinition(name = "Lookup timeout (ms)", min = "1",
                description = "How long a lookup of a node not held here waits for connected peers to answer, in "
                        + "milliseconds; the first valid advert wins. Messages to that node are held meanwhile and reported "
                        + "NO_ROUTE if none answers. Also the timeout of sample requests. Default 3000.")
        long lookupTimeoutMillis() default 3_000L;

        /** @return fanout */
        @AttributeDefinition(name = "Lookup fan-out (peers)", min = "1",
                description = "How many connected peers, chosen at random, one lookup asks (at least 1). Default 8.")
        int lookupFanout() default RegistrySettings.DEFAULT_LOOKUP_FANOUT;

        /** @return pending lookups bound */
        @AttributeDefinition(name = "Lookups under way", min = "1",
                description = "Lookups of distinct nodes under way at once (at least 1); more complete at once with no "
                        + "advert (their messages: NO_ROUTE). Default 256.")
        int maxPendingLookups() default RegistrySettings.DEFAULT_MAX_PENDING_LOOKUPS;

        /** @return sample period */
        @AttributeDefinition(name = "Sample period (ms)", min = "0",
                description = "How often one connected peer, chosen at random, is asked for a sample of the adverts it "
                        + "holds, in milliseconds; 0 turns sampling off (seeds are still asked once). The default, 2000, "
                        + "is short so that a new node learns its seeds' neighbours within seconds; a sample costs one "
                        + "small request, and unchanged adverts are only checked, not stored again.")
        long samplePeriodMillis() default 2_000L;

        /** @return sample size */
        @AttributeDefinition(name = "Sample size (adverts)", min = "1", max = "64",
                description = "Most adverts asked for in one sample, and most given to a peer that asks (1 to 64). "
                        + "Default 16.")
        int sampleSize() default RegistrySettings.DEFAULT_SAMPLE_SIZE;

        /** @return seed redial minimum */
        @AttributeDefinition(name = "Seed redial minimum (ms)", min = "1",
                description = "Delay before dialling a seed again after a failed dial, in milliseconds; it doubles with "
                        + "each failure (with jitter) up to the maximum. Default 500.")
        long seedRedialMinMillis() default 500L;

        /** @return seed redial maximum */
        @AttributeDefinition(name = "Seed redial maximum (ms)", min = "1",
                description = "Longest delay between dials of a seed, in milliseconds (at least the minimum). Default 30000.")
        long seedRedialMaxMillis() default 30_000L;

        /** @return message lifetime */
        @AttributeDefinition(name = "Message lifetime (ms)", min = "1",
                description = "Expiry of the adverts this node pushes to its peers, in milliseconds: a push that cannot "
                        + "be delivered within it is dropped (the next connection's exchange sends the advert again). "
                        + "Default 30000.")
        long messageTtlMillis() default 30_000L;

        /** @return hold bound per node */
        @AttributeDefinition(name = "Held messages per node", min = "1",
                description = "Messages to one node held while its id is resolved to addresses or relays (at least 1). "
                        + "Beyond it, sending to that node is refused with MAILBOX_FULL. Default 1000.")
        int holdMessagesPerNode() default RegistrySettings.DEFAULT_HOLD_MESSAGES_PER_NODE;

        /** @return hold bound on nodes */
        @AttributeDefinition(name = "Nodes resolved at once", min = "1",
                description = "Nodes whose ids are being resolved at once, each with its held messages (at least 1). "
                        + "Beyond it, sending to another unresolved node is refused with MAILBOX_FULL. Default 1024.")
        int holdNodes() default RegistrySettings.DEFAULT_HOLD_NODES;

        /** @return store directory */
        @AttributeDefinition(name = "Store directory",
                description = "Directory of the advert store (an H2 MVStore file, adverts.mv.db); ${hypha.data} is the "
                        + "node's data directory. A file that cannot be read is moved aside and a new one started. "
                        + "Default ${hypha.data}/registry.")
        String storeDirectory() default DATA_PLACEHOLDER + "/registry";
    }

    private final NetRegistry registry;

    /**
     * Opens the advert store and starts the registry.
     *
     * @param config   the configuration
     * @param context  the bundle context (framework properties {@code hypha.data} and {@code hypha.seeds})
     * @param network  the Transport engine's view of the network
     * @param codec    checks and signs adverts
     * @param identity this node
     * @throws AdvertStoreException if the store cannot be opened (the component then stays inactive; see the log)
     */
    @Activate
    public NetRegistryComponent(Config config, BundleContext context, @Reference Network network,
                                @Reference AdvertCodec codec, @Reference NodeIdentity identity) throws AdvertStoreException {
        RegistrySettings settings = settings(config, context.getProperty(SEEDS_PROPERTY));
        Path directory = storeDirectory(config.storeDirectory(), context.getProperty(DATA_PROPERTY), () -> context.getDataFile(""));
        AdvertStore store = AdvertStore.open(directory);
        try {
            this.registry = new NetRegistry(settings, identity, codec, network, store, InstantSource.system(),
                    new Random(new SecureRandom().nextLong()));
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        LOG.info("node {}: NetRegistry started (store {}, seeds {})", identity.id().shortForm(), store.file(), settings.seeds());
    }

    /** Completes pending lookups and closes the store. */
    @Deactivate
    void deactivate() {
        registry.close();
    }

    /**
     * Turns the configuration into settings; invalid values fall back to the defaults, with an error logged. A seed
     * that is not an address is skipped (and logged), so one typo does not cost the others.
     *
     * @param c         the configuration
     * @param seedsProperty the {@code hypha.seeds} framework property, or {@code null}
     * @return the settings
     */
    static RegistrySettings settings(Config c, String seedsProperty) {
        List<URI> seeds = seeds(c.seeds(), seedsProperty);
        try {
            return RegistrySettings.builder()
                    .seeds(seeds)
                    .schemeWeights(RegistrySettings.parseWeights(items(c.schemeWeights())))
                    .publicAddresses(items(c.publicAddresses()).stream().map(URI::create).toList())
                    .advertTtl(Duration.ofSeconds(c.advertTtlSeconds()))
                    .capacity(c.capacity())
                    .lookupTimeout(Duration.ofMillis(c.lookupTimeoutMillis()))
                    .lookupFanout(c.lookupFanout())
                    .maxPendingLookups(c.maxPendingLookups())
                    .samplePeriod(Duration.ofMillis(c.samplePeriodMillis()))
                    .sampleSize(c.sampleSize())
                    .seedRedialMin(Duration.ofMillis(c.seedRedialMinMillis()))
                    .seedRedialMax(Duration.ofMillis(c.seedRedialMaxMillis()))
                    .messageTtl(Duration.ofMillis(c.messageTtlMillis()))
                    .holdMessagesPerNode(c.holdMessagesPerNode())
                    .holdNodes(c.holdNodes())
                    .build();
        } catch (IllegalArgumentException e) {
            LOG.error("configuration {} is invalid ({}); using the defaults", PID, e.getMessage());
            return RegistrySettings.builder().seeds(seeds).build();
        }
    }

    /** The seeds of the configuration, then those of the framework property, each once; invalid ones logged and skipped. */
    static List<URI> seeds(String[] configured, String property) {
        List<String> all = new ArrayList<>(items(configured));
        if (property != null) {
            all.addAll(items(new String[] {property}));
        }
        LinkedHashSet<URI> seeds = new LinkedHashSet<>();
        for (String s : all) {
            try {
                URI uri = new URI(s);
                if (uri.getScheme() == null || uri.getHost() == null || uri.getPort() <= 0) {
                    throw new URISyntaxException(s, "not scheme://[nodeid@]host:port");
                }
                seeds.add(uri);
            } catch (URISyntaxException e) {
                LOG.error("seed '{}' is not an address ({}); use scheme://[nodeid@]host:port, e.g. tls://192.0.2.7:4001",
                        s, e.getReason());
            }
        }
        return List.copyOf(seeds);
    }

    /**
     * The items of a multi-valued property. A {@code .cfg} file (FileInstall) gives one string, so each value is also
     * split on commas; items are trimmed and empty ones dropped.
     */
    static List<String> items(String[] values) {
        if (values == null) {
            return List.of();
        }
        return Arrays.stream(values).filter(Objects::nonNull).flatMap(v -> Arrays.stream(v.split(",")))
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /**
     * Where the store lives: the configured directory with {@value #DATA_PLACEHOLDER} replaced by the node's data
     * directory; without {@code hypha.data} (an embedded framework, a test), the bundle's data area, else a new
     * temporary directory.
     */
    static Path storeDirectory(String configured, String hyphaData, Supplier<File> dataArea) throws AdvertStoreException {
        String path = configured == null || configured.isBlank() ? DATA_PLACEHOLDER + "/registry" : configured.trim();
        Path base;
        if (hyphaData != null && !hyphaData.isBlank()) {
            base = Path.of(hyphaData.trim());
        } else {
            File area = dataArea.get();
            try {
                base = area != null ? area.toPath() : Files.createTempDirectory("hypha-netregistry-");
            } catch (IOException e) {
                throw new AdvertStoreException(AdvertStoreException.Reason.IO, Path.of(path),
                        "framework property " + DATA_PROPERTY + " is not set and no temporary directory can be made: " + e, e);
            }
            if (path.contains(DATA_PLACEHOLDER)) {
                LOG.warn("framework property {} is not set; keeping adverts under {}", DATA_PROPERTY, base);
            }
        }
        return base.resolve(path.replace(DATA_PLACEHOLDER, base.toString())).toAbsolutePath().normalize();
    }

    // ------------------------------------------------------------------------------------------------ delegation

    @Override
    public void onStart(EngineContext ctx) {
        registry.onStart(ctx);
    }

    @Override
    public void onMessage(Envelope message, EngineContext ctx) {
        registry.onMessage(message, ctx);
    }

    @Override
    public void onUndeliverable(DeadLetter letter, EngineContext ctx) {
        registry.onUndeliverable(letter, ctx);
    }

    @Override
    public void onStop(EngineContext ctx) {
        registry.onStop(ctx);
    }

    @Override
    public long ownVersion() {
        return registry.ownVersion();
    }

    @Override
    public Optional<NodeAdvert> own() {
        return registry.own();
    }

    @Override
    public long knownVersion(NodeId node) {
        return registry.knownVersion(node);
    }

    @Override
    public Optional<NodeAdvert> find(NodeId node) {
        return registry.find(node);
    }

    @Override
    public CompletionStage<Optional<NodeAdvert>> lookup(NodeId node) {
        return registry.lookup(node);
    }

    @Override
    public void useRelays(List<NodeId> relays, boolean advertiseAddresses) {
        registry.useRelays(relays, advertiseAddresses);
    }

    @Override
    public void listeningChanged(List<URI> addresses) {
        registry.listeningChanged(addresses);
    }

    @Override
    public void peerConnected(NodeId peer, long peerAdvertVersion, long knownOwnAdvertVersion) {
        registry.peerConnected(peer, peerAdvertVersion, knownOwnAdvertVersion);
    }

    @Override
    public void peerDisconnected(NodeId peer) {
        registry.peerDisconnected(peer);
    }

    @Override
    public RegistrySnapshot snapshot() {
        return registry.snapshot();
    }

    @Override
    public Duration lookupTimeout() {
        return registry.lookupTimeout();
    }
}
