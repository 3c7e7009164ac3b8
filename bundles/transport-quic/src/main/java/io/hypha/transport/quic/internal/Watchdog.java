package io.hypha.transport.quic.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread per transport instance that looks after every handshake and connection at a fixed period: kicks kwik
 * streams that may hold stranded bytes, closes connections that make no progress, and ends handshakes that take too
 * long. Each watched object does its own check in {@link Watched#tick}; the watchdog only calls them.
 */
final class Watchdog implements AutoCloseable {
    /** Something the watchdog looks at every period. */
    interface Watched {
        /**
         * Called on the watchdog thread every period; must not block.
         *
         * @param now {@link System#nanoTime()}
         */
        void tick(long now);
    }

    private static final Logger LOG = LoggerFactory.getLogger(Watchdog.class);

    private final Set<Watched> watched = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService executor;

    /**
     * @param name         the thread's name
     * @param periodMillis how often each watched object is ticked
     */
    Watchdog(String name, long periodMillis) {
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        executor.scheduleAtFixedRate(this::tickAll, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    void add(Watched w) {
        watched.add(w);
    }

    void remove(Watched w) {
        watched.remove(w);
    }

    private void tickAll() {
        long now = System.nanoTime();
        for (Watched w : watched) {
            try {
                w.tick(now);
            } catch (RuntimeException e) {
                LOG.warn("QUIC watchdog: a check failed for {}", w, e);
            }
        }
    }

    /** Stops the thread and waits for it to end. */
    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        watched.clear();
    }
}
