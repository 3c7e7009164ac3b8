package io.hypha.runtime.internal;

import static io.hypha.runtime.internal.TestSupport.NODE;
import static io.hypha.runtime.internal.TestSupport.OTHER_NODE;
import static io.hypha.runtime.internal.TestSupport.await;
import static io.hypha.runtime.internal.TestSupport.deadLetters;
import static io.hypha.runtime.internal.TestSupport.message;
import static io.hypha.runtime.internal.TestSupport.messageFrom;
import static org.assertj.core.api.Assertions.assertThat;

import io.hypha.api.DeadLetter;
import io.hypha.api.DeliveryFailure;
import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.engine.Engine;
import io.hypha.api.engine.EngineContext;
import io.hypha.api.engine.EngineInfo;
import io.hypha.api.router.Router;
import io.hypha.api.NodeId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EngineHostDeliveryTest {
    private final TestSupport.ManualClock clock = new TestSupport.ManualClock();
    private EngineHost host = new EngineHost(TestSupport.settings(), NODE, clock);

    @AfterEach
    void close() {
        host.close();
    }

    @Test
    void handsMessagesToAnEngineInTheOrderTheyWereSent() {
        TestSupport.RecordingEngine engine = new TestSupport.RecordingEngine();
        host.register("sink", engine, Map.of());
        for (int i = 0; i < 1000; i++) {
            host.deliver(message(host, "sink", i));
        }
        await("1000 messages", () -> engine.payloads.size() == 1000);
        assertThat(engine.payloads).containsExactlyElementsOf(range(1000));
        assertThat(engine.events).containsExactly("start");
    }

    @Test
    void keepsEachSendersOrderWithSeveralSenders() {
        int senders = 4;
        int perSender = 5000;
        List<List<Integer>> seen = new ArrayList<>();
        for (int s = 0; s < senders; s++) {
            seen.add(new CopyOnWriteArrayList<>());
        }
        TestSupport.RecordingEngine sink = new TestSupport.RecordingEngine() {
            @Override
            void handle(Envelope m, EngineContext ctx) {
                int[] p = (int[]) m.payload();
                seen.get(p[0]).add(p[1]);
            }
        };
        host.register("sink", sink, Map.of(Engine.MAILBOX_CAPACITY, senders * perSender));
        for (int s = 0; s < senders; s++) {
            int sender = s;
            host.register("sender" + s, new Engine() {
                @Override
                public void onMessage(Envelope message, EngineContext ctx) {
                    for (int i = 0; i < perSender; i++) {
                        ctx.send(EngineAddress.local("sink"), "n", new int[] {sender, i});
                    }
                }
            }, Map.of());
        }
        for (int s = 0; s < senders; s++) {
            host.deliver(message(host, "sender" + s, "go"));
        }
        await("all messages", () -> sink.payloads.size() == senders * perSender);
        for (int s = 0; s < senders; s++) {
            assertThat(seen.get(s)).as("sender %d", s).containsExactlyElementsOf(range(perSender));
        }
        assertThat(sink.violations).hasValue(0);
    }

    @Test
    void keepsEachSendersOrderWhetherOrNotTurnsWaitForMessages() throws Exception {
        for (int spinMicros : new int[] {0, RuntimeSettings.MAX_IDLE_SPIN_MICROS}) {
            host.close();
            host = new EngineHost(TestSupport.settings().withThreads(4).withBatchSize(3).withIdleSpinMicros(spinMicros),
                    NODE, clock);
            int senders = 4;
            int perSender = 3000;
            List<List<Integer>> seen = new ArrayList<>();
            for (int s = 0; s < senders; s++) {
                seen.add(new CopyOnWriteArrayList<>());
            }
            TestSupport.RecordingEngine sink = new TestSupport.RecordingEngine() {
                @Override
                void handle(Envelope m, EngineContext ctx) {
                    int[] p = (int[]) m.payload();
                    seen.get(p[0]).add(p[1]);
                }
            };
            host.register("sink", sink, Map.of(Engine.MAILBOX_CAPACITY, senders * perSender));
            Thread[] producers = new Thread[senders];
            for (int t = 0; t < senders; t++) {
                int sender = t;
                producers[t] = new Thread(() -> {
                    for (int i = 0; i < perSender; i++) {
                        host.deliver(message(host, "sink", new int[] {sender, i}));
                        if (i % 7 == 0) {
                            Thread.yield(); // let the receiver run dry now and then, so that it waits for more
                        }
                    }
                });
                producers[t].start();
            }
            for (Thread t : producers) {
                t.join();
            }
            await("all messages", () -> sink.payloads.size() == senders * perSender);
            for (int s = 0; s < senders; s++) {
                assertThat(seen.get(s)).as("spin %d us, sender %d", spinMicros, s).containsExactlyElementsOf(range(perSender));
            }
            assertThat(sink.violations).hasValue(0);
        }
    }

    @Test
    void stopsAnEngineWhoseTurnIsWaitingForMessages() {
        host.close();
        host = new EngineHost(TestSupport.settings().withIdleSpinMicros(RuntimeSettings.MAX_IDLE_SPIN_MICROS), NODE, clock);
        TestSupport.RecordingEngine engine = new TestSupport.RecordingEngine();
        host.register("e", engine, Map.of());
        for (int round = 0; round < 20; round++) {
            host.deliver(message(host, "e", round));
            int expected = round + 1;
            await("message handled", () -> engine.payloads.size() == expected);
        }
        host.unregister("e", engine);
        assertThat(engine.events).containsExactly("start", "stop");
        host.deliver(message(host, "e", "while suspended"));
        assertThat(host.engines()).singleElement().satisfies(info -> {
            assertThat(info.state()).isEqualTo(EngineInfo.State.SUSPENDED);
            assertThat(info.queued()).isEqualTo(1);
        });
        assertThat(engine.payloads).hasSize(20);
    }

    @Test
    void issuesUniqueMessageIdsToEngineThreadsAndOtherThreadsAlike() throws Exception {
        int senders = 4;
        int perSender = 3000;
        java.util.Set<Long> ids = java.util.concurrent.ConcurrentHashMap.newKeySet();
        AtomicInteger received = new AtomicInteger();
        host.register("sink", (m, ctx) -> {
            ids.add(m.id());
            received.incrementAndGet();
        }, Map.of(Engine.MAILBOX_CAPACITY, senders * perSender));
        for (int s = 0; s < senders; s++) {
            host.register("sender" + s, (m, ctx) -> {
                for (int i = 0; i < perSender; i++) {
                    ctx.send(EngineAddress.local("sink"), "n", i);
                }
            }, Map.of());
        }
        for (int s = 0; s < senders; s++) {
            host.deliver(message(host, "sender" + s, "go"));
        }
        List<Long> fromThisThread = new ArrayList<>();
        for (int i = 0; i < perSender; i++) {
            fromThisThread.add(host.nextMessageId());
        }
        await("all messages", () -> received.get() == senders * perSender);
        assertThat(ids).hasSize(senders * perSender).doesNotContain(Envelope.NO_REQUEST);
        assertThat(fromThisThread).doesNotHaveDuplicates().doesNotContain(Envelope.NO_REQUEST).noneMatch(ids::contains);
    }

    @Test
    void neverRunsOneEngineOnTwoThreadsAtOnce() throws Exception {
        host.close();
        host = new EngineHost(TestSupport.settings().withThreads(4).withBatchSize(3), NODE, clock);
        TestSupport.RecordingEngine engine = new TestSupport.RecordingEngine() {
            @Override
            void handle(Envelope m, EngineContext ctx) {
                Thread.yield(); // widen the window in which an overlap would be seen
            }
        };
        host.register("sink", engine, Map.of(Engine.MAILBOX_CAPACITY, 100_000));
        Thread[] producers = new Thread[4];
        for (int t = 0; t < producers.length; t++) {
            producers[t] = new Thread(() -> {
                for (int i = 0; i < 5000; i++) {
                    host.deliver(message(host, "sink", i));
                }
            });
            producers[t].start();
        }
        for (Thread t : producers) {
            t.join();
        }
        await("20000 messages", () -> engine.payloads.size() == 20_000);
        assertThat(engine.violations).hasValue(0);
    }

    @Test
    void refusesMessagesWhenTheMailboxIsFull() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        TestSupport.RecordingEngine slow = new TestSupport.RecordingEngine() {
            @Override
            void handle(Envelope m, EngineContext ctx) throws InterruptedException {
                entered.countDown();
                release.await(10, TimeUnit.SECONDS);
            }
        };
        host.register("slow", slow, Map.of(Engine.MAILBOX_CAPACITY, 3));
        TestSupport.RecordingEngine sender = new TestSupport.RecordingEngine();
        host.register("sender", sender, Map.of());
        host.deliver(message(host, "slow", 0));
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 1; i <= 3; i++) {
            host.deliver(messageFrom(host, "sender", "slow", i)); // fills the mailbox
        }
        Envelope refused = messageFrom(host, "sender", "slow", 4);
        host.deliver(refused);

        assertThat(deadLetters(host, DeliveryFailure.MAILBOX_FULL)).isEqualTo(1);
        assertThat(host.recent(10)).extracting(DeadLetter::envelope).containsExactly(refused);
        await("sender told", () -> sender.undeliverable.size() == 1);
        assertThat(sender.undeliverable.get(0).failure()).isEqualTo(DeliveryFailure.MAILBOX_FULL);
        assertThat(host.engines()).filteredOn(i -> i.name().equals("slow"))
                .singleElement().satisfies(i -> {
                    assertThat(i.capacity()).isEqualTo(3);
                    assertThat(i.queued()).isEqualTo(3);
                });
        release.countDown();
        await("queued messages handled", () -> slow.payloads.size() == 4);
        assertThat(slow.payloads).containsExactly(0, 1, 2, 3);
    }

    @Test
    void deadLettersMessagesForUnknownEnginesAndTellsTheSender() {
        TestSupport.RecordingEngine sender = new TestSupport.RecordingEngine() {
            @Override
            void handle(Envelope m, EngineContext ctx) {
                ctx.send(EngineAddress.local("nobody"), "x", "lost");
            }
        };
        host.register("sender", sender, Map.of());
        host.deliver(message(host, "sender", "go"));
        await("sender told", () -> sender.undeliverable.size() == 1);
        DeadLetter letter = sender.undeliverable.get(0);
        assertThat(letter.failure()).isEqualTo(DeliveryFailure.NO_SUCH_ENGINE);
        assertThat(letter.envelope().src()).isEqualTo(EngineAddress.of(NODE, "sender"));
        assertThat(letter.envelope().payload()).isEqualTo("lost");
        assertThat(deadLetters(host, DeliveryFailure.NO_SUCH_ENGINE)).isEqualTo(1);
        assertThat(sender.violations).hasValue(0);
    }

    @Test
    void deadLettersMessagesThatExpiredBeforeReachingTheMailbox() {
        TestSupport.RecordingEngine engine = new TestSupport.RecordingEngine();
        host.register("sink", engine, Map.of());
        Envelope stale = Envelope.builder().dst(EngineAddress.local("sink")).id(host.nextMessageId()).type("t")
                .expiresAt(clock.millis() - 1).build();
        host.deliver(stale);
        assertThat(deadLetters(host, DeliveryFailure.EXPIRED)).isEqualTo(1);
        host.deliver(message(host, "sink", "fresh"));
        await("fresh message", () -> engine.payloads.size() == 1);
        assertThat(engine.payloads).containsExactly("fresh");
    }

    @Test
    void deadLettersMessagesThatExpireWhileQueued() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        TestSupport.RecordingEngine engine = new TestSupport.RecordingEngine() {
            @Override
            void handle(Envelope m, EngineContext ctx) throws InterruptedException {
                if ("block".equals(m.payload())) {
                    entered.countDown();
                    release.await(10, TimeUnit.SECONDS);
                }
            }
        };
        host.register("sink", engine, Map.of());
        host.deliver(message(host, "sink", "block"));
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        host.deliver(Envelope.builder().dst(EngineAddress.local("sink")).id(host.nextMessageId()).type("t")
                .expiresAt(clock.millis() + 1000).payload("short-lived").build());
        host.deliver(message(host, "sink", "after"));
        clock.advance(Duration.ofSeconds(2));
        release.countDown();
        await("after handled", () -> engine.payloads.contains("after"));
        assertThat(engine.payloads).containsExactly("block", "after");
        assertThat(deadLetters(host, DeliveryFailure.EXPIRED)).isEqualTo(1);
        assertThat(host.recent(1).get(0).envelope().payload()).isEqualTo("short-lived");
    }

    @Test
    void deadLettersAMessageWhoseHandlerThrowsAndGoesOn() {
        TestSupport.RecordingEngine sender = new TestSupport.RecordingEngine();
        TestSupport.RecordingEngine engine = new TestSupport.RecordingEngine() {
            @Override
            void handle(Envelope m, EngineContext ctx) {
                if ("bad".equals(m.payload())) {
                    throw new IllegalStateException("cannot handle it");
                }
            }
        };
        host.register("sink", engine, Map.of());
        host.register("sender", sender, Map.of());
        host.deliver(messageFrom(host, "sender", "sink", "bad"));
        host.deliver(messageFrom(host, "sender", "sink", "good"));
        await("good handled", () -> engine.payloads.contains("good"));
        assertThat(deadLetters(host, DeliveryFailure.ENGINE_FAILED)).isEqualTo(1);
        await("sender told", () -> sender.undeliverable.size() == 1);
        assertThat(sender.undeliverable.get(0).failure()).isEqualTo(DeliveryFailure.ENGINE_FAILED);
        assertThat(sender.undeliverable.get(0).detail()).contains("cannot handle it");
        EngineInfo info = host.engines().stream().filter(i -> i.name().equals("sink")).findFirst().orElseThrow();
        assertThat(info.failed()).isEqualTo(1);
        assertThat(info.processed()).isEqualTo(2);
    }

    @Test
    void deadLettersRemoteMessagesAsNoRouteWithoutARouter() {
        TestSupport.RecordingEngine sender = new TestSupport.RecordingEngine() {
            @Override
            void handle(Envelope m, EngineContext ctx) {
                ctx.send(EngineAddress.of(OTHER_NODE, "echo"), "x", "far");
            }
        };
        host.register("sender", sender, Map.of());
        host.deliver(message(host, "sender", "go"));
        await("sender told", () -> sender.undeliverable.size() == 1);
        assertThat(sender.undeliverable.get(0).failure()).isEqualTo(DeliveryFailure.NO_ROUTE);
        assertThat(deadLetters(host, DeliveryFailure.NO_ROUTE)).isEqualTo(1);
    }

    @Test
    void sendsThroughTheRouterWhenOneIsSet() {
        List<Envelope> routed = new CopyOnWriteArrayList<>();
        host.setRouter(new Router() {
            @Override
            public NodeId localNode() {
                return NODE;
            }

            @Override
            public long nextMessageId() {
                return host.nextMessageId();
            }

            @Override
            public void route(Envelope envelope) {
                routed.add(envelope);
                host.deliver(envelope);
            }
        });
        TestSupport.RecordingEngine sink = new TestSupport.RecordingEngine();
        host.register("sink", sink, Map.of());
        host.register("sender", new Engine() {
            @Override
            public void onMessage(Envelope message, EngineContext ctx) {
                ctx.send(EngineAddress.local("sink"), "x", "via router");
            }
        }, Map.of());
        host.deliver(message(host, "sender", "go"));
        await("delivered", () -> sink.payloads.size() == 1);
        assertThat(routed).singleElement().satisfies(e -> {
            assertThat(e.src()).isEqualTo(EngineAddress.of(NODE, "sender"));
            assertThat(e.expiresAt()).isEqualTo(Envelope.NEVER);
            assertThat(e.id()).isPositive();
        });
        host.setRouter(null);
        host.deliver(message(host, "sender", "go"));
        await("delivered directly", () -> sink.payloads.size() == 2);
        assertThat(routed).hasSize(1);
    }

    @Test
    void keepsOnlyTheMostRecentDeadLettersButCountsAll() {
        host.close();
        host = new EngineHost(TestSupport.settings().withDeadLetterCapacity(3), NODE, clock);
        for (int i = 0; i < 5; i++) {
            host.deliver(message(host, "nobody", i));
        }
        assertThat(host.recent(10)).extracting(l -> l.envelope().payload()).containsExactly(2, 3, 4);
        assertThat(host.recent(2)).extracting(l -> l.envelope().payload()).containsExactly(3, 4);
        assertThat(host.counts()).containsEntry(DeliveryFailure.NO_SUCH_ENGINE, 5L)
                .containsEntry(DeliveryFailure.TIMEOUT, 0L)
                .hasSize(DeliveryFailure.values().length);
    }

    @Test
    void issuesUniqueNonZeroMessageIds() {
        long a = host.nextMessageId();
        long b = host.nextMessageId();
        assertThat(a).isNotEqualTo(Envelope.NO_REQUEST);
        assertThat(b).isGreaterThan(a);
    }

    @Test
    void refusesInvalidEngineNames() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> host.register("bad name", new TestSupport.RecordingEngine(), Map.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void usesTheMailboxCapacityPropertyOrTheDefault() {
        host.register("a", new TestSupport.RecordingEngine(), Map.of(Engine.MAILBOX_CAPACITY, "17"));
        host.register("b", new TestSupport.RecordingEngine(), Map.of(Engine.MAILBOX_CAPACITY, "lots"));
        host.register("c", new TestSupport.RecordingEngine(), Map.of(EngineHost.BUNDLE_PROPERTY, "com.example.c"));
        assertThat(host.engines()).extracting(EngineInfo::name, EngineInfo::capacity, EngineInfo::bundle, EngineInfo::state)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("a", 17, "", EngineInfo.State.RUNNING),
                        org.assertj.core.groups.Tuple.tuple("b", RuntimeSettings.DEFAULT_MAILBOX_CAPACITY, "", EngineInfo.State.RUNNING),
                        org.assertj.core.groups.Tuple.tuple("c", RuntimeSettings.DEFAULT_MAILBOX_CAPACITY, "com.example.c", EngineInfo.State.RUNNING));
    }

    @Test
    void callsOnUndeliverableOnTheSendersOwnTurn() {
        AtomicInteger sends = new AtomicInteger();
        TestSupport.RecordingEngine sender = new TestSupport.RecordingEngine() {
            @Override
            void handle(Envelope m, EngineContext ctx) {
                for (int i = 0; i < 200; i++) {
                    ctx.send(EngineAddress.local("nobody"), "x", i);
                    sends.incrementAndGet();
                }
            }
        };
        host.register("sender", sender, Map.of());
        for (int i = 0; i < 5; i++) {
            host.deliver(message(host, "sender", "go"));
        }
        await("all notices", () -> sender.undeliverable.size() == 1000);
        assertThat(sender.violations).hasValue(0);
    }

    static List<Integer> range(int n) {
        List<Integer> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(i);
        }
        return out;
    }
}
