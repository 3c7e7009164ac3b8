package io.hypha.relay.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.hypha.api.NodeId;
import io.hypha.relay.store.RelayStoreSettings.Durability;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Measures store and drain rates of 1 KiB messages and prints them; asserts only that everything arrived (the
 * machine's speed is not the code's behaviour). The full benchmark (100,000 messages) belongs to the bench module.
 */
class RelayStoreThroughputTest {
    private static final int MESSAGES = 20_000;
    private static final int SIZE = 1024;

    @TempDir
    Path dir;

    private final NodeId edge = RelayStoreTest.node(1);
    private final MessageOrigin origin = new MessageOrigin(RelayStoreTest.node(9), "sender", 1);

    @Test
    void measuresAsynchronousStoreAndDrainRates() throws Exception {
        for (Durability durability : Durability.values()) {
            Path storeDir = dir.resolve(durability.name());
            try (RelayStore store = RelayStore.open(storeDir, RelayStoreSettings.DEFAULTS.withDurability(durability))) {
                byte[] envelope = new byte[SIZE];
                long start = System.nanoTime();
                List<CompletableFuture<StoreResult>> results = new ArrayList<>(MESSAGES);
                for (int i = 0; i < MESSAGES; i++) {
                    results.add(store.storeAsync(edge, origin, Long.MAX_VALUE, envelope));
                }
                CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).join();
                double storeSeconds = (System.nanoTime() - start) / 1e9;
                assertThat(results.get(MESSAGES - 1).join()).isEqualTo(new StoreResult.Stored(MESSAGES));
                long fileAfterStore = store.fileSize();

                start = System.nanoTime();
                long drained = drain(store);
                double drainSeconds = (System.nanoTime() - start) / 1e9;
                assertThat(drained).isEqualTo(MESSAGES);
                assertThat(store.totalMessages()).isZero();

                System.out.printf("relay store %s, %d x %d B, one producer: store %.0f msg/s, drain %.0f msg/s, "
                                + "file %.1f MiB after storing, %.1f MiB after draining, ",
                        durability, MESSAGES, SIZE, MESSAGES / storeSeconds, MESSAGES / drainSeconds,
                        fileAfterStore / 1048576.0, store.fileSize() / 1048576.0);
            }
            System.out.printf("%.1f MiB after closing%n", java.nio.file.Files.size(storeDir.resolve("relay-store.mv.db")) / 1048576.0);
        }
    }

    @Test
    void measuresBlockingStoresFromConcurrentCallers() throws Exception {
        int threads = 32;
        int perThread = 200;
        try (RelayStore store = RelayStore.open(dir, RelayStoreSettings.DEFAULTS)) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            long start = System.nanoTime();
            List<java.util.concurrent.Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        assertThat(store.store(edge, origin, Long.MAX_VALUE, new byte[SIZE])).isInstanceOf(StoreResult.Stored.class);
                    }
                }));
            }
            for (java.util.concurrent.Future<?> f : done) {
                f.get();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            pool.shutdown();
            assertThat(store.totalMessages()).isEqualTo((long) threads * perThread);
            System.out.printf("relay store FSYNC, %d threads each blocking on store(): %.0f msg/s%n",
                    threads, threads * perThread / seconds);
        }
    }

    /** Forwards everything as a relay would: a page of pending messages, then an acknowledgement of the page. */
    private long drain(RelayStore store) {
        long drained = 0;
        long after = 0;
        List<CompletableFuture<Integer>> acks = new ArrayList<>();
        while (true) {
            List<StoredMessage> page = store.pending(edge, after, 1_000);
            if (page.isEmpty()) {
                break;
            }
            drained += page.size();
            after = page.get(page.size() - 1).seq();
            acks.add(store.ackAsync(edge, after));
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).join();
        return drained;
    }
}
