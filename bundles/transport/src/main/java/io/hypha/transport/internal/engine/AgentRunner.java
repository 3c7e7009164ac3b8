package io.hypha.transport.internal.engine;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The owner thread of a {@link TransportEngine}: runs {@link TransportEngine#doWork()} until the engine stops.
 *
 * <h2>Idle strategy</h2>
 * When turns find nothing to do, the thread first stays awake for {@code spinNanos} (spinning, then yielding), so
 * that a message arriving within that window is taken without a wake-up; only then does it park
 * ({@link TransportEngine#idle}) until work arrives or a timer falls due. Producers unpark it only when it parked.
 * Under load it never parks, so no producer pays for a wake-up (a futex call) per message; at rest it costs
 * nothing; in between (a request every few tens of microseconds) the spin window trades a little CPU for latency,
 * as Aeron's idle strategies do.
 */
public final class AgentRunner implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentRunner.class);
    /** Longest park: the engine also wakes for its timers, this only bounds a missed wake-up. */
    private static final long MAX_PARK_NANOS = 50_000_000L;

    private final TransportEngine engine;
    private final Thread thread;
    private final long spinNanos;

    /**
     * @param engine    the engine to run
     * @param name      the thread's name
     * @param spinNanos how long to stay awake without work before parking (0: park at once)
     */
    public AgentRunner(TransportEngine engine, String name, long spinNanos) {
        this.engine = engine;
        this.spinNanos = Math.max(0, spinNanos);
        this.thread = new Thread(this, name);
        this.thread.setDaemon(true);
    }

    /** Starts the thread. */
    public void start() {
        thread.start();
    }

    @Override
    public void run() {
        long idleSince = 0;
        boolean idle = false;
        while (!engine.isStopped()) {
            int work;
            try {
                work = engine.doWork();
            } catch (RuntimeException | Error e) {
                LOG.error("transport engine {} failed in its loop; it goes on", engine, e);
                work = 0;
            }
            if (work > 0) {
                idle = false;
                continue;
            }
            long now = System.nanoTime();
            if (!idle) {
                idle = true;
                idleSince = now;
            }
            long idleFor = now - idleSince;
            if (idleFor < spinNanos / 4) {
                Thread.onSpinWait();
            } else if (idleFor < spinNanos) {
                Thread.yield();
            } else {
                engine.idle(MAX_PARK_NANOS);
                idle = false;
            }
        }
    }

    /**
     * Stops the engine and waits for the thread to end.
     *
     * @param timeoutMillis how long to wait
     * @return whether the thread ended in time
     */
    public boolean stop(long timeoutMillis) {
        engine.close();
        try {
            thread.join(timeoutMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !thread.isAlive();
    }
}
