package io.hypha.runtime.internal;

import static io.hypha.runtime.internal.TestSupport.NODE;
import static io.hypha.runtime.internal.TestSupport.await;
import static io.hypha.runtime.internal.TestSupport.deadLetters;
import static io.hypha.runtime.internal.TestSupport.message;
import static org.assertj.core.api.Assertions.assertThat;

import io.hypha.api.DeliveryFailure;
import io.hypha.api.Envelope;
import io.hypha.api.engine.Engine;
import io.hypha.api.engine.EngineContext;
import io.hypha.api.engine.EngineInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LifecycleTest {
    private final TestSupport.ManualClock clock = new TestSupport.ManualClock();
    private EngineHost host = new EngineHost(TestSupport.settings().withGraceMillis(10_000), NODE, clock);

    @AfterEach
    void close() {
        host.close();
    }

    @Test
    void startsAnEngineBeforeItsFirstMessage() {
        TestSupport.RecordingEngine engine = new TestSupport.RecordingEngine() {
            @Override
            void handle(Envelope m, EngineContext ctx) {
                events.add("message");
            }
        };
        // Messages sent right after registering still come after onStart.
        host.register("e", engine, Map.of());
        host.deliver(message(host, "e", 1));
        await("handled", () -> engine.payloads.size() == 1);
        assertThat(engine.events).containsExactly("start", "message");
    }

    @Test
    void handsQueuedMessagesToANewInstanceWithinTheGracePeriod() {
        TestSupport.RecordingEngine old = new TestSupport.RecordingEngine();
        host.register("e", old, Map.of());
        for (int i = 0; i < 50; i++) {
            host.deliver(message(host, "e", i));
        }
        await("old handled the first batch", () -> old.payloads.size() == 50);
        host.unregister("e", old);
        assertThat(old.events).containsExactly("start", "stop");
        assertThat(state("e")).isEqualTo(EngineInfo.State.SUSPENDED);

        for (int i = 50; i < 100; i++) {
            host.deliver(message(host, "e", i)); // queue while suspended
        }
        assertThat(queued("e")).isEqualTo(50);
        clock.advance(Duration.ofSeconds(9));
        TestSupport.RecordingEngine fresh = new TestSupport.RecordingEngine();
        assertThat(host.register("e", fresh, Map.of())).isTrue();
        await("new instance handled the queued messages", () -> fresh.payloads.size() == 50);
        assertThat(fresh.payloads).containsExactlyElementsOf(EngineHostDeliveryTest.range(100).subList(50, 100));
        assertThat(old.payloads).hasSize(50);
        assertThat(fresh.events).containsExactly("start");
        assertThat(state("e")).isEqualTo(EngineInfo.State.RUNNING);
        // The old grace timer must not release the name under the new instance.
        clock.advance(Duration.ofSeconds(5));
        host.deliver(message(host, "e", "after"));
        await("still delivered", () -> fresh.payloads.contains("after"));
        assertThat(deadLetters(host, DeliveryFailure.ENGINE_STOPPED)).isZero();
    }

    @Test
    void deadLettersQueuedMessagesAsEngineStoppedWhenTheGracePeriodEnds() {
        TestSupport.RecordingEngine old = new TestSupport.RecordingEngine();
        host.register("e", old, Map.of());
        await("started", () -> old.context.get() != null);
        host.unregister("e", old);
        for (int i = 0; i < 3; i++) {
            host.deliver(message(host, "e", i));
        }
        clock.advance(Duration.ofSeconds(11));
        await("dead-lettered", () -> deadLetters(host, DeliveryFailure.ENGINE_STOPPED) == 3);
        assertThat(host.engines()).isEmpty();
        host.deliver(message(host, "e", "late"));
        assertThat(deadLetters(host, DeliveryFailure.NO_SUCH_ENGINE)).isEqualTo(1);
        assertThat(old.payloads).isEmpty();
        // The name is free again: a new engine gets a new mailbox.
        TestSupport.RecordingEngine next = new TestSupport.RecordingEngine();
        host.register("e", next, Map.of());
        host.deliver(message(host, "e", "new"));
        await("new mailbox works", () -> next.payloads.contains("new"));
    }

    @Test
    void keepsASecondEngineWithTheSameNameAsACandidate() {
        TestSupport.RecordingEngine first = new TestSupport.RecordingEngine();
        TestSupport.RecordingEngine second = new TestSupport.RecordingEngine();
        assertThat(host.register("e", first, Map.of())).isTrue();
        assertThat(host.register("e", second, Map.of())).isFalse();
        host.deliver(message(host, "e", 1));
        await("first handles", () -> first.payloads.size() == 1);
        host.unregister("e", first);
        host.deliver(message(host, "e", 2));
        await("second took over", () -> second.payloads.size() == 1);
        assertThat(second.payloads).containsExactly(2);
        assertThat(first.events).containsExactly("start", "stop");
        assertThat(state("e")).isEqualTo(EngineInfo.State.RUNNING);
    }

    @Test
    void forgetsACandidateThatGoesAwayFirst() {
        TestSupport.RecordingEngine first = new TestSupport.RecordingEngine();
        TestSupport.RecordingEngine second = new TestSupport.RecordingEngine();
        host.register("e", first, Map.of());
        host.register("e", second, Map.of());
        host.unregister("e", second);
        host.unregister("e", first);
        assertThat(state("e")).isEqualTo(EngineInfo.State.SUSPENDED);
        assertThat(second.events).isEmpty();
    }

    @Test
    void unregisteringWaitsForTheMessageInProgressAndHandsNoMoreToTheOldInstance() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean finished = new AtomicBoolean();
        TestSupport.RecordingEngine old = new TestSupport.RecordingEngine() {
            @Override
            void handle(Envelope m, EngineContext ctx) throws InterruptedException {
                if ("slow".equals(m.payload())) {
                    entered.countDown();
                    release.await(10, TimeUnit.SECONDS);
                    finished.set(true);
                }
            }
        };
        host.register("e", old, Map.of());
        host.deliver(message(host, "e", "slow"));
        host.deliver(message(host, "e", "next"));
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        Thread releaser = new Thread(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            release.countDown();
        });
        releaser.start();
        host.unregister("e", old);
        assertThat(finished).as("unregister returned only after the current message").isTrue();
        assertThat(old.payloads).containsExactly("slow");
        assertThat(old.events).containsExactly("start", "stop");
        TestSupport.RecordingEngine fresh = new TestSupport.RecordingEngine();
        host.register("e", fresh, Map.of());
        await("next goes to the new instance", () -> fresh.payloads.contains("next"));
        releaser.join();
    }

    @Test
    void unregisteringFromTheEnginesOwnTurnDoesNotDeadlock() {
        AtomicReference<Engine> self = new AtomicReference<>();
        TestSupport.RecordingEngine engine = new TestSupport.RecordingEngine() {
            @Override
            void handle(Envelope m, EngineContext ctx) {
                if ("leave".equals(m.payload())) {
                    host.unregister("e", self.get()); // as when a bundle stops itself from a callback
                    events.add("unregistered");
                }
            }
        };
        self.set(engine);
        host.register("e", engine, Map.of());
        host.deliver(message(host, "e", "leave"));
        host.deliver(message(host, "e", "kept"));
        await("stopped", () -> engine.events.contains("stop"));
        assertThat(engine.events).containsExactly("start", "unregistered", "stop");
        assertThat(engine.payloads).containsExactly("leave");
        assertThat(queued("e")).isEqualTo(1);
    }

    @Test
    void unregisteringAnEngineStuckInACallbackGivesUpAfterTheStopTimeout() throws Exception {
        host.close();
        host = new EngineHost(TestSupport.settings().withStopTimeoutMillis(100), NODE, clock);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        TestSupport.RecordingEngine stuck = new TestSupport.RecordingEngine() {
            @Override
            void handle(Envelope m, EngineContext ctx) throws InterruptedException {
                if ("stuck".equals(m.payload())) {
                    entered.countDown();
                    release.await(10, TimeUnit.SECONDS);
                }
            }
        };
        host.register("e", stuck, Map.of());
        host.deliver(message(host, "e", "stuck"));
        host.deliver(message(host, "e", "queued"));
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        host.unregister("e", stuck); // returns after ~100 ms although the engine is still inside onMessage
        assertThat(stuck.events).containsExactly("start");
        TestSupport.RecordingEngine fresh = new TestSupport.RecordingEngine();
        host.register("e", fresh, Map.of());
        release.countDown();
        await("old stopped", () -> stuck.events.contains("stop"));
        await("queued goes to the new instance", () -> fresh.payloads.contains("queued"));
        assertThat(stuck.payloads).containsExactly("stuck");
    }

    @Test
    void anEngineCanUnregisterAnotherThatItJustWokeEvenOnASingleThread() {
        host.close();
        host = new EngineHost(TestSupport.settings().withThreads(1).withStopTimeoutMillis(60_000), NODE, clock);
        TestSupport.RecordingEngine b = new TestSupport.RecordingEngine();
        host.register("b", b, Map.of());
        await("b started", () -> b.context.get() != null);
        TestSupport.RecordingEngine a = new TestSupport.RecordingEngine() {
            @Override
            void handle(Envelope m, EngineContext ctx) {
                ctx.send(io.hypha.api.EngineAddress.local("b"), "t", "woken"); // b's turn is now owed to this thread
                host.unregister("b", b); // waits for b's stop, which must not be stuck behind this very turn
                events.add("b unregistered");
            }
        };
        host.register("a", a, Map.of());
        host.deliver(message(host, "a", "go"));
        await("a unregistered b", () -> a.events.contains("b unregistered"));
        assertThat(b.events).containsExactly("start", "stop");
        assertThat(b.payloads).as("asked to stop before its turn came: the message waits for a successor").isEmpty();
        assertThat(queued("b")).isEqualTo(1);
    }

    @Test
    void closingStopsEveryEngine() {
        TestSupport.RecordingEngine a = new TestSupport.RecordingEngine();
        TestSupport.RecordingEngine b = new TestSupport.RecordingEngine();
        host.register("a", a, Map.of());
        host.register("b", b, Map.of());
        host.close();
        assertThat(a.events).containsExactly("start", "stop");
        assertThat(b.events).containsExactly("start", "stop");
        assertThat(host.register("c", new TestSupport.RecordingEngine(), Map.of())).isFalse();
        host.deliver(message(host, "a", "after close"));
        assertThat(deadLetters(host, DeliveryFailure.NO_SUCH_ENGINE)).isEqualTo(1);
    }

    private EngineInfo.State state(String name) {
        return info(name).state();
    }

    private int queued(String name) {
        return info(name).queued();
    }

    private EngineInfo info(String name) {
        List<EngineInfo> all = new ArrayList<>(host.engines());
        return all.stream().filter(i -> i.name().equals(name)).findFirst().orElseThrow();
    }
}
