package io.hypha.runtime.internal;

import static io.hypha.runtime.internal.TestSupport.NODE;
import static io.hypha.runtime.internal.TestSupport.await;
import static io.hypha.runtime.internal.TestSupport.messageFrom;
import static org.assertj.core.api.Assertions.assertThat;

import io.hypha.api.Envelope;
import io.hypha.api.engine.Engine;
import io.hypha.api.engine.EngineContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Several senders while the receiving engine is replaced again and again, both ways an OSGi update can happen
 * (old goes first and the new one comes within the grace period; or the new one registers first and waits as a
 * candidate). Every message must be handled exactly once, in each sender's order, never by two instances at once.
 */
class HotSwapStressTest {
    private static final int SENDERS = 4;
    private static final int PER_SENDER = 20_000;

    private final EngineHost host = new EngineHost(
            TestSupport.settings().withMailboxCapacity(SENDERS * PER_SENDER).withBatchSize(16), NODE, new TestSupport.ManualClock());

    @AfterEach
    void close() {
        host.close();
    }

    /** State shared by all instances, as a store outside the engine object would be. */
    static final class Shared {
        final AtomicIntegerArray handled = new AtomicIntegerArray(SENDERS * PER_SENDER);
        final int[] lastSeq = new int[SENDERS]; // guarded by the mailbox's one-turn-at-a-time rule
        final AtomicInteger orderViolations = new AtomicInteger();
        final AtomicInteger overlaps = new AtomicInteger();
        final AtomicInteger inside = new AtomicInteger();
        final AtomicLong total = new AtomicLong();
        final AtomicInteger starts = new AtomicInteger();
        final AtomicInteger stops = new AtomicInteger();

        Shared() {
            java.util.Arrays.fill(lastSeq, -1);
        }
    }

    static final class Instance implements Engine {
        private final Shared shared;
        private volatile boolean stopped;

        Instance(Shared shared) {
            this.shared = shared;
        }

        @Override
        public void onStart(EngineContext ctx) {
            shared.starts.incrementAndGet();
        }

        @Override
        public void onMessage(Envelope m, EngineContext ctx) {
            if (shared.inside.incrementAndGet() != 1 || stopped) {
                shared.overlaps.incrementAndGet();
            }
            int[] p = (int[]) m.payload();
            if (p[1] <= shared.lastSeq[p[0]]) {
                shared.orderViolations.incrementAndGet();
            }
            shared.lastSeq[p[0]] = p[1];
            shared.handled.incrementAndGet(p[0] * PER_SENDER + p[1]);
            shared.total.incrementAndGet();
            shared.inside.decrementAndGet();
        }

        @Override
        public void onStop(EngineContext ctx) {
            stopped = true;
            shared.stops.incrementAndGet();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void handlesEveryMessageExactlyOnceWhileTheEngineIsSwappedRepeatedly() throws Exception {
        Shared shared = new Shared();
        Instance current = new Instance(shared);
        host.register("swapped", current, Map.of());

        AtomicBoolean sending = new AtomicBoolean(true);
        List<Thread> senders = new ArrayList<>();
        AtomicInteger sendersLeft = new AtomicInteger(SENDERS);
        for (int s = 0; s < SENDERS; s++) {
            int sender = s;
            Thread t = new Thread(() -> {
                for (int i = 0; i < PER_SENDER; i++) {
                    host.deliver(messageFrom(host, "sender" + sender, "swapped", new int[] {sender, i}));
                    if ((i & 63) == 0) {
                        pause(); // spread the sends over many swaps
                    }
                }
                if (sendersLeft.decrementAndGet() == 0) {
                    sending.set(false);
                }
            }, "sender-" + s);
            senders.add(t);
            t.start();
        }

        int swaps = 0;
        while (sending.get() || swaps < 200) {
            Instance next = new Instance(shared);
            if ((swaps & 1) == 0) {
                host.unregister("swapped", current); // the bundle stops, messages queue...
                Thread.yield();
                host.register("swapped", next, Map.of()); // ...and the updated bundle starts within the grace period
            } else {
                host.register("swapped", next, Map.of()); // a new instance waits as a candidate...
                host.unregister("swapped", current); // ...and takes over when the old one goes
            }
            current = next;
            swaps++;
            pause();
        }
        for (Thread t : senders) {
            t.join();
        }
        await("every message handled", Duration.ofSeconds(30), () -> shared.total.get() >= SENDERS * PER_SENDER);

        List<Integer> notOnce = new ArrayList<>();
        for (int i = 0; i < shared.handled.length(); i++) {
            if (shared.handled.get(i) != 1) {
                notOnce.add(i);
            }
        }
        assertThat(notOnce).as("messages not handled exactly once").isEmpty();
        assertThat(shared.total.get()).isEqualTo(SENDERS * PER_SENDER);
        assertThat(shared.orderViolations).hasValue(0);
        assertThat(shared.overlaps).as("two instances (or a stopped one) handled messages at once").hasValue(0);
        assertThat(host.counts().values()).as("dead letters").allMatch(c -> c == 0);
        assertThat(shared.starts.get()).isEqualTo(swaps + 1);
        assertThat(shared.stops.get()).isEqualTo(swaps);
    }
}
