package io.hypha.runtime.internal;

import io.hypha.api.DeadLetter;
import io.hypha.api.DeliveryFailure;
import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import io.hypha.api.engine.DeadLetterLog;
import io.hypha.api.engine.Engine;
import io.hypha.api.engine.EngineDirectory;
import io.hypha.api.engine.EngineInfo;
import io.hypha.api.router.LocalDelivery;
import io.hypha.api.router.Router;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine runtime without OSGi: hosts engines by name, each with a bounded mailbox, and runs them one message at
 * a time on a shared {@link ForkJoinPool}. The DS component {@link EngineRuntimeComponent} wraps one; benchmarks and
 * tests construct it directly:
 *
 * <pre>
 * try (EngineHost host = new EngineHost(RuntimeSettings.defaults(), nodeId, InstantSource.system())) {
 *     host.register("echo", echoEngine, Map.of());
 *     host.deliver(Envelope.builder().dst(EngineAddress.local("echo")).id(host.nextMessageId()).type("ping").build());
 * }
 * </pre>
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>An engine's callbacks never run concurrently; messages from one sender are handled in the order sent.</li>
 *   <li>A full mailbox refuses ({@link DeliveryFailure#MAILBOX_FULL}); nothing blocks a sender.</li>
 *   <li>Every message is handled at most once; one that cannot be handled becomes a dead letter with its reason
 *       ({@link #recent}, {@link #counts}), and its sending engine is told ({@code onUndeliverable}, or its request
 *       fails with a {@link io.hypha.api.DeliveryException}).</li>
 *   <li>Hot update: when an engine is {@linkplain #unregister unregistered}, the message it is handling finishes,
 *       it gets {@code onStop}, and its mailbox is kept, suspended, with messages still queueing (within the bound).
 *       An engine registered under the same name within {@link RuntimeSettings#graceMillis()} takes the mailbox over
 *       ({@code onStart}, then the queued messages in order). Otherwise the queued messages become dead letters
 *       ({@link DeliveryFailure#ENGINE_STOPPED}) and the name is released.</li>
 *   <li>A second engine registering a name that is running is refused with a logged error and kept as a
 *       candidate: it takes the name over (immediately, without grace wait) when the running one is
 *       unregistered. Candidates are taken in registration order.</li>
 * </ul>
 *
 * <h2>Sending</h2>
 * Engines send through their context: with a {@link Router} set ({@link #setRouter}), every envelope goes to
 * {@link Router#route} (which calls {@link #deliver} back for local destinations); without one, local destinations
 * are delivered directly and remote ones are dead-lettered as {@link DeliveryFailure#NO_ROUTE}.
 *
 * <h2>Requests</h2>
 * A request's continuations run on the requesting engine's turn. The reply is matched to the pending request when
 * the turn takes it from the mailbox (a reply matching no pending request, e.g. one that came after the timeout or
 * answers a one-way send, is handed to {@code onMessage}); timeouts and delivery failures are system tasks on that
 * turn. One exception saves a turn: a request made outside the engine's turn (a console thread) may be completed by
 * the thread that delivers its reply, its continuations still running on the turn (see {@link TurnFuture}).
 * A request that expires on its way fails with {@link DeliveryFailure#TIMEOUT}, like one that got no reply. Timeouts
 * cost no timer per request: each engine sweeps its pending requests when the earliest deadline passes (and at most
 * every {@value EngineCell#MIN_SWEEP_INTERVAL_MILLIS} ms, so a timeout may fire that much late after another one).
 * Pending requests of an engine that stops fail with {@link DeliveryFailure#ENGINE_STOPPED} before its
 * {@code onStop}.
 *
 * <h2>Scheduling</h2>
 * Each mailbox is a task of a {@link ForkJoinPool} ({@link RuntimeSettings#threads()} threads) that runs up to
 * {@link RuntimeSettings#batchSize()} messages a turn. A turn that wakes another engine hands it to the same thread,
 * which runs it right after (see {@link EngineWorker}), so request/reply and pipelines stay on one warm thread.
 * A turn whose queue runs dry watches it for {@link RuntimeSettings#idleSpinMicros()} before it gives the thread
 * back, so that a sender just behind it needs not wake a thread.
 * One timer thread serves every engine's timers and request timeout sweeps; it only enqueues tasks.
 *
 * <h2>Pitfalls</h2>
 * <ul>
 *   <li>Engine callbacks must not block: a blocked callback holds its thread and delays the engine's own later
 *       work. Waiting for a request's stage inside the same engine's callback never ends: the reply and the timeout
 *       are both handled on that engine's turn. Attach a continuation instead.</li>
 *   <li>Unregistering an engine from inside another engine's callback is allowed: the waiting thread hands its
 *       pending turns to the pool first (and the pool adds a thread while it waits), so the stop can run.</li>
 * </ul>
 *
 * <p>Thread-safety: every public method may be called from any thread. {@link #deliver} and the engines' sends are
 * lock-free; {@link #register}, {@link #unregister} and {@link #close} take a short lifecycle lock and never call
 * engine code while holding it.
 */
public final class EngineHost implements LocalDelivery, EngineDirectory, DeadLetterLog, AutoCloseable {
    /**
     * Property key, in the {@code props} given to {@link #register}, of the symbolic name of the bundle that
     * registered the engine (shown by {@link #engines()}).
     */
    public static final String BUNDLE_PROPERTY = "hypha.runtime.bundle";

    private static final Logger LOG = LoggerFactory.getLogger(EngineHost.class);
    private static final AtomicInteger POOL_SEQUENCE = new AtomicInteger();
    /** Message ids an engine thread takes from the node's counter at a time ({@link #nextMessageId}). */
    static final int ID_BLOCK = 1024;

    private volatile RuntimeSettings settings;
    private final NodeId node;
    private final String nodeShort;
    private final InstantSource clock;
    private final ForkJoinPool pool;
    private final TimerScheduler timers;
    private final DeadLetterRing deadLetters;
    private final AtomicLong messageIds = new AtomicLong();
    /** Threads watching a mailbox for more work now (see {@code Mailbox.awaitMessage}), at most {@link #maxSpinners}. */
    private final AtomicInteger spinners = new AtomicInteger();
    private final int maxSpinners;
    private final ConcurrentHashMap<String, Mailbox> mailboxes = new ConcurrentHashMap<>();
    private final Object lifecycle = new Object();
    private volatile Router router;
    private volatile boolean closed;

    /**
     * Starts a host: its executor threads and its timer thread.
     *
     * @param settings the bounds
     * @param node     this node's id; it is the node of every engine's address
     * @param clock    the clock for expiry, timers and dead-letter times (tests may pass a controllable one)
     */
    public EngineHost(RuntimeSettings settings, NodeId node, InstantSource clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.node = Objects.requireNonNull(node, "node");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.nodeShort = node.shortForm();
        this.deadLetters = new DeadLetterRing(settings.deadLetterCapacity());
        // Spinning threads must never take every core: the threads that send (and the others of the pool) need one.
        this.maxSpinners = Math.max(1, settings.threads() / 2);
        int poolId = POOL_SEQUENCE.incrementAndGet();
        AtomicInteger threadIds = new AtomicInteger();
        ForkJoinPool.ForkJoinWorkerThreadFactory factory = p -> {
            EngineWorker t = new EngineWorker(p, this);
            t.setName("hypha-engine-" + nodeShort + "-" + poolId + "-" + threadIds.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        // asyncMode: local queues are FIFO, which suits event-style tasks that are never joined.
        this.pool = new ForkJoinPool(settings.threads(), factory,
                (t, e) -> LOG.error("node {}: uncaught in engine thread {}", nodeShort, t.getName(), e), true);
        this.timers = new TimerScheduler(clock, "hypha-timer-" + nodeShort + "-" + poolId);
        LOG.debug("node {}: engine host started with {}", nodeShort, settings);
    }

    // ---------------------------------------------------------------- engines

    /**
     * Hosts an engine under a name. If the name has no running engine, the engine gets the name's mailbox (a new
     * one, or the suspended one of a previous instance within its grace period): {@code onStart} runs on its first
     * turn, then it receives the queued messages. If another engine runs under the name, this one is refused with a
     * logged error and kept as a candidate (see the class documentation).
     *
     * @param name   the engine name (see {@link EngineAddress})
     * @param engine the engine
     * @param props  its service properties; {@link Engine#MAILBOX_CAPACITY} (a number or numeric string) sets the
     *               capacity of a mailbox created for it, {@link #BUNDLE_PROPERTY} names its bundle; may be null
     * @return {@code true} if the engine now has the name, {@code false} if it waits as a candidate or the host is
     *         closed
     * @throws IllegalArgumentException if the name is not a valid engine name
     */
    public boolean register(String name, Engine engine, Map<String, ?> props) {
        EngineAddress.checkEngineName(name);
        Objects.requireNonNull(engine, "engine");
        Map<String, ?> properties = copyOf(props);
        synchronized (lifecycle) {
            if (closed) {
                LOG.warn("node {}: engine runtime is closed; engine {} not started", nodeShort, name);
                return false;
            }
            Mailbox mb = mailboxes.get(name);
            if (mb != null && mb.current != null) {
                if (mb.current.engine == engine || mb.candidates.stream().anyMatch(r -> r.engine() == engine)) {
                    return mb.current.engine == engine;
                }
                mb.candidates.add(new Registration(engine, properties));
                LOG.error("node {}: an engine named '{}' is already running ({}); the new one ({}) waits and takes over "
                        + "when the running one goes away", nodeShort, name, mb.current.engine.getClass().getName(),
                        engine.getClass().getName());
                return false;
            }
            if (mb == null) {
                mb = new Mailbox(this, name, capacityFor(name, properties));
                mailboxes.put(name, mb);
            }
            startLocked(mb, engine, properties);
            return true;
        }
    }

    /**
     * Stops hosting an engine. If it had the name, it is asked to stop: the message it is handling (if any) finishes,
     * no further message is handed to it, and {@code onStop} runs on its turn; this method waits for that, at most
     * {@link RuntimeSettings#stopTimeoutMillis()} (and not at all when called from the engine's own turn, where the
     * stop follows the current callback). Its mailbox then waits for a successor (a candidate takes over at once)
     * for {@link RuntimeSettings#graceMillis()}. A candidate is simply forgotten. Unknown engines are ignored.
     *
     * @param name   the name it was registered under
     * @param engine the engine instance that was registered
     */
    public void unregister(String name, Engine engine) {
        Mailbox mb;
        EngineCell stopping;
        synchronized (lifecycle) {
            mb = name == null ? null : mailboxes.get(name);
            if (mb == null || closed) {
                return;
            }
            if (mb.candidates.removeIf(r -> r.engine() == engine)) {
                return;
            }
            stopping = mb.current;
            if (stopping == null || stopping.engine != engine) {
                LOG.debug("node {}: engine {} unregistered but it was not the running instance; ignored", nodeShort, name);
                return;
            }
            mb.current = null;
            mb.requestStop(stopping);
            Registration next = mb.candidates.poll();
            if (next != null) {
                LOG.info("node {}: engine {} stopped; the waiting instance ({}) takes over", nodeShort, name,
                        next.engine().getClass().getName());
                startLocked(mb, next.engine(), next.props());
            } else {
                long generation = ++mb.graceGeneration;
                Mailbox suspended = mb;
                mb.graceTimer = timers.schedule(saturatedAdd(clock.millis(), settings.graceMillis()),
                        () -> suspended.enqueueSystem(() -> expireGrace(suspended, generation)));
                LOG.debug("node {}: engine {} suspended; messages wait {} ms for it to come back", nodeShort, name,
                        settings.graceMillis());
            }
        }
        awaitStop(mb, stopping, saturatedAdd(System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(settings.stopTimeoutMillis())));
    }

    /**
     * Sets the router that engines' sends go through, or none.
     *
     * @param router the router, or {@code null} to deliver local messages directly and refuse remote ones
     */
    public void setRouter(Router router) {
        this.router = router;
    }

    /** @return this node's id */
    public NodeId node() {
        return node;
    }

    /** @return the settings in force */
    public RuntimeSettings settings() {
        return settings;
    }

    /**
     * Applies new settings without disturbing running engines: {@code batchSize}, {@code graceMillis},
     * {@code stopTimeoutMillis} and {@code idleSpinMicros} take effect at once, {@code mailboxCapacity} for mailboxes created from now on;
     * {@code threads} and {@code deadLetterCapacity} only when a new host is made (the change is logged).
     *
     * @param newSettings the new settings
     */
    public void updateSettings(RuntimeSettings newSettings) {
        RuntimeSettings old = settings;
        settings = Objects.requireNonNull(newSettings, "newSettings");
        if (old.threads() != newSettings.threads() || old.deadLetterCapacity() != newSettings.deadLetterCapacity()) {
            LOG.warn("node {}: engine runtime threads/deadLetterCapacity changed; they take effect at the next restart "
                    + "of the runtime (now {}/{})", nodeShort, old.threads(), old.deadLetterCapacity());
        }
    }

    /**
     * Stops every engine ({@code onStop} on its turn, waiting at most {@link RuntimeSettings#stopTimeoutMillis()} in
     * all), then the threads. Messages still queued are dropped (the count is logged). Idempotent.
     */
    @Override
    public void close() {
        List<Mailbox> stoppingBoxes = new ArrayList<>();
        List<EngineCell> stopping = new ArrayList<>();
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            for (Mailbox mb : mailboxes.values()) {
                mb.candidates.clear();
                if (mb.graceTimer != null) {
                    mb.graceTimer.cancel();
                }
                if (mb.current != null) {
                    stoppingBoxes.add(mb);
                    stopping.add(mb.current);
                    mb.requestStop(mb.current);
                    mb.current = null;
                }
            }
        }
        long deadline = saturatedAdd(System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(settings.stopTimeoutMillis()));
        for (int i = 0; i < stopping.size(); i++) {
            awaitStop(stoppingBoxes.get(i), stopping.get(i), deadline);
        }
        int dropped = 0;
        for (Mailbox mb : mailboxes.values()) {
            dropped += mb.messages.size();
        }
        mailboxes.clear();
        timers.close();
        pool.shutdown();
        try {
            if (!pool.awaitTermination(Math.max(1, settings.stopTimeoutMillis()), TimeUnit.MILLISECONDS)) {
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
        if (dropped > 0) {
            LOG.info("node {}: engine runtime closed; {} queued messages dropped", nodeShort, dropped);
        } else {
            LOG.debug("node {}: engine runtime closed", nodeShort);
        }
    }

    // ---------------------------------------------------------------- LocalDelivery

    /**
     * {@inheritDoc}
     *
     * <p>Ids are unique, not ordered: each engine thread takes a block of {@link #ID_BLOCK} ids at a time from the
     * node's counter and issues them without any shared write, so that engines sending on several threads do not
     * contend for one counter; other threads take single ids from the counter.
     */
    @Override
    public long nextMessageId() {
        if (Thread.currentThread() instanceof EngineWorker w && w.host == this) {
            if (w.nextId == w.idBlockEnd) {
                w.nextId = messageIds.getAndAdd(ID_BLOCK) + 1;
                w.idBlockEnd = w.nextId + ID_BLOCK;
            }
            return w.nextId++;
        }
        return messageIds.incrementAndGet();
    }

    @Override
    public void deliver(Envelope envelope) {
        DeliveryFailure failure = offer(envelope);
        if (failure != null) {
            String name = envelope.dst().engine();
            undeliverable(envelope, failure, switch (failure) {
                case NO_SUCH_ENGINE -> "no engine named " + name + " on node " + nodeShort;
                case EXPIRED -> "expired before it reached the mailbox of engine " + name;
                default -> "the mailbox of engine " + name + " is full";
            });
        }
    }

    @Override
    public DeliveryFailure offer(Envelope envelope) {
        String name = envelope.dst().engine();
        Mailbox mb = mailboxes.get(name);
        if (mb == null) {
            return DeliveryFailure.NO_SUCH_ENGINE;
        }
        long expiresAt = envelope.expiresAt();
        if (expiresAt != Envelope.NEVER && envelope.isExpired(clock.millis())) {
            return DeliveryFailure.EXPIRED;
        }
        if (envelope.isReply()) {
            // A reply to a request made outside the engine's turn may complete it right here (see EngineCell).
            EngineCell cell = mb.active;
            if (cell != null && cell.completeOffTurn(envelope)) {
                return null;
            }
        }
        if (!mb.messages.offer(envelope)) {
            return DeliveryFailure.MAILBOX_FULL;
        }
        mb.signal();
        return null;
    }

    @Override
    public void undeliverable(Envelope envelope, DeliveryFailure failure, String detail) {
        DeadLetter letter = recordDeadLetter(envelope, failure, detail);
        EngineAddress src = envelope.src();
        if (src != null && isLocal(src)) {
            Mailbox sender = mailboxes.get(src.engine());
            if (sender != null) {
                sender.notifyUndeliverable(letter);
            }
        }
    }

    // ---------------------------------------------------------------- EngineDirectory, DeadLetterLog

    @Override
    public List<EngineInfo> engines() {
        List<EngineInfo> out = new ArrayList<>();
        for (Mailbox mb : mailboxes.values()) {
            EngineCell current;
            synchronized (lifecycle) {
                current = mb.current;
            }
            Object bundle = current == null ? null : current.props.get(BUNDLE_PROPERTY);
            out.add(new EngineInfo(mb.name, current == null ? EngineInfo.State.SUSPENDED : EngineInfo.State.RUNNING,
                    bundle == null ? "" : bundle.toString(), mb.messages.size(), mb.messages.capacity(),
                    mb.processed(), mb.failed()));
        }
        out.sort(Comparator.comparing(EngineInfo::name));
        return List.copyOf(out);
    }

    @Override
    public List<DeadLetter> recent(int limit) {
        return deadLetters.recent(limit);
    }

    @Override
    public Map<DeliveryFailure, Long> counts() {
        return deadLetters.counts();
    }

    @Override
    public String toString() {
        return "EngineHost[" + nodeShort + ", " + mailboxes.size() + " engines]";
    }

    // ---------------------------------------------------------------- internal

    /** Sends an engine's envelope: through the router if one is set, else directly to a local mailbox. */
    void route(Envelope envelope) {
        Router r = router;
        if (r != null) {
            try {
                r.route(envelope);
            } catch (RuntimeException e) {
                LOG.error("node {}: the router failed on {}", nodeShort, envelope, e);
                undeliverable(envelope, DeliveryFailure.NO_ROUTE, "the router failed: " + e);
            }
        } else if (isLocal(envelope.dst())) {
            deliver(envelope);
        } else {
            undeliverable(envelope, DeliveryFailure.NO_ROUTE,
                    "no router is installed on node " + nodeShort + ", so messages cannot leave it");
        }
    }

    DeadLetter recordDeadLetter(Envelope envelope, DeliveryFailure failure, String detail) {
        DeadLetter letter = new DeadLetter(envelope, failure, detail, clock.instant());
        deadLetters.add(letter);
        if (LOG.isDebugEnabled()) {
            LOG.debug("node {}: dead letter {} {}: {}", nodeShort, failure, envelope, detail);
        }
        return letter;
    }

    private boolean isLocal(EngineAddress address) {
        NodeId n = address.node();
        return n == null || n == node || n.equals(node);
    }

    /** Runs a scheduled mailbox's turn: next on this thread if a turn here made the work, else via the pool. */
    void execute(Mailbox mb) {
        if (Thread.currentThread() instanceof EngineWorker w && w.host == this && w.inTurn) {
            Mailbox previous = w.next;
            w.next = mb;
            if (previous == null) {
                return;
            }
            mb = previous; // one slot: the older one goes to the queue, where it can be stolen
        }
        submit(mb);
    }

    /** Queues a scheduled mailbox's turn on the pool. */
    void submit(Mailbox mb) {
        try {
            pool.execute(mb);
        } catch (RejectedExecutionException e) {
            if (!closed) {
                LOG.error("node {}: engine executor refused a turn of {}", nodeShort, mb.name, e);
            }
        }
    }

    /** @return whether turns wait in the pool's shared submission queue (work other than this thread's) */
    boolean hasQueuedSubmissions() {
        return pool.hasQueuedSubmissions();
    }

    /**
     * Before a pool thread blocks inside a turn: hand the mailboxes it owns but is not running (its slot, the one it
     * holds) to the pool, so that they are not stranded behind the blocked call.
     */
    static void flushSlot() {
        if (Thread.currentThread() instanceof EngineWorker w) {
            Mailbox next = w.next;
            Mailbox held = w.held;
            w.next = null;
            w.held = null;
            if (next != null) {
                w.host.submit(next);
            }
            if (held != null) {
                w.host.submit(held);
            }
        }
    }

    boolean isClosed() {
        return closed;
    }

    int batchSize() {
        return settings.batchSize();
    }

    /** @return how long a thread spins for more work before it goes idle ({@link RuntimeSettings#idleSpinMicros()}) */
    long idleSpinNanos() {
        return settings.idleSpinMicros() * 1000L;
    }

    /** @return whether the calling thread may spin now (then it must call {@link #endSpin}) */
    boolean tryStartSpin() {
        if (spinners.incrementAndGet() > maxSpinners) {
            spinners.decrementAndGet();
            return false;
        }
        return true;
    }

    void endSpin() {
        spinners.decrementAndGet();
    }

    InstantSource clock() {
        return clock;
    }

    String nodeShort() {
        return nodeShort;
    }

    TimerScheduler timers() {
        return timers;
    }

    Mailbox mailbox(String name) {
        return mailboxes.get(name);
    }

    private void startLocked(Mailbox mb, Engine engine, Map<String, ?> props) {
        mb.graceGeneration++;
        if (mb.graceTimer != null) {
            mb.graceTimer.cancel();
            mb.graceTimer = null;
        }
        EngineCell cell = new EngineCell(this, mb, engine, props);
        mb.current = cell;
        mb.requestStart(cell);
    }

    /** On the mailbox's turn: the grace period ran out; release the name unless an engine came back. */
    private void expireGrace(Mailbox mb, long generation) {
        synchronized (lifecycle) {
            if (mb.current != null || mb.graceGeneration != generation || mb.removed) {
                return;
            }
            mb.graceTimer = null;
            mb.removed = true;
            mailboxes.remove(mb.name, mb);
        }
        // The turn that ran this task drains the queue next (Mailbox.turn sees 'removed').
    }

    private void awaitStop(Mailbox mb, EngineCell cell, long deadlineNanos) {
        if (Thread.currentThread() == mb.runner) {
            return; // unregistered from its own turn: the stop runs when the current callback returns
        }
        flushSlot(); // the stop we wait for may be the turn parked in this thread's slot
        try {
            ForkJoinPool.managedBlock(new ForkJoinPool.ManagedBlocker() {
                @Override
                public boolean block() throws InterruptedException {
                    long left = deadlineNanos - System.nanoTime();
                    if (left > 0) {
                        cell.stopped.await(left, TimeUnit.NANOSECONDS);
                    }
                    return true;
                }

                @Override
                public boolean isReleasable() {
                    return cell.stopped.getCount() == 0 || deadlineNanos - System.nanoTime() <= 0;
                }
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (cell.stopped.getCount() != 0) {
            LOG.warn("node {}: engine {} did not finish its current message within {} ms; it will get onStop when it does",
                    nodeShort, mb.name, settings.stopTimeoutMillis());
        }
    }

    private int capacityFor(String name, Map<String, ?> props) {
        Object value = props.get(Engine.MAILBOX_CAPACITY);
        int fallback = settings.mailboxCapacity();
        if (value == null) {
            return fallback;
        }
        try {
            long capacity = value instanceof Number n ? n.longValue() : Long.parseLong(value.toString().trim());
            if (capacity >= 1 && capacity <= RuntimeSettings.MAX_MAILBOX_CAPACITY) {
                return (int) capacity;
            }
        } catch (NumberFormatException e) {
            // fall through to the warning
        }
        LOG.warn("node {}: engine {} has {}={}, not a number between 1 and 2^30; using {}", nodeShort, name,
                Engine.MAILBOX_CAPACITY, value, fallback);
        return fallback;
    }

    private static Map<String, ?> copyOf(Map<String, ?> props) {
        if (props == null || props.isEmpty()) {
            return Map.of();
        }
        Map<String, Object> copy = new HashMap<>();
        props.forEach((k, v) -> {
            if (k != null && v != null) {
                copy.put(k, v);
            }
        });
        return Collections.unmodifiableMap(copy);
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    /** An engine waiting for a name that another engine holds. */
    record Registration(Engine engine, Map<String, ?> props) {
    }
}
