package io.hypha.testkit;

import io.hypha.api.DeadLetter;
import io.hypha.api.DeliveryException;
import io.hypha.api.DeliveryFailure;
import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import io.hypha.api.engine.Engine;
import io.hypha.api.engine.EngineContext;
import io.hypha.api.engine.Timer;
import io.hypha.testkit.EngineFailure.Callback;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hosts one engine under test with a deterministic, single-threaded {@link EngineContext}, in place of the engine
 * runtime and router.
 *
 * <p>Everything happens on the calling thread, when the test says so:
 * <ul>
 *   <li>{@link #deliver} and {@link #request} run {@link Engine#onMessage} at once and return after it;</li>
 *   <li>whatever the engine sends ({@code send}, {@code request}, {@code reply}) is recorded, oldest first, and read
 *       with {@link #sent()}, {@link #nextSent()}, {@link #takeSent()};</li>
 *   <li>requests the engine makes stay pending until the test answers them with {@link #reply}, fails them with
 *       {@link #fail}, or lets them time out with {@link #advance};</li>
 *   <li>time moves only with {@link #advance}, which fires due timers and request timeouts in time order (ties in
 *       the order they were set), with the clock at each one's due time while it runs. Nothing fires on its own:
 *       even a zero-delay timer waits for {@code advance(Duration.ZERO)} or {@link #runDue()}.</li>
 * </ul>
 * Like the runtime, every engine callback, timer action and request continuation runs on the engine's "turn":
 * one at a time, never nested. Continuations attached without {@code Async} run when the stage completes (inside
 * {@link #reply}, {@link #fail} or {@link #advance}); {@code *Async} continuations without an executor are queued
 * and run at the end of the same turn, still on the calling thread.
 *
 * <h2>Failures</h2>
 * An exception from {@link Engine#onMessage}, {@link Engine#onUndeliverable} or a timer action is captured as the
 * runtime does (the engine goes on) and recorded in {@link #failures()}; a failed {@code onMessage} for a
 * {@link #request} also fails its stage with {@link DeliveryFailure#ENGINE_FAILED}. Call {@link #assertNoFailures()}
 * to turn them into a test failure. {@link Error}s (an {@code AssertionError} in a fake) are not captured: they
 * propagate to the test. Exceptions from {@code onStart} and {@code onStop} propagate from {@link #start} and
 * {@link #stop}.
 *
 * <h2>Differences from the runtime</h2>
 * No mailbox bound and no expiry check on delivery: the test decides what arrives. Message ids come from one
 * counter starting at 1. A reply carries its request's expiry. The context may be used from other threads
 * (every method is synchronized on the harness), but callbacks only ever run on the thread that drives the harness.
 */
public final class EngineHarness {
    private final String name;
    private final Engine engine;
    private final NodeId node;
    private final ManualClock clock;
    private final EngineAddress self;
    private final Context context = new Context();
    private final Logger log;

    private final ArrayDeque<Envelope> outbox = new ArrayDeque<>();
    private final Set<Long> sentIds = new HashSet<>();
    private final Map<Long, PendingRequest> pending = new LinkedHashMap<>();
    private final Map<Long, CompletableFuture<Envelope>> awaitingReplies = new HashMap<>();
    private final PriorityQueue<Scheduled> schedule = new PriorityQueue<>(
            Comparator.comparing((Scheduled s) -> s.due).thenComparingLong(s -> s.seq));
    private final ArrayDeque<Runnable> turnTasks = new ArrayDeque<>();
    private final List<EngineFailure> failures = new ArrayList<>();

    private long lastId;
    private long lastSeq;
    private boolean inTurn;
    private boolean stopped;

    private EngineHarness(Builder b) {
        this.name = b.name;
        this.engine = b.engine;
        this.node = b.node != null ? b.node : randomNodeId();
        this.clock = b.clock != null ? b.clock : new ManualClock();
        this.self = EngineAddress.of(node, name);
        this.log = LoggerFactory.getLogger("io.hypha.engine." + name + "." + node.shortForm());
    }

    /**
     * Starts an engine on a random node id with a {@link ManualClock} at {@link ManualClock#DEFAULT_START}.
     *
     * @param name   the engine name
     * @param engine the engine under test
     * @return the harness, after {@link Engine#onStart} returned
     */
    public static EngineHarness start(String name, Engine engine) {
        return builder(name, engine).start();
    }

    /**
     * @param name   the engine name
     * @param engine the engine under test
     * @return a builder to set the node id or clock before starting
     */
    public static Builder builder(String name, Engine engine) {
        return new Builder(name, engine);
    }

    /** Chooses the node id and clock of an {@link EngineHarness}. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private final Engine engine;
        private NodeId node;
        private ManualClock clock;

        private Builder(String name, Engine engine) {
            EngineAddress.checkEngineName(name);
            this.name = name;
            this.engine = Objects.requireNonNull(engine, "engine");
        }

        /**
         * @param node the node the engine runs on (default: 32 random bytes, not a real key: the harness never signs)
         * @return this builder
         */
        public Builder node(NodeId node) {
            this.node = Objects.requireNonNull(node, "node");
            return this;
        }

        /**
         * @param clock the clock (default: a new {@link ManualClock}); may be shared by several harnesses, each of
         *              which fires only its own engine's timers
         * @return this builder
         */
        public Builder clock(ManualClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Calls {@link Engine#onStart}.
         *
         * @return the harness
         * @throws RuntimeException whatever {@code onStart} threw
         */
        public EngineHarness start() {
            EngineHarness harness = new EngineHarness(this);
            synchronized (harness) {
                harness.onTurn(() -> harness.engine.onStart(harness.context));
            }
            return harness;
        }
    }

    private static NodeId randomNodeId() {
        byte[] key = new byte[NodeId.LENGTH];
        new SecureRandom().nextBytes(key);
        return NodeId.of(key);
    }

    // ---------------------------------------------------------------------------------------------- what it hosts

    /** @return the engine under test */
    public Engine engine() {
        return engine;
    }

    /** @return the context the engine was given, to call it as another thread (a console command) would */
    public EngineContext context() {
        return context;
    }

    /** @return the engine's address, with its node id */
    public EngineAddress self() {
        return self;
    }

    /** @return the node the engine runs on */
    public NodeId node() {
        return node;
    }

    /** @return the engine's clock */
    public ManualClock clock() {
        return clock;
    }

    // ---------------------------------------------------------------------------------------------- messages in

    /**
     * Delivers a message: runs {@link Engine#onMessage} now. A reply to a pending request of the engine (its
     * {@code inReplyTo} names one) completes that request's stage instead, like {@link #reply}.
     *
     * @param message the message; delivered even if expired, and whatever its destination says
     * @return the same message
     * @throws IllegalStateException if the engine was stopped, or if called from inside an engine callback
     */
    public synchronized Envelope deliver(Envelope message) {
        Objects.requireNonNull(message, "message");
        checkRunning();
        if (message.isReply() && pending.containsKey(message.inReplyTo())) {
            complete(pending.get(message.inReplyTo()), message, null);
            return message;
        }
        onTurn(() -> {
            try {
                engine.onMessage(message, context);
            } catch (Exception e) {
                failures.add(new EngineFailure(Callback.ON_MESSAGE, message, e, clock.instant()));
                log.warn("Engine {} failed handling {}", name, message, e);
                CompletableFuture<Envelope> awaiting = awaitingReplies.remove(message.id());
                if (awaiting != null) {
                    awaiting.completeExceptionally(new DeliveryException(DeliveryFailure.ENGINE_FAILED,
                            "engine " + name + " threw " + e));
                }
            }
        });
        return message;
    }

    /**
     * Delivers a one-way message to the engine.
     *
     * @param from    the sender, or {@code null} for a message from outside any engine
     * @param type    the message type
     * @param payload the payload
     * @return the delivered message (its id is what a reply's {@code inReplyTo} names)
     */
    public Envelope deliver(EngineAddress from, String type, Object payload) {
        return deliver(newEnvelope(from, self, type, payload));
    }

    /**
     * Delivers a request to the engine and returns its reply as a future, completed when the engine replies
     * (during this call or a later turn: after its own request completes, a timer...). The reply is also recorded
     * in {@link #sent()}. The future fails with {@link DeliveryFailure#ENGINE_FAILED} if {@code onMessage} throws,
     * and with {@link DeliveryFailure#ENGINE_STOPPED} if the engine is stopped first; it never times out.
     *
     * @param from    the sender, to whom the engine replies
     * @param type    the message type
     * @param payload the payload
     * @return the engine's reply
     */
    public synchronized CompletableFuture<Envelope> request(EngineAddress from, String type, Object payload) {
        Objects.requireNonNull(from, "from (a request needs a sender to reply to)");
        checkRunning();
        Envelope message = newEnvelope(from, self, type, payload);
        CompletableFuture<Envelope> reply = new CompletableFuture<>();
        awaitingReplies.put(message.id(), reply);
        deliver(message);
        return reply;
    }

    // ---------------------------------------------------------------------------------------------- messages out

    /** @return what the engine sent and the test has not taken yet, oldest first */
    public synchronized List<Envelope> sent() {
        return List.copyOf(outbox);
    }

    /**
     * @param type a message type
     * @return the not yet taken messages of that type, oldest first
     */
    public synchronized List<Envelope> sentOfType(String type) {
        return outbox.stream().filter(e -> e.type().equals(type)).toList();
    }

    /** @return what the engine sent and the test had not taken yet, oldest first; the record is then empty */
    public synchronized List<Envelope> takeSent() {
        List<Envelope> all = List.copyOf(outbox);
        outbox.clear();
        return all;
    }

    /**
     * Takes the oldest message the engine sent.
     *
     * @return it
     * @throws AssertionError if the engine sent nothing (more)
     */
    public synchronized Envelope nextSent() {
        Envelope next = outbox.pollFirst();
        if (next == null) {
            throw new AssertionError("engine " + name + " sent nothing" + (sentIds.isEmpty() ? "" : " more"));
        }
        return next;
    }

    /** @throws AssertionError listing the messages if the engine sent anything the test has not taken */
    public synchronized void assertNothingSent() {
        if (!outbox.isEmpty()) {
            throw new AssertionError("engine " + name + " sent " + outbox.size() + " message(s): " + outbox);
        }
    }

    // ---------------------------------------------------------------------------------------------- answering the engine

    /** @return the engine's requests that have no answer yet, oldest first */
    public synchronized List<Envelope> pendingRequests() {
        return pending.values().stream().map(p -> p.request).toList();
    }

    /**
     * Answers a request the engine made; its stage completes now, on the engine's turn.
     *
     * @param request the request, as recorded in {@link #sent()}
     * @param type    the reply type
     * @param payload the reply payload
     * @return the reply delivered to the engine
     * @throws IllegalStateException if the request is not pending (never made, answered, failed or timed out)
     */
    public synchronized Envelope reply(Envelope request, String type, Object payload) {
        PendingRequest p = pendingFor(request);
        Envelope reply = Envelope.builder().src(request.dst()).dst(self).id(nextId()).inReplyTo(request.id())
                .expiresAt(request.expiresAt()).type(type).payload(payload).build();
        complete(p, reply, null);
        return reply;
    }

    /**
     * Fails a request the engine made, as the runtime does when it cannot deliver it: its stage completes
     * exceptionally with a {@link DeliveryException} carrying {@code failure}, on the engine's turn.
     *
     * @param request the request
     * @param failure why
     * @throws IllegalStateException if the request is not pending
     */
    public synchronized void fail(Envelope request, DeliveryFailure failure) {
        Objects.requireNonNull(failure, "failure");
        PendingRequest p = pendingFor(request);
        complete(p, null, new DeliveryException(failure, "simulated by the test for request " + request.id() + " to " + request.dst()));
    }

    /**
     * Makes a message the engine sent undeliverable: calls {@link Engine#onUndeliverable} with a dead letter (for a
     * pending request, fails its stage instead, as the runtime does).
     *
     * @param sent    a message the engine sent
     * @param failure why it was not delivered
     * @throws IllegalArgumentException if the engine never sent that message
     */
    public synchronized void undeliverable(Envelope sent, DeliveryFailure failure) {
        Objects.requireNonNull(sent, "sent");
        Objects.requireNonNull(failure, "failure");
        checkRunning();
        if (!sentIds.contains(sent.id())) {
            throw new IllegalArgumentException("engine " + name + " never sent " + sent);
        }
        if (pending.containsKey(sent.id())) {
            fail(sent, failure);
            return;
        }
        DeadLetter letter = new DeadLetter(sent, failure, "simulated by the test", clock.instant());
        onTurn(() -> {
            try {
                engine.onUndeliverable(letter, context);
            } catch (RuntimeException e) {
                failures.add(new EngineFailure(Callback.ON_UNDELIVERABLE, sent, e, clock.instant()));
                log.warn("Engine {} failed in onUndeliverable for {}", name, sent, e);
            }
        });
    }

    // ---------------------------------------------------------------------------------------------- time

    /**
     * Moves time forward, firing every timer and request timeout due up to the new time, in due-time order, with
     * the clock set to each one's due time while it runs. Timers set by those actions fire too if due in the window;
     * a periodic timer fires once per period passed.
     *
     * @param duration how far; zero fires what is already due
     * @return how many timers and timeouts fired
     * @throws IllegalArgumentException if the duration is negative
     */
    public synchronized int advance(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("time never goes back, got " + duration);
        }
        checkNotInTurn();
        Instant target = clock.instant().plus(duration);
        int fired = 0;
        for (Scheduled next = schedule.peek(); next != null && !next.due.isAfter(target); next = schedule.peek()) {
            schedule.poll();
            if (clock.instant().isBefore(next.due)) {
                clock.advance(Duration.between(clock.instant(), next.due));
            }
            fire(next);
            fired++;
        }
        if (clock.instant().isBefore(target)) {
            clock.advance(Duration.between(clock.instant(), target));
        }
        return fired;
    }

    /**
     * Fires what is due at the clock's current time (after a test moved the {@link ManualClock} itself).
     *
     * @return how many timers and timeouts fired
     */
    public int runDue() {
        return advance(Duration.ZERO);
    }

    /** @return how many of the engine's timers are still set (request timeouts not counted) */
    public synchronized int activeTimers() {
        return (int) schedule.stream().filter(s -> s.timer).count();
    }

    // ---------------------------------------------------------------------------------------------- failures and stop

    /** @return the exceptions the engine threw from its callbacks, oldest first */
    public synchronized List<EngineFailure> failures() {
        return List.copyOf(failures);
    }

    /** @throws AssertionError with the first captured exception as cause if the engine threw from any callback */
    public synchronized void assertNoFailures() {
        if (!failures.isEmpty()) {
            AssertionError error = failures.get(0).toAssertionError();
            for (int i = 1; i < failures.size(); i++) {
                error.addSuppressed(failures.get(i).toAssertionError());
            }
            throw error;
        }
    }

    /**
     * Stops the engine: calls {@link Engine#onStop}, then cancels its timers, drops its pending requests (their
     * stages never complete, as the engine is gone) and fails the test's outstanding {@link #request}s with
     * {@link DeliveryFailure#ENGINE_STOPPED}. Afterwards the harness refuses new messages and the context refuses
     * to send ({@link IllegalStateException}), as the runtime's does once {@code onStop} returned.
     *
     * @throws RuntimeException whatever {@code onStop} threw (the harness is stopped anyway)
     */
    public synchronized void stop() {
        checkRunning();
        checkNotInTurn();
        try {
            onTurn(() -> engine.onStop(context));
        } finally {
            stopped = true;
            for (Scheduled s : schedule) {
                s.state = State.CANCELLED;
            }
            schedule.clear();
            pending.clear();
            for (CompletableFuture<Envelope> awaiting : awaitingReplies.values()) {
                awaiting.completeExceptionally(new DeliveryException(DeliveryFailure.ENGINE_STOPPED, "engine " + name + " stopped"));
            }
            awaitingReplies.clear();
        }
    }

    /** @return whether {@link #stop()} was called */
    public synchronized boolean isStopped() {
        return stopped;
    }

    @Override
    public String toString() {
        return "EngineHarness{" + self + (stopped ? ", stopped" : "") + "}";
    }

    // ---------------------------------------------------------------------------------------------- internals

    /** Runs one turn of the engine: the action, then the async continuations it queued. Never nested. */
    private void onTurn(Runnable action) {
        checkNotInTurn();
        inTurn = true;
        try {
            action.run();
            for (Runnable task = turnTasks.poll(); task != null; task = turnTasks.poll()) {
                task.run();
            }
        } finally {
            inTurn = false;
        }
    }

    private void checkNotInTurn() {
        if (inTurn) {
            throw new IllegalStateException("called from inside a callback of engine " + name
                    + "; drive the harness from the test, after the callback returns");
        }
    }

    private void checkRunning() {
        if (stopped) {
            throw new IllegalStateException("engine " + name + " was stopped");
        }
    }

    /** Queues an {@code *Async} continuation for the current turn, or runs a turn for it now. */
    private synchronized void runOnTurn(Runnable task) {
        turnTasks.add(task);
        if (!inTurn && !stopped) {
            onTurn(() -> { });
        }
    }

    private long nextId() {
        return ++lastId;
    }

    private Envelope newEnvelope(EngineAddress from, EngineAddress to, String type, Object payload) {
        Objects.requireNonNull(type, "type");
        return Envelope.builder().src(from).dst(to).id(nextId()).type(type).payload(payload).build();
    }

    private Envelope record(Envelope e) {
        outbox.addLast(e);
        sentIds.add(e.id());
        return e;
    }

    private PendingRequest pendingFor(Envelope request) {
        Objects.requireNonNull(request, "request");
        checkRunning();
        PendingRequest p = pending.get(request.id());
        if (p == null) {
            throw new IllegalStateException("request " + request + " is not pending: "
                    + (sentIds.contains(request.id()) ? "it was already answered, failed or timed out, or is not a request"
                                                      : "engine " + name + " never sent it"));
        }
        return p;
    }

    /** Completes a pending request of the engine on its turn, with a reply or a failure. */
    private void complete(PendingRequest p, Envelope reply, Throwable failure) {
        checkNotInTurn();
        pending.remove(p.request.id());
        p.timeout.state = State.CANCELLED;
        schedule.remove(p.timeout);
        onTurn(() -> {
            if (failure == null) {
                p.stage.complete(reply);
            } else {
                p.stage.completeExceptionally(failure);
            }
        });
    }

    private void fire(Scheduled s) {
        if (s.period == null) {
            s.state = State.DONE;
        }
        onTurn(() -> {
            try {
                s.action.run();
            } catch (RuntimeException e) {
                if (!s.timer) {
                    throw e;
                }
                failures.add(new EngineFailure(Callback.TIMER, null, e, clock.instant()));
                log.warn("Engine {} failed in a timer action", name, e);
            }
        });
        if (s.period != null && s.state == State.PENDING && !stopped) {
            s.due = s.due.plus(s.period);
            s.seq = ++lastSeq;
            schedule.add(s);
        }
    }

    private Scheduled scheduleAt(Instant due, Duration period, boolean timer, Runnable action) {
        Scheduled s = new Scheduled(due, ++lastSeq, period, timer, action);
        schedule.add(s);
        return s;
    }

    private enum State { PENDING, DONE, CANCELLED }

    /** A timer of the engine, or the timeout of one of its requests. */
    private final class Scheduled implements Timer {
        private Instant due;
        private long seq;
        private final Duration period;
        private final boolean timer;
        private final Runnable action;
        private State state = State.PENDING;

        Scheduled(Instant due, long seq, Duration period, boolean timer, Runnable action) {
            this.due = due;
            this.seq = seq;
            this.period = period;
            this.timer = timer;
            this.action = action;
        }

        @Override
        public boolean cancel() {
            synchronized (EngineHarness.this) {
                if (state != State.PENDING) {
                    return false;
                }
                state = State.CANCELLED;
                schedule.remove(this);
                return true;
            }
        }

        @Override
        public boolean isDone() {
            synchronized (EngineHarness.this) {
                return state != State.PENDING;
            }
        }
    }

    private record PendingRequest(Envelope request, CompletableFuture<Envelope> stage, Scheduled timeout) {
    }

    /** A stage whose {@code *Async} continuations run on the engine's turn, like the runtime's. */
    private final class TurnFuture<T> extends CompletableFuture<T> {
        @Override
        public Executor defaultExecutor() {
            return EngineHarness.this::runOnTurn;
        }

        @Override
        public <U> CompletableFuture<U> newIncompleteFuture() {
            return new TurnFuture<>();
        }
    }

    /** The engine's view of the harness. */
    private final class Context implements EngineContext {
        @Override
        public EngineAddress self() {
            return self;
        }

        @Override
        public NodeId node() {
            return node;
        }

        @Override
        public void send(EngineAddress to, String type, Object payload) {
            synchronized (EngineHarness.this) {
                checkRunning();
                record(newEnvelope(self, Objects.requireNonNull(to, "to"), type, payload));
            }
        }

        @Override
        public void send(EngineAddress to, String type, Object payload, Duration ttl) {
            Objects.requireNonNull(ttl, "ttl");
            synchronized (EngineHarness.this) {
                checkRunning();
                Envelope e = newEnvelope(self, Objects.requireNonNull(to, "to"), type, payload);
                record(e.toBuilder().expiresAt(clock.instant().plus(ttl).toEpochMilli()).build());
            }
        }

        @Override
        public CompletionStage<Envelope> request(EngineAddress to, String type, Object payload, Duration timeout) {
            Objects.requireNonNull(to, "to");
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("a request timeout must be positive, got " + timeout);
            }
            synchronized (EngineHarness.this) {
                checkRunning();
                Instant deadline = clock.instant().plus(timeout);
                Envelope request = newEnvelope(self, to, type, payload).toBuilder().expiresAt(deadline.toEpochMilli()).build();
                TurnFuture<Envelope> stage = new TurnFuture<>();
                Scheduled timeoutEvent = scheduleAt(deadline, null, false, () -> {
                    pending.remove(request.id());
                    stage.completeExceptionally(new DeliveryException(DeliveryFailure.TIMEOUT,
                            "no reply to request " + request.id() + " from " + to + " within " + timeout));
                });
                pending.put(request.id(), new PendingRequest(request, stage, timeoutEvent));
                record(request);
                return stage;
            }
        }

        @Override
        public void reply(Envelope request, String type, Object payload) {
            Objects.requireNonNull(request, "request");
            synchronized (EngineHarness.this) {
                checkRunning();
                if (request.src() == null) {
                    return;
                }
                Envelope reply = Envelope.builder().src(self).dst(request.src()).id(nextId()).inReplyTo(request.id())
                        .expiresAt(request.expiresAt()).type(Objects.requireNonNull(type, "type")).payload(payload).build();
                record(reply);
                CompletableFuture<Envelope> awaiting = awaitingReplies.remove(request.id());
                if (awaiting != null) {
                    awaiting.complete(reply);
                }
            }
        }

        @Override
        public Timer schedule(Duration delay, Runnable action) {
            Objects.requireNonNull(delay, "delay");
            Objects.requireNonNull(action, "action");
            synchronized (EngineHarness.this) {
                checkRunning();
                // Like ScheduledExecutorService: a negative delay means "now".
                Duration d = delay.isNegative() ? Duration.ZERO : delay;
                return scheduleAt(clock.instant().plus(d), null, true, action);
            }
        }

        @Override
        public Timer scheduleAtFixedRate(Duration period, Runnable action) {
            Objects.requireNonNull(period, "period");
            Objects.requireNonNull(action, "action");
            if (period.isNegative() || period.isZero()) {
                throw new IllegalArgumentException("a timer period must be positive, got " + period);
            }
            synchronized (EngineHarness.this) {
                checkRunning();
                return scheduleAt(clock.instant().plus(period), period, true, action);
            }
        }

        @Override
        public InstantSource clock() {
            return clock;
        }

        @Override
        public Logger log() {
            return log;
        }

        @Override
        public String toString() {
            return "EngineContext{" + self + " in EngineHarness}";
        }
    }
}
