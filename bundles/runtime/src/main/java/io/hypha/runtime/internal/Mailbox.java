package io.hypha.runtime.internal;

import io.hypha.api.DeadLetter;
import io.hypha.api.DeliveryFailure;
import io.hypha.api.Envelope;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mailbox of one engine name, and the task that runs its turns. It outlives engine instances: when an engine
 * is updated, the new instance takes over the same mailbox and its queued messages.
 *
 * <h2>Turns</h2>
 * A turn runs on the host's {@link java.util.concurrent.ForkJoinPool}. At most one turn of a mailbox is scheduled or
 * running at any time (the {@code state} flag, taken with one compare-and-set by whoever makes work for an idle
 * mailbox), which is what makes an engine's callbacks never run concurrently and lets the queue have a single
 * consumer. A turn first runs system tasks (start, stop, timer firings, request timeouts, undeliverable notices,
 * continuations), then hands up to {@code batchSize} messages to the active engine, then gives the thread back and
 * reschedules itself if work is left. A turn whose queue runs dry first watches it for a short while
 * ({@link RuntimeSettings#idleSpinMicros()}, see {@link #awaitMessage}), so that a sender just behind it finds the
 * mailbox still scheduled. The mailbox is its own {@link ForkJoinTask} ({@link #exec} returns
 * {@code false}, so the task is never "done" and can be forked again): scheduling allocates nothing, and a turn
 * scheduled from a pool thread goes onto that thread's local queue.
 *
 * <h2>Lifecycle</h2>
 * The active instance ({@link #active}) is only changed by turns, through the {@code start}/{@code stop} system
 * tasks the host enqueues; the host's view ({@link #current}, candidates, the grace timer) is guarded by the host's
 * lifecycle lock. Messages are only taken out of the queue while an instance is active and not asked to stop, so
 * while the mailbox is suspended they wait, and each message is handled by exactly one instance.
 */
final class Mailbox extends ForkJoinTask<Void> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(Mailbox.class);
    private static final int IDLE = 0;
    private static final int SCHEDULED = 1;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Mailbox.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final String name;
    final transient EngineHost host;
    final transient BoundedMpscQueue<Envelope> messages;
    private final transient ConcurrentLinkedQueue<Runnable> system = new ConcurrentLinkedQueue<>();
    /** Undeliverable notices queued for this engine; bounded so a storm of refusals cannot grow memory. */
    private final AtomicInteger notices = new AtomicInteger();

    @SuppressWarnings("unused") // through STATE
    private volatile int state;
    /** The instance receiving messages; written by turns only. */
    volatile transient EngineCell active;
    /** Set (under the lifecycle lock, on a turn) when the grace period ran out and the name was released. */
    volatile boolean removed;
    /** The thread running a turn now, or null. */
    volatile transient Thread runner;
    private volatile long processed;
    private volatile long failed;

    // Guarded by the host's lifecycle lock.
    transient EngineCell current;
    final transient ArrayDeque<EngineHost.Registration> candidates = new ArrayDeque<>();
    long graceGeneration;
    transient TimerScheduler.Entry graceTimer;

    Mailbox(EngineHost host, String name, int capacity) {
        this.host = host;
        this.name = name;
        this.messages = new BoundedMpscQueue<>(capacity);
    }

    // ---------------------------------------------------------------- producers (any thread)

    /** Makes sure a turn follows a message just queued, when a turn could take it. */
    void signal() {
        if (active != null || removed) {
            schedule();
        }
    }

    /** @param task runs on a turn of this mailbox, whatever the lifecycle state */
    void enqueueSystem(Runnable task) {
        system.add(task);
        schedule();
    }

    /**
     * Tells the active engine that one of its messages was not delivered, on its turn, unless too many notices are
     * already waiting (the letter is in the dead-letter log in any case).
     */
    void notifyUndeliverable(DeadLetter letter) {
        if (notices.incrementAndGet() > messages.capacity()) {
            notices.decrementAndGet();
            LOG.debug("engine {}: too many undeliverable notices waiting, dropped the notice for {}", name, letter.envelope());
            return;
        }
        enqueueSystem(() -> {
            notices.decrementAndGet();
            EngineCell cell = active;
            if (cell != null) {
                cell.onUndeliverable(letter);
            }
        });
    }

    /** Asks {@code cell} to stop: no message is handed to it once this returns; its turn calls onStop. */
    void requestStop(EngineCell cell) {
        // Order matters: the turn reacts to the flag by running system tasks, so the stop task must be there first.
        system.add(() -> stop(cell));
        cell.stopRequested = true;
        schedule();
    }

    /** Queues the start of {@code cell}: its onStart, then it receives the queued messages. */
    void requestStart(EngineCell cell) {
        enqueueSystem(() -> start(cell));
    }

    void schedule() {
        if (state == IDLE && STATE.compareAndSet(this, IDLE, SCHEDULED)) {
            host.execute(this);
        }
    }

    long processed() {
        return processed;
    }

    long failed() {
        return failed;
    }

    // ---------------------------------------------------------------- the turn (one thread at a time)

    /** Turns a thread runs in a row through its hand-off slot before it lets the pool's queue go first. */
    private static final int MAX_HANDOFFS = 16;
    /** Extra batches a turn may run in a row when nothing else waits for the thread. */
    private static final int MAX_EXTRA_BATCHES = 1024;
    /** While waiting for a message ({@link #awaitMessage}): every 32 looks, check the deadline and other work, and yield. */
    private static final int SPIN_CHECK_MASK = 31;

    /**
     * Runs this mailbox's turn, then what the turn handed to this thread's slot.
     *
     * <p>When a turn wakes another engine (it sent it a message), that engine's turn runs next on this thread while
     * this mailbox is still owned (not yet released): whatever the woken engine sends back (a reply) is then only
     * enqueued, without scheduling anything, and this thread comes back for it. A request and its reply, or two
     * engines passing messages to and fro, run on one warm thread without a pool push or a thread wake-up per hop.
     * After {@link #MAX_HANDOFFS} hand-offs the pool's queue goes first, for fairness.
     */
    @Override
    protected boolean exec() {
        Thread thread = Thread.currentThread();
        EngineWorker worker = thread instanceof EngineWorker w && w.host == host ? w : null;
        if (worker == null) {
            runTurn(thread, null);
            release();
            return false;
        }
        Mailbox mb = this;
        int handoffs = 0;
        int extraBatches = 0;
        while (true) {
            boolean more = mb.runTurn(thread, worker);
            if (worker.caughtAfterSpin) {
                worker.caughtAfterSpin = false;
                handoffs = 0; // work from outside after a wait: a new chain
            }
            Mailbox woken = worker.next;
            if (woken != null) {
                worker.next = null;
                if (++handoffs > MAX_HANDOFFS) {
                    host.submit(woken);
                    woken = null;
                }
            }
            if (woken != null) {
                // worker.held is null if a blocking call handed it to the pool meanwhile (EngineHost.flushSlot).
                if (worker.held != null) {
                    worker.held.release();
                }
                worker.held = mb;
                mb = woken;
                extraBatches = 0;
                continue;
            }
            // A full batch and nothing else waiting for this thread: go on without a round trip through the pool,
            // which would push the task, wake an idle thread to steal it and move the engine to a cold cache.
            if (more && extraBatches < MAX_EXTRA_BATCHES && !otherWorkWaits()) {
                extraBatches++;
                continue;
            }
            extraBatches = 0;
            Mailbox held = worker.held;
            mb.release();
            if (held == null) {
                return false;
            }
            worker.held = null;
            mb = held;
            // Back to the mailbox whose turn woke the others: run it again if work came, or if its turn may watch for
            // work (see awaitMessage), since it was the last to be busy.
            if (!mb.hasWork() && host.idleSpinNanos() == 0) {
                mb.release();
                return false;
            }
        }
    }

    /**
     * The queue ran dry during a turn: before giving the thread back, watch it for a while
     * ({@link RuntimeSettings#idleSpinMicros()}). A message arriving meanwhile finds the mailbox still scheduled, so its
     * sender only enqueues it (no pool push, no thread to wake), and this thread, whose caches still hold the engine,
     * handles it at once. That is the rhythm of a receiver that drains faster than its sender fills it, and of
     * requests from a thread outside the pool (the next one follows shortly after the reply).
     *
     * <p>Bounded: it gives up at the deadline, as soon as a system task (a stop, a timer) or other work for this
     * thread waits, when a turn this one woke waits in the thread's slot, and when too many threads of the host are
     * watching already ({@link EngineHost#tryStartSpin}). It looks only at the next slot of the queue, a cache line
     * the sender writes anyway, not at the sender's index.
     *
     * @return whether a message is ready to be taken
     */
    private boolean awaitMessage(EngineWorker worker, EngineCell cell) {
        long spinNanos = host.idleSpinNanos();
        if (spinNanos == 0 || worker.next != null || worker.held != null || otherWorkWaits() || !host.tryStartSpin()) {
            return false;
        }
        try {
            long deadline = System.nanoTime() + spinNanos;
            for (int i = 1; ; i++) {
                if (messages.isNextReady()) {
                    worker.caughtAfterSpin = true;
                    return true;
                }
                if ((i & SPIN_CHECK_MASK) != 0) {
                    Thread.onSpinWait();
                    continue;
                }
                if (System.nanoTime() - deadline >= 0 || !system.isEmpty() || cell.stopRequested || otherWorkWaits()) {
                    return false;
                }
                // Lets a thread that shares this core run: often the very sender this turn waits for, or the caller
                // the last reply woke. Without it a busy machine measured slower with the spin than without.
                Thread.yield();
            }
        } finally {
            host.endSpin();
        }
    }

    /** @return whether turns of other mailboxes wait in this thread's queue or the pool's shared one */
    private boolean otherWorkWaits() {
        return getQueuedTaskCount() != 0 || host.hasQueuedSubmissions();
    }

    /**
     * One turn of this mailbox, which the caller owns (its state is SCHEDULED).
     *
     * @return whether it stopped because the batch was used up (messages may be left)
     */
    private boolean runTurn(Thread thread, EngineWorker worker) {
        runner = thread;
        if (worker != null) {
            worker.inTurn = true;
        }
        try {
            return turn(worker);
        } catch (Throwable t) {
            // Never let the task complete abnormally: a completed ForkJoinTask cannot be forked again.
            LOG.error("engine {}: unexpected failure in the runtime's turn", name, t);
            return false;
        } finally {
            if (worker != null) {
                worker.inTurn = false;
            }
            runner = null;
        }
    }

    /** Gives up ownership; schedules again if work came in meanwhile. */
    private void release() {
        STATE.setVolatile(this, IDLE);
        if (hasWork()) {
            schedule();
        }
    }

    private boolean hasWork() {
        return !system.isEmpty() || ((active != null || removed) && !messages.isEmpty());
    }

    /** @return whether the batch was used up */
    private boolean turn(EngineWorker worker) {
        int budget = host.batchSize();
        runSystemTasks(budget);
        if (removed) {
            drainRemoved();
            return false;
        }
        EngineCell cell = active;
        long done = 0;
        long fails = 0;
        while (cell != null && budget > 0) {
            if (cell.stopRequested) {
                // Hand nothing more to this instance: run its stop (and maybe a successor's start) now.
                runSystemTasks(budget--);
                cell = active;
                continue;
            }
            Envelope message = messages.poll();
            if (message == null) {
                if (worker != null && awaitMessage(worker, cell)) {
                    continue;
                }
                break;
            }
            budget--;
            done++;
            if (!cell.handle(message)) {
                fails++;
            }
        }
        if (done > 0) {
            processed += done; // single writer
            if (fails > 0) {
                failed += fails;
            }
        }
        return budget == 0;
    }

    private void runSystemTasks(int limit) {
        for (int i = 0; i < limit; i++) {
            Runnable task = system.poll();
            if (task == null) {
                return;
            }
            try {
                task.run();
            } catch (Throwable t) {
                LOG.error("engine {}: a system task failed", name, t);
            }
        }
    }

    private void start(EngineCell cell) {
        active = cell;
        cell.start();
    }

    private void stop(EngineCell cell) {
        if (active == cell) {
            active = null;
        }
        cell.stop();
    }

    /** The name was released: every message left goes to a successor mailbox if one exists, else is dead. */
    private void drainRemoved() {
        int stopped = 0;
        for (Envelope message; (message = messages.poll()) != null; ) {
            Mailbox successor = host.mailbox(name);
            if (successor != null && successor != this) {
                host.deliver(message);
            } else {
                stopped++;
                host.undeliverable(message, DeliveryFailure.ENGINE_STOPPED,
                        "engine " + name + " stopped and did not come back within the grace period");
            }
        }
        if (stopped > 0) {
            LOG.info("node {}: engine {} did not come back within the grace period; {} queued messages dead-lettered as ENGINE_STOPPED",
                    host.nodeShort(), name, stopped);
        }
    }

    // ---------------------------------------------------------------- ForkJoinTask plumbing

    @Override
    public Void getRawResult() {
        return null;
    }

    @Override
    protected void setRawResult(Void value) {
    }

    @Override
    public String toString() {
        return "Mailbox[" + name + "]";
    }
}
