package io.hypha.netregistry.internal.registry;

import io.hypha.api.DeadLetter;
import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import io.hypha.api.advert.AdvertCodec;
import io.hypha.api.advert.AdvertDirectory;
import io.hypha.api.advert.NodeAdvert;
import io.hypha.api.engine.Engine;
import io.hypha.api.engine.EngineContext;
import io.hypha.api.engine.Timer;
import io.hypha.api.identity.NodeIdentity;
import io.hypha.api.transport.Network;
import io.hypha.api.transport.NetworkListener;
import io.hypha.netregistry.internal.registry.RegistrySnapshot.Counters;
import io.hypha.wire.advert.AdvertTable;
import io.hypha.wire.advert.ProtobufAdvertCodec;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The NetRegistry engine ({@value RegistryProtocol#ENGINE}): this node's signed advert, the verified adverts of other
 * nodes (in an {@link AdvertTable}, kept in an {@link AdvertStore}), seeds, advert exchange when a peer connects,
 * lookups through connected peers and peer sampling. It is also the node's {@link AdvertDirectory} and a
 * {@link NetworkListener}. The protocol is in {@link RegistryProtocol}.
 *
 * <h2>Threads</h2>
 * Engine callbacks, timers and request continuations run on the engine's turn, one at a time; the directory and
 * listener methods are called from other threads (the Transport engine's, the gateway's senders', the console's).
 * Those answer from thread-safe state (the table, the current own advert) or hand the work to the engine's turn with
 * {@code schedule(0)}, so they never block. Before the engine runtime has started the engine (no context yet), inputs
 * are recorded and acted on in {@link #onStart}; lookups then complete empty.
 *
 * <h2>What routing may trust</h2>
 * Every advert is checked by the {@link AdvertCodec} (signature with the advert's own node key, expected node, times)
 * and kept only if newer than the one held, so a forged advert (another key, another node) or a replayed older one
 * never reaches {@link Network#learn}; refusals are counted by reason.
 */
public final class NetRegistry implements Engine, AdvertDirectory, NetworkListener, RegistryAdmin {
    /** How often expired adverts are removed from the table and the store. */
    static final Duration PURGE_PERIOD = Duration.ofMinutes(1);

    private final RegistrySettings settings;
    private final NodeId self;
    private final AdvertCodec codec;
    private final Network network;
    private final AdvertStore store;
    private final InstantSource clock;
    private final Random random;
    private final AdvertTable table;
    private final OwnAdvert own;
    private final List<Seed> seeds = new ArrayList<>();
    private final Logger log;

    private volatile EngineContext ctx;
    /** Lookups asked of this registry that have not completed: completed empty when the engine stops. */
    private final Set<CompletableFuture<Optional<NodeAdvert>>> waiting = ConcurrentHashMap.newKeySet();

    // Engine-turn state
    private final Map<NodeId, Lookup> lookups = new HashMap<>();
    private final List<Timer> timers = new ArrayList<>();
    private Timer renewal;
    private Instant nextFullPurge = Instant.MIN;

    private final AtomicLong lookupsAsked = new AtomicLong();
    private final AtomicLong lookupsFound = new AtomicLong();
    private final AtomicLong lookupsMissed = new AtomicLong();
    private final AtomicLong lookupsRefused = new AtomicLong();
    private final AtomicLong samples = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong badMessages = new AtomicLong();

    /** One lookup under way: the peers asked, and who waits for the answer. */
    private static final class Lookup {
        final NodeId node;
        final List<CompletableFuture<Optional<NodeAdvert>>> waiters = new ArrayList<>();
        int outstanding;
        boolean done;

        Lookup(NodeId node) {
            this.node = node;
        }
    }

    /**
     * Loads the stored adverts (each checked again; what fails is dropped from the store), teaches the Transport engine
     * the addresses of those it keeps, and signs this node's advert if it has something to say.
     *
     * @param settings the settings
     * @param identity this node, which signs its advert
     * @param codec    checks and signs adverts
     * @param network  the Transport engine's view of the network
     * @param store    where adverts are kept; closed by {@link #close}
     * @param clock    the time
     * @param random   chooses peers to sample and ask
     */
    public NetRegistry(RegistrySettings settings, NodeIdentity identity, AdvertCodec codec, Network network,
                       AdvertStore store, InstantSource clock, Random random) {
        this.settings = settings;
        this.self = identity.id();
        this.codec = codec;
        this.network = network;
        this.store = store;
        this.clock = clock;
        this.random = random;
        this.log = LoggerFactory.getLogger(NetRegistry.class.getName() + "." + self.shortForm());
        this.table = new AdvertTable(codec, settings.capacity());
        Instant now = clock.instant();
        this.own = new OwnAdvert(identity, codec, store, settings, now);
        load(now);
        for (URI seed : settings.seeds()) {
            seeds.add(new Seed(seed, self));
        }
        own.listening(network.listening());
        own.refresh(now).ifPresent(s -> log.info("node {}: signed advert v{} {}", self.shortForm(), s.advert().version(),
                s.advert().addresses()));
    }

    private void load(Instant now) {
        int kept = 0;
        int dropped = 0;
        for (Map.Entry<NodeId, byte[]> e : store.adverts().entrySet()) {
            NodeId node = e.getKey();
            AdvertTable.Offer offer = node.equals(self) ? null : table.offer(e.getValue(), node, now);
            if (offer instanceof AdvertTable.Offer.Accepted ok) {
                kept++;
                learn(ok.advert(), null);
            } else {
                dropped++;
                store.remove(node);
            }
        }
        store.commit();
        if (kept + dropped > 0) {
            log.info("node {}: loaded {} adverts from {} ({} dropped: expired, invalid or over capacity)",
                    self.shortForm(), kept, store.file(), dropped);
        }
    }

    // ------------------------------------------------------------------------------------------------ Engine

    @Override
    public void onStart(EngineContext context) {
        ctx = context;
        refreshOwn();
        for (NodeId peer : network.connected()) {
            // Connected before this engine ran, so their exchange was missed: push ours, ask for theirs unless held
            // (peer version 1 is "any advert" against the 0 of none held).
            onPeerConnected(peer, 1, 0);
        }
        for (Seed seed : seeds) {
            dial(seed);
        }
        if (!settings.samplePeriod().isZero()) {
            timers.add(context.scheduleAtFixedRate(settings.samplePeriod(), this::sampleRandomPeer));
        }
        timers.add(context.scheduleAtFixedRate(PURGE_PERIOD, this::purge));
    }

    @Override
    public void onStop(EngineContext context) {
        ctx = null;
        timers.forEach(Timer::cancel);
        timers.clear();
        if (renewal != null) {
            renewal.cancel();
        }
        seeds.forEach(Seed::stop);
        completeWaiting();
        lookups.clear();
    }

    @Override
    public void onMessage(Envelope message, EngineContext context) {
        if (!(message.payload() instanceof byte[] payload)) {
            bad(message, "its payload is not bytes");
            return;
        }
        switch (message.type()) {
            case RegistryProtocol.ADVERT -> {
                if (payload.length > 0) {
                    accept(payload, null, message.src());
                }
            }
            case RegistryProtocol.ADVERTS -> merge(payload, RegistrySettings.MAX_SAMPLE_SIZE, message.src());
            case RegistryProtocol.GET -> answerGet(message, payload, context);
            case RegistryProtocol.SAMPLE -> answerSample(message, payload, context);
            default -> bad(message, "the type is not a registry message");
        }
    }

    @Override
    public void onUndeliverable(DeadLetter letter, EngineContext context) {
        log.debug("node {}: {} to {} not delivered: {} {}", self.shortForm(), letter.envelope().type(),
                letter.envelope().dst(), letter.failure(), letter.detail());
    }

    private void bad(Envelope message, String why) {
        badMessages.incrementAndGet();
        log.debug("node {}: ignoring {} from {}: {}", self.shortForm(), message.type(), message.src(), why);
    }

    private void answerGet(Envelope request, byte[] payload, EngineContext context) {
        if (payload.length != NodeId.LENGTH) {
            bad(request, "a get names a 32-byte node id");
            context.reply(request, RegistryProtocol.ADVERT, new byte[0]);
            return;
        }
        NodeId node = NodeId.of(payload);
        byte[] answer = new byte[0];
        if (node.equals(self)) {
            OwnAdvert.Signed mine = own.current();
            answer = mine == null ? answer : mine.encoded();
        } else {
            Optional<NodeAdvert> held = table.get(node, clock.instant());
            if (held.isPresent()) {
                answer = codec.encode(held.get());
            }
        }
        context.reply(request, RegistryProtocol.ADVERT, answer);
    }

    private void answerSample(Envelope request, byte[] payload, EngineContext context) {
        Optional<Integer> wanted = payload.length == 0 ? Optional.of(settings.sampleSize()) : RegistryProtocol.decodeCount(payload);
        if (wanted.isEmpty()) {
            bad(request, "a sample request holds one varint");
        }
        int count = Math.min(wanted.orElse(settings.sampleSize()), settings.sampleSize());
        NodeId asker = request.src() == null ? null : request.src().node();
        List<byte[]> candidates = new ArrayList<>();
        OwnAdvert.Signed mine = own.current();
        if (mine != null) {
            candidates.add(mine.encoded());
        }
        List<NodeAdvert> held = new ArrayList<>(table.adverts(clock.instant()));
        held.removeIf(a -> a.node().equals(asker));
        // A partial shuffle: the first count places get a uniform sample of the held adverts.
        for (int i = 0; i < Math.min(count, held.size()); i++) {
            Collections.swap(held, i, i + random.nextInt(held.size() - i));
            candidates.add(codec.encode(held.get(i)));
        }
        context.reply(request, RegistryProtocol.ADVERTS,
                RegistryProtocol.encodeList(candidates.subList(0, Math.min(count, candidates.size()))));
    }

    // ------------------------------------------------------------------------------------------------ adverts in

    /**
     * Checks and offers an advert received as bytes; keeps and learns it if it is new.
     *
     * @param encoded  the advert
     * @param expected the node it must be about, or {@code null}
     * @param from     who passed it on, for the log
     * @return the advert held for its node afterwards if this one was valid (taken, or the same as the one held)
     */
    private Optional<NodeAdvert> accept(byte[] encoded, NodeId expected, Object from) {
        Instant now = clock.instant();
        if (table.size() >= settings.capacity() && !now.isBefore(nextFullPurge)) {
            // The table would drop expired adverts itself to make room, and the store would keep them: purge both
            // first. At most once a second, so that a flood of adverts into a full table costs no full scan each.
            nextFullPurge = now.plusSeconds(1);
            purge();
        }
        AdvertTable.Offer offer = table.offer(encoded, expected, now);
        if (offer instanceof AdvertTable.Offer.Accepted ok) {
            NodeAdvert advert = ok.advert();
            if (advert.node().equals(self)) {
                table.remove(self); // our own, passed back: this node knows its advert best
                return Optional.empty();
            }
            accepted.incrementAndGet();
            store.put(advert.node(), encoded);
            store.commit();
            learn(advert, ok.replaced());
            log.debug("node {}: took advert v{} of {} from {}", self.shortForm(), advert.version(), advert.node(), from);
            return Optional.of(advert);
        }
        if (offer instanceof AdvertTable.Offer.Unchanged same) {
            return same.held().node().equals(self) ? Optional.empty() : Optional.of(same.held());
        }
        // Logged at the 1st, 2nd, 4th, 8th... refusal of a kind: a flood of bad adverts must not flood the log.
        if (offer instanceof AdvertTable.Offer.Rejected rejected) {
            long count = table.rejections(rejected.reason());
            if (Long.bitCount(count) == 1) {
                log.info("node {}: refused an advert from {}: {} ({} so far)", self.shortForm(), from, rejected.reason(), count);
            }
        } else if (Long.bitCount(table.fullRefusals()) == 1) {
            log.warn("node {}: refused an advert from {}: the table is full ({} adverts; setting capacity); {} so far",
                    self.shortForm(), from, settings.capacity(), table.fullRefusals());
        }
        return Optional.empty();
    }

    private void merge(byte[] payload, int maxItems, Object from) {
        Optional<List<byte[]>> items = RegistryProtocol.decodeList(payload, maxItems, ProtobufAdvertCodec.MAX_ENCODED_LENGTH);
        if (items.isEmpty()) {
            badMessages.incrementAndGet();
            log.debug("node {}: ignoring a sample from {}: not a list of at most {} adverts", self.shortForm(), from, maxItems);
            return;
        }
        for (byte[] item : items.get()) {
            accept(item, null, from);
        }
    }

    /** Gives the Transport engine the addresses of a node whose advert was taken. */
    private void learn(NodeAdvert advert, NodeAdvert replaced) {
        NodeId node = advert.node();
        if (!advert.addresses().isEmpty()) {
            network.learn(node, advert.addresses()).whenComplete((done, error) -> {
                if (error != null) {
                    log.warn("node {}: the Transport engine did not take the addresses of {}: {}", self.shortForm(), node,
                            error.toString());
                }
            });
        } else if (replaced != null && !replaced.addresses().isEmpty() && network.knows(node)) {
            network.learn(node, List.of()); // it no longer lists addresses: forget the old ones
        }
    }

    /** Removes expired adverts from the table and the store. */
    void purge() {
        List<NodeAdvert> removed = table.removeExpired(clock.instant());
        for (NodeAdvert advert : removed) {
            store.remove(advert.node());
        }
        if (!removed.isEmpty()) {
            store.commit();
            log.debug("node {}: removed {} expired adverts", self.shortForm(), removed.size());
        }
    }

    // ------------------------------------------------------------------------------------------------ own advert

    /** Re-signs this node's advert if needed and publishes a new one to every connected peer. On the engine's turn. */
    private void refreshOwn() {
        Optional<OwnAdvert.Signed> signed = own.refresh(clock.instant());
        EngineContext context = ctx;
        if (signed.isPresent()) {
            NodeAdvert advert = signed.get().advert();
            log.info("node {}: signed advert v{}: addresses {}, relays {}, expires {}", self.shortForm(), advert.version(),
                    advert.addresses(), advert.relays(), advert.expires());
            if (context != null) {
                for (NodeId peer : network.connected()) {
                    if (!peer.equals(self)) {
                        context.send(registryOf(peer), RegistryProtocol.ADVERT, signed.get().encoded(), settings.messageTtl());
                    }
                }
            }
        }
        if (context != null && (signed.isPresent() || renewal == null || renewal.isDone())) {
            if (renewal != null) {
                renewal.cancel();
            }
            renewal = own.renewAt().map(at -> context.schedule(positive(Duration.between(clock.instant(), at)), this::refreshOwn))
                    .orElse(null);
        }
    }

    private static Duration positive(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }

    // ------------------------------------------------------------------------------------------------ peers

    private void onPeerConnected(NodeId peer, long peerVersion, long knownOwnVersion) {
        EngineContext context = ctx;
        if (context == null || peer.equals(self)) {
            return;
        }
        OwnAdvert.Signed mine = own.current();
        if (mine != null && knownOwnVersion < mine.advert().version()) {
            context.send(registryOf(peer), RegistryProtocol.ADVERT, mine.encoded(), settings.messageTtl());
        }
        if (peerVersion > table.version(peer)) {
            context.request(registryOf(peer), RegistryProtocol.GET, peer.publicKey(), settings.lookupTimeout())
                    .whenComplete((reply, error) -> {
                        if (error == null && reply.payload() instanceof byte[] b && b.length > 0) {
                            accept(b, peer, peer);
                        } else if (error != null) {
                            log.debug("node {}: {} did not send its advert: {}", self.shortForm(), peer, error.toString());
                        }
                    });
        }
    }

    private void sampleRandomPeer() {
        List<NodeId> peers = peers();
        if (!peers.isEmpty()) {
            sample(peers.get(random.nextInt(peers.size())));
        }
    }

    /** Asks a peer for a sample of the adverts it holds and merges the answer. */
    private void sample(NodeId peer) {
        EngineContext context = ctx;
        if (context == null) {
            return;
        }
        samples.incrementAndGet();
        context.request(registryOf(peer), RegistryProtocol.SAMPLE, RegistryProtocol.encodeCount(settings.sampleSize()),
                settings.lookupTimeout()).whenComplete((reply, error) -> {
                    if (error == null && reply.payload() instanceof byte[] b) {
                        merge(b, settings.sampleSize(), peer);
                    } else if (error != null) {
                        log.debug("node {}: no sample from {}: {}", self.shortForm(), peer, error.toString());
                    }
                });
    }

    private void dial(Seed seed) {
        EngineContext context = ctx;
        if (context == null || !seed.wantsDial()) {
            return;
        }
        seed.dialling();
        CompletionStage<NodeId> dialled;
        try {
            dialled = network.connect(seed.address());
        } catch (RuntimeException e) {
            dialled = CompletableFuture.failedFuture(e);
        }
        dialled.whenComplete((peer, error) -> onTurn(() -> onDialled(seed, peer, error)));
    }

    private void onDialled(Seed seed, NodeId peer, Throwable error) {
        EngineContext context = ctx;
        if (context == null) {
            return;
        }
        if (error == null) {
            seed.connected(peer);
            log.info("node {}: reached seed {} ({})", self.shortForm(), seed.address(), peer);
            sample(peer);
            return;
        }
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
        String why = cause.getMessage() != null ? cause.getMessage() : cause.toString();
        Duration delay = seed.failed(why, settings.seedRedialMin(), settings.seedRedialMax(), random);
        log.info("node {}: seed {} not reached ({}); dialling again in {} ms", self.shortForm(), seed.address(), why,
                delay.toMillis());
        seed.retry(context.schedule(delay, () -> dial(seed)));
    }

    /** @return the connected peers other than this node */
    private List<NodeId> peers() {
        List<NodeId> peers = new ArrayList<>(network.connected());
        peers.remove(self);
        return peers;
    }

    private static EngineAddress registryOf(NodeId node) {
        return EngineAddress.of(node, RegistryProtocol.ENGINE);
    }

    /** Runs an action on the engine's turn; dropped if the engine is not running (its start catches up). */
    private void onTurn(Runnable action) {
        EngineContext context = ctx;
        if (context != null) {
            context.schedule(Duration.ZERO, action);
        }
    }

    // ------------------------------------------------------------------------------------------------ lookups

    private void startLookup(NodeId node, CompletableFuture<Optional<NodeAdvert>> result) {
        Optional<NodeAdvert> held = table.get(node, clock.instant());
        if (held.isPresent() || ctx == null) {
            complete(result, held);
            return;
        }
        Lookup running = lookups.get(node);
        if (running != null) {
            running.waiters.add(result);
            return;
        }
        if (lookups.size() >= settings.maxPendingLookups()) {
            lookupsRefused.incrementAndGet();
            log.warn("node {}: lookup of {} refused: {} lookups are under way (setting maxPendingLookups)",
                    self.shortForm(), node, lookups.size());
            complete(result, Optional.empty());
            return;
        }
        List<NodeId> peers = peers();
        peers.remove(node);
        Collections.shuffle(peers, random);
        peers = peers.subList(0, Math.min(peers.size(), settings.lookupFanout()));
        lookupsAsked.incrementAndGet();
        if (peers.isEmpty()) {
            lookupsMissed.incrementAndGet();
            complete(result, Optional.empty());
            return;
        }
        Lookup lookup = new Lookup(node);
        lookup.waiters.add(result);
        lookup.outstanding = peers.size();
        lookups.put(node, lookup);
        for (NodeId peer : peers) {
            ctx.request(registryOf(peer), RegistryProtocol.GET, node.publicKey(), settings.lookupTimeout())
                    .whenComplete((reply, error) -> onAnswer(lookup, peer, reply, error));
        }
    }

    private void onAnswer(Lookup lookup, NodeId peer, Envelope reply, Throwable error) {
        Optional<NodeAdvert> found = Optional.empty();
        if (error == null && reply.payload() instanceof byte[] b && b.length > 0) {
            found = accept(b, lookup.node, peer); // checked against the node asked for: an answer about another is refused
        }
        lookup.outstanding--;
        if (lookup.done) {
            return;
        }
        if (found.isPresent() || lookup.outstanding == 0) {
            (found.isPresent() ? lookupsFound : lookupsMissed).incrementAndGet();
            lookup.done = true;
            lookups.remove(lookup.node, lookup);
            for (CompletableFuture<Optional<NodeAdvert>> waiter : lookup.waiters) {
                complete(waiter, found);
            }
        }
    }

    private void complete(CompletableFuture<Optional<NodeAdvert>> result, Optional<NodeAdvert> advert) {
        waiting.remove(result);
        result.complete(advert);
    }

    private void completeWaiting() {
        for (CompletableFuture<Optional<NodeAdvert>> f : List.copyOf(waiting)) {
            complete(f, Optional.empty());
        }
    }

    // ------------------------------------------------------------------------------------------------ AdvertDirectory

    @Override
    public long ownVersion() {
        return own.version();
    }

    @Override
    public Optional<NodeAdvert> own() {
        OwnAdvert.Signed mine = own.current();
        return mine == null ? Optional.empty() : Optional.of(mine.advert());
    }

    @Override
    public long knownVersion(NodeId node) {
        return node.equals(self) ? own.version() : table.version(node);
    }

    @Override
    public Optional<NodeAdvert> find(NodeId node) {
        if (node.equals(self)) {
            return own().filter(a -> !a.isExpired(clock.instant()));
        }
        return table.get(node, clock.instant());
    }

    @Override
    public CompletionStage<Optional<NodeAdvert>> lookup(NodeId node) {
        Optional<NodeAdvert> held = find(node);
        EngineContext context = ctx;
        if (held.isPresent() || node.equals(self)) {
            return CompletableFuture.completedFuture(held);
        }
        if (context == null) {
            lookupsRefused.incrementAndGet();
            return CompletableFuture.completedFuture(Optional.empty());
        }
        CompletableFuture<Optional<NodeAdvert>> result = new CompletableFuture<>();
        waiting.add(result);
        context.schedule(Duration.ZERO, () -> startLookup(node, result));
        if (ctx == null) {
            completeWaiting(); // the engine stopped meanwhile: its stop may have missed this one
        }
        return result;
    }

    @Override
    public void useRelays(List<NodeId> relays, boolean advertiseAddresses) {
        own.relays(relays, advertiseAddresses);
        if (ctx != null) {
            onTurn(this::refreshOwn);
        } else {
            own.refresh(clock.instant()); // the engine has not started: sign now, publish when it starts
        }
    }

    // ------------------------------------------------------------------------------------------------ NetworkListener

    @Override
    public void listeningChanged(List<URI> addresses) {
        own.listening(addresses);
        for (URI address : addresses) {
            if (settings.publicAddresses().isEmpty() && OwnAdvert.isWildcard(address)) {
                log.warn("node {}: listening on {}, which nobody can dial, so the advert leaves it out; set the public "
                        + "addresses of configuration io.hypha.netregistry", self.shortForm(), address);
            }
        }
        onTurn(this::refreshOwn);
    }

    @Override
    public void peerConnected(NodeId peer, long peerAdvertVersion, long knownOwnAdvertVersion) {
        onTurn(() -> onPeerConnected(peer, peerAdvertVersion, knownOwnAdvertVersion));
    }

    // ------------------------------------------------------------------------------------------------ RegistryAdmin

    @Override
    public RegistrySnapshot snapshot() {
        List<RegistrySnapshot.SeedInfo> seedInfos = seeds.stream().map(Seed::info).toList();
        return new RegistrySnapshot(self, own(), table.adverts(clock.instant()), settings.capacity(), table.rejections(),
                table.fullRefusals(), new Counters(lookupsAsked.get(), lookupsFound.get(), lookupsMissed.get(),
                lookupsRefused.get(), samples.get(), accepted.get(), badMessages.get()), seedInfos, store.file().toString());
    }

    @Override
    public Duration lookupTimeout() {
        return settings.lookupTimeout();
    }

    /** Completes the lookups still waiting (empty) and closes the store. Call when the component goes away. */
    public void close() {
        completeWaiting();
        store.close();
    }

    /** @return this node */
    public NodeId self() {
        return self;
    }

    @Override
    public String toString() {
        return "NetRegistry{" + self.shortForm() + ", own v" + own.version() + ", " + table + "}";
    }
}
