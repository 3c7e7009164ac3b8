package io.hypha.transport.internal.engine;

import io.hypha.api.DeliveryFailure;
import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import io.hypha.api.advert.AdvertDirectory;
import io.hypha.api.advert.TransportAddress;
import io.hypha.api.router.LocalDelivery;
import io.hypha.api.transport.Connection;
import io.hypha.api.transport.NetworkListener;
import io.hypha.api.transport.TransportCredentials;
import io.hypha.api.transport.TransportException;
import io.hypha.api.transport.TransportProtocol;
import io.hypha.transport.internal.AdminException;
import io.hypha.transport.internal.AdminFailure;
import io.hypha.transport.internal.Drop;
import io.hypha.transport.internal.TransportAdmin;
import io.hypha.transport.internal.TransportSettings;
import io.hypha.wire.Frame;
import io.hypha.wire.FrameCodec;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Transport engine: sessions to remote nodes above the connections of every installed {@link TransportProtocol}.
 * This class is its front door and its loop; {@link Sessions} holds what happens to messages, {@link Links} what
 * happens to connections and {@link Protocols} which transports are installed.
 *
 * <h2>Threading (Aeron style)</h2>
 * One owner thread runs {@link #doWork()} in a loop; every session and link belongs to whichever thread runs the
 * current turn (normally the owner, see below), so there are no locks on the hot path. Other threads hand work over
 * through three queues:
 * <pre>
 *  senders ── forward() ──▶ [outbound ring: envelope + encoded body] ─┐
 *  I/O threads ── frames, connects, closes ──▶ [inbound ring] ─────────┼─▶ doWork(): commands, inbound, outbound,
 *  DS / console ── protocols, settings, connect, ping, snapshot ──▶ [commands] ─┘     write, acks, timers
 * </pre>
 * {@code forward()} does the per-message work that needs no session state on the sender's thread: it checks the
 * payload, encodes the message body (the only allocation of the hot path), and takes its share of the peer's buffer
 * budget ({@link PeerGate}), so the bound is enforced synchronously. I/O threads decode frames before queueing them.
 *
 * <h2>Who runs a turn</h2>
 * A turn of the loop runs under a try-acquired flag ({@code busy}), never concurrently, so its state needs no
 * locks. The owner thread normally runs every turn and parks when there is nothing to do. When a sender or an I/O
 * thread queues work while the owner is parked, it runs that turn itself if the flag is free (it never waits for it)
 * and wakes the owner only if work is left: a sparse request then crosses no thread hand-off on its way through the
 * engine. Under load the owner never parks and producers only queue.
 *
 * <p>A transport's I/O thread runs only a <em>receiving</em> turn (Data and Ack frames: deduplicate, deliver,
 * release acknowledged messages) and never writes: a transport may write at once when called on its own I/O thread
 * but queue a write made from another thread (Netty does), so writes from both could leave out of order, which would
 * break the session's numbering. Threads that delivered a transport callback are remembered as I/O threads.
 *
 * <p>Time comes from the constructor: a wall clock for message expiry and a nanosecond clock for everything else,
 * so tests drive the engine by calling {@link #doWork()} with clocks they move.
 */
public final class TransportEngine implements TransportAdmin {
    private static final Logger LOG = LoggerFactory.getLogger(TransportEngine.class);

    /** Outbound ring: a message ({@code a} envelope, {@code b} body). */
    static final int MESSAGE = 1;
    /** Inbound ring: an inbound connection ({@code a} link). */
    static final int CONNECTED = 1;
    /** A dial completed ({@code a} link, {@code b} connection). */
    static final int DIALLED = 2;
    /** A dial failed ({@code a} link, {@code b} throwable). */
    static final int DIAL_FAILED = 3;
    /** A Data frame ({@code a} link, {@code b} envelope, {@code n} seq, {@code m} frame size). */
    static final int DATA = 4;
    /** An Ack frame ({@code a} link, {@code n} seq, {@code m} frame size). */
    static final int ACK = 5;
    /** Another frame ({@code a} link, {@code b} {@link Frame}, {@code m} frame size). */
    static final int FRAME = 6;
    /** The connection can take frames again ({@code a} link). */
    static final int WRITABLE = 7;
    /** The connection closed ({@code a} link, {@code b} cause or null). */
    static final int CLOSED = 8;
    /** The I/O thread refused the connection ({@code a} link, {@code b} {@link Problem}). */
    static final int REFUSED = 9;

    /** Why an I/O thread closed a connection. */
    record Problem(io.hypha.transport.internal.Refusal reason, String detail) {
    }

    /** A nanosecond clock, monotonic. */
    @FunctionalInterface
    public interface NanoClock {
        /** @return nanoseconds from an arbitrary origin */
        long nanoTime();
    }

    private static final int COMMAND_BATCH = 64;
    private static final int INBOUND_BATCH = 1024;
    private static final int OUTBOUND_BATCH = 1024;
    private static final long TICK_NANOS = 5_000_000L;
    /** Bytes a decoded frame is assumed to hold beyond its size (message objects, queue slot). */
    static final int INBOUND_OVERHEAD = 128;

    final NodeId self;
    final String selfShort;
    final TransportCredentials credentials;
    final RandomGenerator random;
    private final LocalDelivery local;
    private final InstantSource wallClock;
    private final NanoClock nanoClock;
    private volatile TransportSettings settings;
    private volatile FrameCodec codec;

    final EventRing outbound;
    final EventRing inbound;
    private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Spilled> spill = new ConcurrentLinkedQueue<>();
    private final AtomicInteger spilled = new AtomicInteger();
    private final AtomicLong inboundBytes = new AtomicLong();
    private final AtomicLong linkIds = new AtomicLong();
    private final LongAdder[] forwardRefusals = new LongAdder[Drop.values().length];
    private final Set<Class<?>> warnedPayloads = ConcurrentHashMap.newKeySet();
    /** Told of listening changes and peers coming and going, on the engine thread. */
    private final List<NetworkListener> listeners = new CopyOnWriteArrayList<>();
    /** Peers with an open link, for readers on any thread. */
    private final Set<NodeId> connectedPeers = ConcurrentHashMap.newKeySet();
    /** A live read-only view: routing asks it per message, so no copy. */
    private final Set<NodeId> connectedView = Collections.unmodifiableSet(connectedPeers);
    /** Where advert versions for the handshake come from; null until a NetRegistry is installed. */
    private volatile AdvertDirectory adverts;
    /** The listening set listeners were last told (engine thread). */
    private Set<URI> toldListening = Set.of();
    /** The list {@link #checkListening} last looked at (engine thread). */
    private List<URI> seenListening;
    private final EventRing.Handler onInbound = this::onInbound;
    private final EventRing.Handler onOutbound = this::onOutbound;

    final Sessions sessions;
    final Links links;
    final Protocols protocols;

    /** Whether producers may run a turn inline when the owner is parked (see the class comment). */
    private final boolean inlineTurns;
    /** The clock readings of the current turn of the loop. */
    long now;
    long nowMillis;
    private long nextTick;
    /** When the next timer or owed ack falls due, as the last turn left it: read by the owner before it parks. */
    private volatile long nextDeadline;
    private long inboundBytesTaken;
    private volatile boolean closed;
    private volatile boolean stopped;
    private volatile boolean parked;
    private volatile Thread owner;
    /** Held by whoever runs a turn (the owner, or a producer running it inline); try-acquired, never waited for. */
    private final AtomicBoolean busy = new AtomicBoolean();
    /** Marks the threads that delivered a transport callback: they run receiving turns only. */
    private final ThreadLocal<Boolean> ioThread = new ThreadLocal<>();
    /** Inbound kinds a receiving turn handles. */
    /** How soon messages held for a full mailbox are offered again when nothing else wakes the engine. */
    private static final long HELD_RETRY_NANOS = 200_000L;
    private static final int RECEIVE_KINDS = (1 << DATA) | (1 << ACK);

    /**
     * @param settings    bounds and timings
     * @param self        this node
     * @param credentials this node's TLS credentials, handed to protocols
     * @param local       where inbound messages are delivered and failures reported
     * @param wallClock   the clock of message expiry
     * @param nanoClock   the clock of timeouts and round trips
     * @param random      source of session epochs, ping nonces and backoff jitter
     */
    public TransportEngine(TransportSettings settings, NodeId self, TransportCredentials credentials, LocalDelivery local,
                           InstantSource wallClock, NanoClock nanoClock, RandomGenerator random) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.self = Objects.requireNonNull(self, "self");
        this.selfShort = self.shortForm();
        this.credentials = credentials;
        this.local = Objects.requireNonNull(local, "local");
        this.wallClock = Objects.requireNonNull(wallClock, "wallClock");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.random = Objects.requireNonNull(random, "random");
        this.codec = new FrameCodec(settings.maxFrameSize());
        this.outbound = new EventRing(settings.handoffCapacity());
        this.inbound = new EventRing(settings.inboundQueueCapacity());
        for (int i = 0; i < forwardRefusals.length; i++) {
            forwardRefusals[i] = new LongAdder();
        }
        this.now = nanoClock.nanoTime();
        this.nowMillis = wallClock.millis();
        this.nextTick = now;
        this.inlineTurns = settings.inlineTurns();
        this.sessions = new Sessions(this);
        this.links = new Links(this);
        this.protocols = new Protocols(this);
    }

    // ================================================================== any thread

    /** @return the current settings */
    public TransportSettings settings() {
        return settings;
    }

    FrameCodec codec() {
        return codec;
    }

    long nextLinkId() {
        return linkIds.incrementAndGet();
    }

    /**
     * Takes a message for another node (the router's {@code RemoteGateway.forward}). Never blocks.
     *
     * @param envelope the message; its destination names another node
     * @return {@code null} if taken; otherwise why it was refused: {@link DeliveryFailure#MAILBOX_FULL} when the
     *         peer's outbound buffer (or the hand-off to the engine thread) is full, {@link DeliveryFailure#NO_ROUTE}
     *         when the node is unknown, the payload cannot cross a node boundary, the message is larger than the
     *         maximum frame size, or the engine is stopped
     */
    public DeliveryFailure forward(Envelope envelope) {
        NodeId node = envelope.dst().node();
        if (closed || node == null || node.equals(self)) {
            return refused(Drop.NO_ROUTE, DeliveryFailure.NO_ROUTE);
        }
        PeerGate gate = sessions.gates().get(node);
        if (gate == null) {
            return refused(Drop.NO_ROUTE, DeliveryFailure.NO_ROUTE);
        }
        byte[] body = DataFrames.encodeBody(envelope, self);
        if (body == null) {
            Class<?> type = envelope.payload().getClass();
            if (warnedPayloads.size() < 64 && warnedPayloads.add(type)) {
                LOG.warn("node {}: a {} payload cannot cross a node boundary (only byte[] and String can); {} refused",
                        selfShort, type.getName(), envelope);
            }
            return refused(Drop.UNSUPPORTED_PAYLOAD, DeliveryFailure.NO_ROUTE);
        }
        TransportSettings s = settings;
        if (DataFrames.dataFrameSize(-1L, body.length) > s.maxFrameSize()) {
            return refused(Drop.TOO_LARGE, DeliveryFailure.NO_ROUTE);
        }
        if (!gate.tryAcquire(body.length, s.outboundBufferMessages(), s.outboundBufferBytes())) {
            gate.refusedFull.increment();
            return refused(Drop.BUFFER_FULL, DeliveryFailure.MAILBOX_FULL);
        }
        if (!outbound.offer(MESSAGE, envelope, body, 0, 0)) {
            gate.release(1, body.length);
            gate.refusedFull.increment();
            return refused(Drop.BUFFER_FULL, DeliveryFailure.MAILBOX_FULL);
        }
        wakeOrRun();
        return null;
    }

    private DeliveryFailure refused(Drop drop, DeliveryFailure failure) {
        forwardRefusals[drop.ordinal()].increment();
        return failure;
    }

    /** @param protocol a protocol service that appeared; the engine listens and dials with it */
    public void addProtocol(TransportProtocol protocol) {
        command(() -> {
            if (!closed) {
                protocols.add(protocol);
            }
        });
    }

    /**
     * A protocol service is going away: its endpoints and connections are closed and its sessions move to other
     * protocols.
     *
     * @param protocol the protocol
     * @return completes when the engine has let go of it
     */
    public CompletionStage<Void> removeProtocol(TransportProtocol protocol) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (closed) {
            done.complete(null); // stopping or stopped: its links are closed (or about to be) anyway
            return done;
        }
        command(() -> {
            ProtocolHandle handle = protocols.remove(protocol);
            if (handle != null) {
                links.closeAll(handle);
            }
            done.complete(null);
        });
        return done;
    }

    /** @param next new settings; ring capacities take effect only when the engine is made anew */
    public void updateSettings(TransportSettings next) {
        Objects.requireNonNull(next, "next");
        command(() -> {
            TransportSettings old = settings;
            settings = next;
            codec = new FrameCodec(next.maxFrameSize());
            sessions.onSettings(next);
            protocols.onSettings(old, next);
        });
    }

    /**
     * Adds an address at which a node can be dialled, with its weight: the hook through which signed node adverts
     * (NetRegistry, next release) feed the address book. The node's session is created if needed; it is dialled on
     * demand (ephemeral) when messages wait for it.
     *
     * @param node    the node
     * @param address its address, {@code scheme://host:port}
     * @param weight  the advert's weight (higher is preferred)
     */
    public void learnAddress(NodeId node, URI address, int weight) {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(address, "address");
        command(() -> {
            Session s = sessions.getOrCreate(node);
            if (s != null) {
                s.addresses.learn(address, AddressBook.Source.ADVERT, weight);
            }
        });
    }

    /**
     * Sets a node's advertised addresses (see {@link io.hypha.api.transport.Network#learn}).
     *
     * @return completes when the node's session exists and holds them
     */
    @Override
    public CompletionStage<Void> learnAdvertised(NodeId node, List<TransportAddress> addresses) {
        Objects.requireNonNull(node, "node");
        List<Map.Entry<URI, Integer>> plain = new ArrayList<>(addresses.size());
        for (TransportAddress a : addresses) {
            URI u = a.uri();
            try {
                plain.add(Map.entry(new URI(u.getScheme(), null, u.getHost(), u.getPort(), null, null, null), a.weight()));
            } catch (URISyntaxException e) {
                LOG.debug("node {}: advertised address {} of {} skipped: {}", selfShort, u, node.shortForm(), e.getMessage());
            }
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (closed || node.equals(self)) {
            done.complete(null);
            return done;
        }
        command(() -> {
            Session s = sessions.getOrCreate(node);
            if (s != null) {
                s.addresses.replaceAdvertised(plain);
            }
            done.complete(null);
        });
        return done;
    }

    /** @param node a node @return whether a session exists for it, so {@link #forward} takes its messages */
    @Override
    public boolean knows(NodeId node) {
        return sessions.gates().containsKey(node);
    }

    /** @return peers with at least one open connection now */
    @Override
    public Set<NodeId> connectedPeers() {
        return connectedView;
    }

    /** @param directory the advert versions to announce in handshakes, or {@code null} for none */
    @Override
    public void useAdverts(AdvertDirectory directory) {
        this.adverts = directory;
    }

    /** @param listener told of listening changes and peers; first with the current listening set */
    @Override
    public void addListener(NetworkListener listener) {
        listeners.add(listener);
        command(() -> {
            List<URI> now = protocols.listening();
            tell(listener, l -> l.listeningChanged(now));
        });
    }

    /** @param listener no longer told */
    @Override
    public void removeListener(NetworkListener listener) {
        listeners.remove(listener);
    }

    long ownAdvertVersion() {
        AdvertDirectory d = adverts;
        return d == null ? 0 : d.ownVersion();
    }

    long knownAdvertVersion(NodeId node) {
        AdvertDirectory d = adverts;
        return d == null || node == null ? 0 : d.knownVersion(node);
    }

    void peerConnected(NodeId peer, long peerAdvertVersion, long knowsOwn) {
        connectedPeers.add(peer);
        for (NetworkListener l : listeners) {
            tell(l, x -> x.peerConnected(peer, peerAdvertVersion, knowsOwn));
        }
    }

    void peerDisconnected(NodeId peer) {
        connectedPeers.remove(peer);
        for (NetworkListener l : listeners) {
            tell(l, x -> x.peerDisconnected(peer));
        }
    }

    /** Tells listeners when the listening set changed since they were last told (engine thread, on the tick). */
    private void checkListening() {
        if (listeners.isEmpty()) {
            return;
        }
        List<URI> now = protocols.listening();
        if (now == seenListening) {
            return; // Protocols replaces the list when it changes: the common case costs one comparison per tick
        }
        seenListening = now;
        Set<URI> set = Set.copyOf(now);
        if (!set.equals(toldListening)) {
            toldListening = set;
            for (NetworkListener l : listeners) {
                tell(l, x -> x.listeningChanged(now));
            }
        }
    }

    private void tell(NetworkListener listener, java.util.function.Consumer<NetworkListener> call) {
        try {
            call.accept(listener);
        } catch (RuntimeException e) {
            LOG.warn("node {}: network listener {} threw", selfShort, listener, e);
        }
    }

    /** Stops: held messages are reported to their senders as undeliverable, connections and endpoints closed. */
    public void close() {
        if (!closed) {
            closed = true;
            command(this::onClose);
        }
    }

    /** @return whether {@link #close()} was called */
    boolean isClosed() {
        return closed;
    }

    /** @return whether the engine finished stopping; its loop may end */
    public boolean isStopped() {
        return stopped;
    }

    void command(Runnable r) {
        commands.add(r);
        wake();
    }

    /**
     * Queues an event from an I/O thread (a frame, whose share of the inbound byte budget the caller took with
     * {@link #reserveInbound}, or a connection event). The ring is the fast path; when it is full, events wait in
     * order in the spill queue, and every later one follows them there until it is drained, so a burst beyond the
     * ring's capacity costs an allocation per event rather than the connection. The byte budget bounds both.
     */
    void ioEvent(int kind, Object a, Object b, long n, long m) {
        if (spilled.get() != 0 || !inbound.offer(kind, a, b, n, m)) {
            spill(kind, a, b, n, m);
        }
        if (ioThread.get() == null) {
            ioThread.set(Boolean.TRUE);
        }
        wakeOrRun();
    }

    private void spill(int kind, Object a, Object b, long n, long m) {
        spilled.incrementAndGet();
        spill.add(new Spilled(kind, a, b, n, m));
    }

    /** An inbound event that found the ring full (or others before it in the spill). */
    private record Spilled(int kind, Object a, Object b, long n, long m) {
    }

    /**
     * Takes a frame's share of the inbound byte budget (its size plus a fixed overhead for the decoded message and its
     * queue slot), on the I/O thread; the engine gives it back when it has handled the frame.
     *
     * @return whether it fits
     */
    boolean reserveInbound(int size) {
        long share = size + INBOUND_OVERHEAD;
        if (inboundBytes.addAndGet(share) > settings.inboundBufferBytes()) {
            inboundBytes.addAndGet(-share);
            return false;
        }
        return true;
    }

    void releaseInbound(int size) {
        inboundBytes.addAndGet(-(size + INBOUND_OVERHEAD));
    }

    /** Unparks the owner if it parked. */
    void wake() {
        if (parked) {
            LockSupport.unpark(owner);
        }
    }

    /**
     * After queueing work: if the owner is parked, runs the turn on this thread when nobody runs one (never waiting),
     * and wakes the owner only if work is left.
     */
    private void wakeOrRun() {
        if (!parked) {
            return;
        }
        if (inlineTurns && !stopped && busy.compareAndSet(false, true)) {
            boolean io = ioThread.get() != null;
            boolean left;
            try {
                if (io) {
                    receivingTurn();
                    left = hasQueuedWork() || sessions.hasWritesDue();
                } else {
                    turn();
                    left = hasQueuedWork();
                }
            } catch (RuntimeException e) {
                LOG.error("node {}: transport engine turn failed", selfShort, e);
                left = true;
            } finally {
                busy.set(false);
            }
            if (left) {
                LockSupport.unpark(owner);
            }
        } else {
            LockSupport.unpark(owner);
        }
    }

    private boolean hasQueuedWork() {
        return !inbound.isEmpty() || !outbound.isEmpty() || !commands.isEmpty() || spilled.get() != 0;
    }

    // ================================================================== TransportAdmin (any thread)

    @Override
    public NodeId self() {
        return self;
    }

    @Override
    public List<URI> listening() {
        return protocols.listening();
    }

    @Override
    public CompletionStage<ConnectResult> connect(URI address) {
        CompletableFuture<ConnectResult> result = new CompletableFuture<>();
        URI plain;
        NodeId expected;
        try {
            if (address.getScheme() == null || address.getHost() == null || address.getPort() < 0) {
                throw new AdminException(AdminFailure.BAD_ADDRESS, "'" + address + "' is not scheme://[nodeid@]host:port");
            }
            try {
                expected = address.getUserInfo() == null ? null : NodeId.parse(address.getUserInfo());
            } catch (IllegalArgumentException e) {
                throw new AdminException(AdminFailure.BAD_ADDRESS, "the node id in '" + address + "' is not valid: " + e.getMessage());
            }
            plain = new URI(address.getScheme(), null, address.getHost(), address.getPort(), null, null, null);
        } catch (AdminException e) {
            result.completeExceptionally(e);
            return result;
        } catch (URISyntaxException e) {
            result.completeExceptionally(new AdminException(AdminFailure.BAD_ADDRESS, e.getMessage()));
            return result;
        }
        if (self.equals(expected)) {
            result.completeExceptionally(new AdminException(AdminFailure.SELF, expected + " is this node"));
            return result;
        }
        if (closed) {
            result.completeExceptionally(new AdminException(AdminFailure.NOT_RUNNING, "the transport engine is stopped"));
            return result;
        }
        command(() -> links.dial(null, plain, expected, result));
        return result;
    }

    @Override
    public CompletionStage<PingResult> ping(NodeId node) {
        CompletableFuture<PingResult> result = new CompletableFuture<>();
        if (closed) {
            result.completeExceptionally(new AdminException(AdminFailure.NOT_RUNNING, "the transport engine is stopped"));
            return result;
        }
        command(() -> links.ping(sessions.get(node), result));
        return result;
    }

    @Override
    public CompletionStage<io.hypha.transport.internal.TransportSnapshot> snapshot() {
        CompletableFuture<io.hypha.transport.internal.TransportSnapshot> result = new CompletableFuture<>();
        if (closed) {
            result.completeExceptionally(new AdminException(AdminFailure.NOT_RUNNING, "the transport engine is stopped"));
            return result;
        }
        command(() -> result.complete(Snapshots.take(this, forwardRefusals)));
        return result;
    }

    // ================================================================== owner thread

    /**
     * One turn of the loop: commands, inbound events, outbound messages, writes, acks, and timers when due.
     *
     * @return how much work was done (0: nothing to do, the caller may idle)
     */
    public int doWork() {
        if (!busy.compareAndSet(false, true)) {
            return 0; // a producer is running this turn inline
        }
        try {
            return turn();
        } finally {
            busy.set(false);
        }
    }

    /**
     * The turn an I/O thread may run: the Data and Ack frames at the head of the inbound ring, nothing that writes.
     * What it leaves (other frames, writes now due) is the owner's.
     */
    private void receivingTurn() {
        now = nanoClock.nanoTime();
        nowMillis = wallClock.millis();
        inbound.poll(onInbound, INBOUND_BATCH, RECEIVE_KINDS);
        if (inboundBytesTaken != 0) {
            inboundBytes.addAndGet(-inboundBytesTaken);
            inboundBytesTaken = 0;
        }
        nextDeadline = Math.min(nextTick, sessions.nextAckDue());
    }

    private int turn() {
        now = nanoClock.nanoTime();
        nowMillis = wallClock.millis();
        int work = runCommands();
        if (sessions.isHolding()) {
            work += sessions.retryHeld();
        }
        work += inbound.poll(onInbound, INBOUND_BATCH);
        if (spilled.get() != 0 && inbound.isEmpty()) {
            work += drainSpill();
        }
        if (inboundBytesTaken != 0) {
            inboundBytes.addAndGet(-inboundBytesTaken);
            inboundBytesTaken = 0;
        }
        work += outbound.poll(onOutbound, OUTBOUND_BATCH);
        work += sessions.writeReady();
        work += sessions.flushAcks();
        if (now - nextTick >= 0) {
            nextTick = now + TICK_NANOS;
            links.tick();
            sessions.tick();
            checkListening();
            work += sessions.writeReady();
        }
        nextDeadline = Math.min(nextTick, sessions.nextAckDue());
        if (sessions.isHolding()) {
            nextDeadline = Math.min(nextDeadline, now + HELD_RETRY_NANOS);
        }
        return work;
    }

    /**
     * Parks the owner until work arrives or the next timer falls due, at most {@code maxNanos}.
     *
     * @param maxNanos the longest park
     */
    public void idle(long maxNanos) {
        if (owner != Thread.currentThread()) {
            owner = Thread.currentThread();
        }
        parked = true;
        try {
            if (!hasQueuedWork()) {
                long due = nextDeadline - nanoClock.nanoTime();
                long wait = Math.min(maxNanos, due);
                if (wait > 0) {
                    LockSupport.parkNanos(this, wait);
                }
            }
        } finally {
            parked = false;
        }
    }

    /** Handles spilled events in order; only when the ring is empty, so that none overtakes an older one there. */
    private int drainSpill() {
        int n = 0;
        Spilled e;
        while (n < INBOUND_BATCH && (e = spill.poll()) != null) {
            spilled.decrementAndGet();
            n++;
            onInbound(e.kind, e.a, e.b, e.n, e.m);
        }
        return n;
    }

    private int runCommands() {
        int n = 0;
        Runnable r;
        while (n < COMMAND_BATCH && (r = commands.poll()) != null) {
            n++;
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.error("node {}: transport engine command failed", selfShort, e);
            }
        }
        return n;
    }

    private void onOutbound(int kind, Object a, Object b, long n, long m) {
        Envelope envelope = (Envelope) a;
        if (stopped) {
            undeliverable(envelope, DeliveryFailure.NO_ROUTE, "the transport engine stopped");
            return;
        }
        try {
            sessions.onMessage(envelope, (byte[]) b);
        } catch (RuntimeException e) {
            LOG.error("node {}: transport engine failed on {}", selfShort, envelope, e);
        }
    }

    private void onInbound(int kind, Object a, Object b, long n, long m) {
        Link link = (Link) a;
        if (kind == DATA || kind == ACK || kind == FRAME) {
            inboundBytesTaken += m + INBOUND_OVERHEAD;
        }
        try {
            links.register(link);
            switch (kind) {
                case CONNECTED -> { /* registered above */ }
                case DIALLED -> links.onDialled(link, (Connection) b);
                case DIAL_FAILED -> links.onDialFailed(link, (Throwable) b);
                case DATA -> onData(link, (Envelope) b, n, (int) m);
                case ACK -> onAck(link, n);
                case FRAME -> links.onFrame(link, (Frame) b);
                case WRITABLE -> links.onWritable(link);
                case CLOSED -> links.onClosed(link, (TransportException) b);
                case REFUSED -> {
                    Problem p = (Problem) b;
                    links.refuse(link, p.reason(), p.detail(), true);
                }
                default -> throw new IllegalStateException("unknown event kind " + kind);
            }
        } catch (RuntimeException e) {
            LOG.error("node {}: transport engine failed on event {} of {}", selfShort, kind, link, e);
            links.close(link, null, "the engine failed on its event: " + e);
        }
    }

    private void onData(Link link, Envelope envelope, long seq, int size) {
        if (link.isClosed()) {
            return; // unacknowledged: the peer resends it on its next connection
        }
        link.lastReceived = now;
        Session s = link.session;
        if (!link.opened || s == null) {
            links.violation(link, "a Data frame before the handshake completed");
            return;
        }
        if (link.peerEpoch != s.recvEpoch) {
            // From an earlier incarnation of the peer: its numbers mean nothing now.
            links.close(link, null, "it belongs to the peer's previous session epoch");
            return;
        }
        link.lastData = now;
        sessions.onData(s, link, envelope, seq, size);
    }

    private void onAck(Link link, long seq) {
        link.lastReceived = now;
        Session s = link.session;
        if (!link.opened || s == null) {
            links.violation(link, "an Ack before the handshake completed");
            return;
        }
        if (!sessions.onAck(s, seq)) {
            links.violation(link, "an Ack of seq " + Long.toUnsignedString(seq) + ", beyond the " + s.maxSent + " sent");
        }
    }

    private void onClose() {
        Envelope[] left = new Envelope[1];
        int drained;
        do {
            drained = outbound.poll((kind, a, b, n, m) -> {
                left[0] = (Envelope) a;
                undeliverable(left[0], DeliveryFailure.NO_ROUTE, "the transport engine stopped");
            }, OUTBOUND_BATCH);
        } while (drained > 0);
        sessions.stop();
        links.stop();
        protocols.stop();
        stopped = true;
        LOG.info("node {}: transport engine stopped", selfShort);
    }

    void deliver(Envelope envelope) {
        try {
            local.deliver(envelope);
        } catch (RuntimeException e) {
            LOG.error("node {}: local delivery failed on {}", selfShort, envelope, e);
        }
    }

    /** @return {@link LocalDelivery#offer}'s answer; a delivery that throws counts as the engine failing */
    DeliveryFailure offer(Envelope envelope) {
        try {
            return local.offer(envelope);
        } catch (RuntimeException e) {
            LOG.error("node {}: local delivery failed on {}", selfShort, envelope, e);
            return DeliveryFailure.ENGINE_FAILED;
        }
    }

    void undeliverable(Envelope envelope, DeliveryFailure failure, String detail) {
        try {
            local.undeliverable(envelope, failure, detail);
        } catch (RuntimeException e) {
            LOG.error("node {}: reporting {} as {} failed", selfShort, envelope, failure, e);
        }
    }

    // ================================================================== helpers

    /** @return the transport exception inside a failure, or {@code null} */
    static TransportException transportException(Throwable failure) {
        Throwable t = failure;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t instanceof TransportException te ? te : null;
    }

    /** @return a failure as a short sentence */
    static String describe(Throwable failure) {
        Throwable t = failure;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    @Override
    public String toString() {
        return "TransportEngine[" + selfShort + "]";
    }
}
