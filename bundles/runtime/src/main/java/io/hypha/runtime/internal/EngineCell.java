package io.hypha.runtime.internal;

import io.hypha.api.DeadLetter;
import io.hypha.api.DeliveryException;
import io.hypha.api.DeliveryFailure;
import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import io.hypha.api.engine.Engine;
import io.hypha.api.engine.EngineContext;
import io.hypha.api.engine.Timer;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One engine instance in its mailbox, and the {@link EngineContext} it is given.
 *
 * <p>The callbacks ({@link #start}, {@link #handle}, {@link #onUndeliverable}, {@link #stop}) run on the mailbox's
 * turn only. The context methods are thread-safe: sending touches only immutable fields and the host's lock-free
 * paths; pending requests and timers live in concurrent collections because a console thread may add to them while
 * the turn completes them.
 */
final class EngineCell implements EngineContext {
    /** Shortest time between two sweeps of request timeouts: a timeout fires at most this late after another one. */
    static final long MIN_SWEEP_INTERVAL_MILLIS = 10;

    private final EngineHost host;
    private final Mailbox mailbox;
    final Engine engine;
    final Map<String, ?> props;
    private final EngineAddress self;
    private final Logger log;
    private final ConcurrentHashMap<Long, Pending> pending = new ConcurrentHashMap<>();
    private final Set<EngineTimer> timers = ConcurrentHashMap.newKeySet();
    /** Guards the sweep timer of request timeouts ({@link #coverDeadline}). */
    private final Object sweepLock = new Object();
    /** When the next sweep of request timeouts runs, {@code Long.MAX_VALUE} if none is armed; written under sweepLock. */
    private volatile long sweepAt = Long.MAX_VALUE;
    private TimerScheduler.Entry sweepTimer; // guarded by sweepLock
    /** Counted down once onStop has returned (or was skipped). */
    final CountDownLatch stopped = new CountDownLatch(1);

    /** Set by the host when the engine's service goes away; the turn hands no further message to it. */
    volatile boolean stopRequested;
    /** Set on the turn when the instance has stopped; later requests and timers fail or do nothing. */
    private volatile boolean terminated;

    EngineCell(EngineHost host, Mailbox mailbox, Engine engine, Map<String, ?> props) {
        this.host = host;
        this.mailbox = mailbox;
        this.engine = engine;
        this.props = props;
        this.self = EngineAddress.of(host.node(), mailbox.name);
        this.log = LoggerFactory.getLogger("hypha.engine." + mailbox.name + "." + host.nodeShort());
    }

    // ---------------------------------------------------------------- callbacks, on the turn

    void start() {
        try {
            engine.onStart(this);
        } catch (Throwable t) {
            log.error("engine {} on node {}: onStart failed; it receives messages anyway", mailbox.name, host.nodeShort(), t);
        }
    }

    /** @return whether the message was handled without the engine throwing */
    boolean handle(Envelope message) {
        long expiresAt = message.expiresAt();
        if (expiresAt != Envelope.NEVER && message.isExpired(host.clock().millis())) {
            host.undeliverable(message, DeliveryFailure.EXPIRED, "expired in the mailbox of engine " + mailbox.name);
            return true;
        }
        if (message.isReply() && completeReply(message)) {
            return true;
        }
        try {
            engine.onMessage(message, this);
            return true;
        } catch (Throwable t) {
            log.warn("engine {} on node {}: onMessage failed on {}; the message is dead-lettered", mailbox.name, host.nodeShort(), message, t);
            host.undeliverable(message, DeliveryFailure.ENGINE_FAILED, "engine " + mailbox.name + " threw " + t);
            return false;
        }
    }

    /** A message this instance sent was not delivered: fail its request, or tell the engine. */
    void onUndeliverable(DeadLetter letter) {
        Pending p = pending.remove(letter.envelope().id());
        if (p != null) {
            // A request expires with its timeout: to the requester, a request that expired on its way got no reply
            // in time, whichever of the two was noticed first.
            DeliveryFailure failure = letter.failure() == DeliveryFailure.EXPIRED ? DeliveryFailure.TIMEOUT : letter.failure();
            p.future().completeExceptionally(new DeliveryException(failure, letter.detail()));
            return;
        }
        if (terminated) {
            return;
        }
        try {
            engine.onUndeliverable(letter, this);
        } catch (Throwable t) {
            log.warn("engine {} on node {}: onUndeliverable failed", mailbox.name, host.nodeShort(), t);
        }
    }

    void stop() {
        try {
            terminated = true;
            for (EngineTimer timer : timers) {
                timer.cancel();
            }
            synchronized (sweepLock) {
                if (sweepTimer != null) {
                    sweepTimer.cancel();
                    sweepTimer = null;
                }
            }
            for (Long id : pending.keySet()) {
                Pending p = pending.remove(id);
                if (p != null) {
                    p.future().completeExceptionally(new DeliveryException(DeliveryFailure.ENGINE_STOPPED,
                            "engine " + mailbox.name + " stopped before the reply to " + p.request() + " came"));
                }
            }
            try {
                engine.onStop(this);
            } catch (Throwable t) {
                log.error("engine {} on node {}: onStop failed", mailbox.name, host.nodeShort(), t);
            }
        } finally {
            stopped.countDown();
        }
    }

    private boolean completeReply(Envelope reply) {
        if (pending.isEmpty()) {
            return false;
        }
        Pending p = pending.remove(reply.inReplyTo());
        if (p == null) {
            return false; // it answers a one-way send, or came after the timeout: the engine sees it as a message
        }
        p.future().complete(reply);
        return true;
    }

    /**
     * From the thread delivering a reply (any thread), before it is queued: completes the request it answers right
     * away, sparing this engine a turn, when that changes nothing an engine could tell apart. That is when the request
     * was made outside the engine's turn and no continuation was attached on the turn (see {@link TurnFuture}), the
     * instance is not stopping, and the mailbox is empty: every message the replier sent before the reply has then
     * been taken by a turn, and the continuations, which run on a later turn, still follow them.
     *
     * @param reply a reply (its {@code inReplyTo} is set), not expired
     * @return whether it completed a request; if not, the reply is queued as usual
     */
    boolean completeOffTurn(Envelope reply) {
        if (stopRequested || pending.isEmpty()) {
            return false;
        }
        long id = reply.inReplyTo();
        Pending p = pending.get(id);
        if (p == null || !mailbox.messages.isEmpty() || !p.future().claimOffTurn()) {
            return false;
        }
        if (!pending.remove(id, p)) {
            return false; // a timeout or the stop took it first: the reply is an unmatched message, handled on the turn
        }
        p.future().complete(reply);
        return true;
    }

    /**
     * Makes sure a sweep runs at or before {@code deadline}. Any thread. One volatile read when a sweep is already due
     * by then, the common case: requests with the same timeout come with ever later deadlines, so a stream of
     * requests arms one timer per timeout period, not one per request, and a reply cancels nothing.
     */
    private void coverDeadline(long deadline) {
        if (deadline >= sweepAt) {
            return;
        }
        synchronized (sweepLock) {
            if (deadline >= sweepAt) {
                return;
            }
            if (sweepTimer != null) {
                sweepTimer.cancel();
            }
            sweepAt = deadline;
            sweepTimer = host.timers().schedule(deadline, () -> mailbox.enqueueSystem(this::sweepTimeouts));
        }
    }

    /**
     * On the turn: fails the pending requests whose deadline has passed with {@link DeliveryFailure#TIMEOUT}, and
     * arms the next sweep for the earliest deadline left, but not sooner than {@link #MIN_SWEEP_INTERVAL_MILLIS}
     * after this one, so that many requests timing out one after another cost one scan per interval.
     */
    private void sweepTimeouts() {
        synchronized (sweepLock) {
            // Before the scan (volatile write, then reads): a request added meanwhile either is seen by the scan or
            // sees this reset and arms its own sweep.
            sweepAt = Long.MAX_VALUE;
            sweepTimer = null;
        }
        long now = host.clock().millis();
        long next = Long.MAX_VALUE;
        for (Pending p : pending.values()) {
            long deadline = p.request().expiresAt();
            if (deadline <= now) {
                timeout(p);
            } else if (deadline < next) {
                next = deadline;
            }
        }
        if (next != Long.MAX_VALUE && !terminated) {
            coverDeadline(Math.max(next, now + MIN_SWEEP_INTERVAL_MILLIS));
        }
    }

    private void timeout(Pending p) {
        if (pending.remove(p.request().id(), p)) {
            String detail = "no reply from " + p.request().dst() + " within " + p.timeoutMillis() + " ms";
            host.recordDeadLetter(p.request(), DeliveryFailure.TIMEOUT, detail);
            p.future().completeExceptionally(new DeliveryException(DeliveryFailure.TIMEOUT, detail));
        }
    }

    boolean isTerminated() {
        return terminated;
    }

    boolean isActive() {
        return mailbox.active == this && !terminated;
    }

    void forget(EngineTimer timer) {
        timers.remove(timer);
    }

    Mailbox mailbox() {
        return mailbox;
    }

    // ---------------------------------------------------------------- EngineContext, any thread

    @Override
    public EngineAddress self() {
        return self;
    }

    @Override
    public NodeId node() {
        return host.node();
    }

    @Override
    public void send(EngineAddress to, String type, Object payload) {
        host.route(Envelope.builder().src(self).dst(Objects.requireNonNull(to, "to")).id(host.nextMessageId())
                .type(type).payload(payload).build());
    }

    @Override
    public void send(EngineAddress to, String type, Object payload, Duration ttl) {
        long expiresAt = expiry(ttl);
        host.route(Envelope.builder().src(self).dst(Objects.requireNonNull(to, "to")).id(host.nextMessageId())
                .expiresAt(expiresAt).type(type).payload(payload).build());
    }

    @Override
    public CompletionStage<Envelope> request(EngineAddress to, String type, Object payload, Duration timeout) {
        Objects.requireNonNull(to, "to");
        TurnFuture<Envelope> future = new TurnFuture<>(mailbox, mailbox.runner != Thread.currentThread());
        long id = host.nextMessageId();
        long expiresAt = expiry(timeout);
        Envelope request = Envelope.builder().src(self).dst(to).id(id).expiresAt(expiresAt).type(type).payload(payload).build();
        if (terminated || host.isClosed()) {
            future.completeExceptionally(new DeliveryException(DeliveryFailure.ENGINE_STOPPED,
                    "engine " + mailbox.name + " has stopped and cannot send requests"));
            return future;
        }
        // Registered before sending: from a console thread the reply can come back before route() returns.
        Pending p = new Pending(request, future, Math.max(0, timeout.toMillis()));
        pending.put(id, p);
        if (terminated && pending.remove(id) != null) { // the stop raced this call and may have missed it
            future.completeExceptionally(new DeliveryException(DeliveryFailure.ENGINE_STOPPED,
                    "engine " + mailbox.name + " has stopped and cannot send requests"));
            return future;
        }
        coverDeadline(expiresAt);
        host.route(request);
        return future;
    }

    @Override
    public void reply(Envelope request, String type, Object payload) {
        EngineAddress to = request.src();
        if (to == null) {
            return;
        }
        host.route(Envelope.builder().src(self).dst(to).id(host.nextMessageId()).inReplyTo(request.id())
                .expiresAt(request.expiresAt()).type(type).payload(payload).build());
    }

    @Override
    public Timer schedule(Duration delay, Runnable action) {
        return arm(delay, 0, action);
    }

    @Override
    public Timer scheduleAtFixedRate(Duration period, Runnable action) {
        long periodMillis = Math.max(1, period.toMillis());
        return arm(period, periodMillis, action);
    }

    private Timer arm(Duration delay, long periodMillis, Runnable action) {
        Objects.requireNonNull(action, "action");
        EngineTimer timer = new EngineTimer(this, action, periodMillis);
        if (terminated) {
            timer.cancel();
            return timer;
        }
        timers.add(timer);
        timer.arm(expiry(delay));
        if (terminated) { // stopped meanwhile (a console thread racing the stop): the stop may have missed it
            timer.cancel();
        }
        return timer;
    }

    @Override
    public InstantSource clock() {
        return host.clock();
    }

    @Override
    public Logger log() {
        return log;
    }

    private long expiry(Duration after) {
        long millis;
        try {
            millis = Math.max(0, after.toMillis());
        } catch (ArithmeticException tooLong) {
            return Envelope.NEVER - 1;
        }
        long now = host.clock().millis();
        long at = now + millis;
        return at < now ? Envelope.NEVER - 1 : Math.min(at, Envelope.NEVER - 1);
    }

    @Override
    public String toString() {
        return "EngineContext[" + self + "]";
    }

    /** A request waiting for its reply; it times out at its expiry ({@link #sweepTimeouts}). */
    private record Pending(Envelope request, TurnFuture<Envelope> future, long timeoutMillis) {
    }
}
