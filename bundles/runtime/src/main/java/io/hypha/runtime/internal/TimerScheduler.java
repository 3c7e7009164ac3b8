package io.hypha.runtime.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.InstantSource;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one timer thread of an engine host: engine timers and request timeouts.
 *
 * <p>Deadlines are read from the host's {@link InstantSource}, so a test that advances its clock sees timers fire
 * (within {@link #MAX_PARK_MILLIS}) without sleeping. Other threads hand entries over through a lock-free inbox;
 * only the timer thread touches the priority queue. An action runs on the timer thread and must be short: the
 * host's actions only enqueue a task into an engine's mailbox, so engine code never runs here.
 *
 * <p>Cancelling is lazy (the entry stays queued without its action until its deadline); when cancelled entries
 * outnumber live ones the queue is purged, so a node answering many requests with long timeouts does not
 * accumulate them.
 */
final class TimerScheduler implements AutoCloseable {
    /** Longest the thread sleeps without looking at the clock, so a test clock's jumps are noticed quickly. */
    static final long MAX_PARK_MILLIS = 10;
    private static final int PURGE_THRESHOLD = 1024;
    private static final Logger LOG = LoggerFactory.getLogger(TimerScheduler.class);

    private final InstantSource clock;
    private final ConcurrentLinkedQueue<Entry> inbox = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<Entry> queue = new PriorityQueue<>(); // timer thread only
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicInteger cancelled = new AtomicInteger();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long plannedWake = Long.MIN_VALUE;

    /**
     * Starts the timer thread.
     *
     * @param clock      the clock deadlines are measured on
     * @param threadName the thread's name
     */
    TimerScheduler(InstantSource clock, String threadName) {
        this.clock = clock;
        this.thread = new Thread(this::loop, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Runs {@code action} on the timer thread once the clock reaches {@code deadlineMillis}.
     *
     * @param deadlineMillis when, in the clock's epoch milliseconds
     * @param action         what; short and non-blocking
     * @return the entry, to cancel it
     */
    Entry schedule(long deadlineMillis, Runnable action) {
        Entry entry = new Entry(deadlineMillis, sequence.incrementAndGet(), action);
        inbox.add(entry);
        // Wake the thread only if it plans to sleep past this deadline: most request timeouts are far away.
        if (deadlineMillis < plannedWake) {
            LockSupport.unpark(thread);
        }
        return entry;
    }

    /** Stops the timer thread; pending entries never fire. */
    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        if (Thread.currentThread() != thread) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void loop() {
        while (running) {
            try {
                tick();
            } catch (Throwable t) {
                LOG.error("timer thread: an action failed; timers go on", t);
            }
        }
    }

    private void tick() {
        for (Entry e; (e = inbox.poll()) != null; ) {
            queue.add(e);
        }
        if (cancelled.get() > PURGE_THRESHOLD && cancelled.get() > queue.size() / 2) {
            int before = queue.size();
            queue.removeIf(Entry::isCancelled);
            cancelled.addAndGet(-(before - queue.size()));
        }
        long now = clock.millis();
        Entry head;
        while ((head = queue.peek()) != null && (head.isCancelled() || head.deadline <= now)) {
            queue.poll();
            Runnable action = head.take();
            if (action != null) {
                action.run();
            } else {
                cancelled.decrementAndGet();
            }
        }
        long sleep = head == null ? MAX_PARK_MILLIS : Math.min(MAX_PARK_MILLIS, head.deadline - now);
        plannedWake = head == null ? now + sleep : Math.min(head.deadline, now + sleep);
        // Dekker pair with schedule(): plannedWake is written before the inbox is checked.
        if (inbox.isEmpty() && running) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(Math.max(1, sleep)));
        }
        plannedWake = Long.MIN_VALUE;
    }

    /** One scheduled action; cancel it to keep it from running. */
    final class Entry implements Comparable<Entry> {
        private static final VarHandle ACTION;

        static {
            try {
                ACTION = MethodHandles.lookup().findVarHandle(Entry.class, "action", Runnable.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final long deadline;
        private final long seq;
        @SuppressWarnings("unused") // through ACTION
        private volatile Runnable action;

        Entry(long deadline, long seq, Runnable action) {
            this.deadline = deadline;
            this.seq = seq;
            this.action = action;
        }

        /** @return whether this call kept the action from running */
        boolean cancel() {
            if (ACTION.getAndSet(this, (Runnable) null) != null) {
                cancelled.incrementAndGet();
                return true;
            }
            return false;
        }

        boolean isCancelled() {
            return action == null;
        }

        private Runnable take() {
            return (Runnable) ACTION.getAndSet(this, (Runnable) null);
        }

        @Override
        public int compareTo(Entry o) {
            int c = Long.compare(deadline, o.deadline);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }
}
