package io.hypha.runtime.internal;

import static io.hypha.runtime.internal.TestSupport.NODE;
import static io.hypha.runtime.internal.TestSupport.await;
import static io.hypha.runtime.internal.TestSupport.deadLetters;
import static io.hypha.runtime.internal.TestSupport.message;
import static org.assertj.core.api.Assertions.assertThat;

import io.hypha.api.DeliveryException;
import io.hypha.api.DeliveryFailure;
import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.engine.Engine;
import io.hypha.api.engine.EngineContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RequestReplyTest {
    private final TestSupport.ManualClock clock = new TestSupport.ManualClock();
    private final EngineHost host = new EngineHost(TestSupport.settings(), NODE, clock);
    private final TestSupport.RecordingEngine requester = new TestSupport.RecordingEngine();
    private final java.util.concurrent.atomic.AtomicInteger echoed = new java.util.concurrent.atomic.AtomicInteger();

    @BeforeEach
    void engines() {
        host.register("echo", new Engine() {
            @Override
            public void onMessage(Envelope m, EngineContext ctx) {
                if (!"silent".equals(m.payload())) {
                    ctx.reply(m, "echo.reply", m.payload());
                }
                echoed.incrementAndGet();
            }
        }, Map.of());
        host.register("requester", requester, Map.of());
        await("requester started", () -> requester.context.get() != null);
    }

    @AfterEach
    void close() {
        host.close();
    }

    @Test
    void completesARequestWithItsReply() throws Exception {
        Envelope reply = requester.context.get().request(EngineAddress.local("echo"), "echo", "hello", Duration.ofSeconds(5))
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(reply.payload()).isEqualTo("hello");
        assertThat(reply.type()).isEqualTo("echo.reply");
        assertThat(reply.src()).isEqualTo(EngineAddress.of(NODE, "echo"));
        assertThat(reply.dst()).isEqualTo(EngineAddress.of(NODE, "requester"));
        assertThat(requester.payloads).as("the matched reply is not handed to onMessage").isEmpty();
    }

    @Test
    void completesRequestsOnTheRequestersTurn() {
        // The requester is kept busy with messages while requests made from this (foreign) thread complete: every
        // continuation must run on an engine thread, never overlapping the requester's callbacks.
        List<String> continuationThreads = new CopyOnWriteArrayList<>();
        List<Boolean> overlapped = new CopyOnWriteArrayList<>();
        EngineContext ctx = requester.context.get();
        List<CompletableFuture<?>> done = new java.util.ArrayList<>();
        for (int i = 0; i < 200; i++) {
            host.deliver(message(host, "requester", i));
            done.add(ctx.request(EngineAddress.local("echo"), "echo", i, Duration.ofSeconds(10)).thenAccept(r -> {
                requester.enter();
                try {
                    continuationThreads.add(Thread.currentThread().getName());
                } finally {
                    requester.exit();
                }
            }).toCompletableFuture());
            done.add(ctx.request(EngineAddress.local("echo"), "echo", i, Duration.ofSeconds(10))
                    .thenRunAsync(() -> overlapped.add(requester.insideCallback())).toCompletableFuture());
        }
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).join();
        assertThat(continuationThreads).hasSize(200).allMatch(n -> n.startsWith("hypha-engine-"));
        assertThat(overlapped).hasSize(200).containsOnly(false);
        assertThat(requester.violations).hasValue(0);
    }

    @Test
    void failsARequestThatGetsNoReplyWithTimeout() {
        CompletionStage<Envelope> stage = requester.context.get()
                .request(EngineAddress.local("echo"), "echo", "silent", Duration.ofSeconds(3));
        AtomicReference<Throwable> failure = new AtomicReference<>();
        stage.whenComplete((r, t) -> failure.set(t));
        await("request handled (without reply)", () -> echoed.get() == 1);
        clock.advance(Duration.ofSeconds(4));
        await("timeout", () -> failure.get() != null);
        assertThat(failure.get()).isInstanceOfSatisfying(DeliveryException.class,
                e -> assertThat(e.failure()).isEqualTo(DeliveryFailure.TIMEOUT));
        assertThat(deadLetters(host, DeliveryFailure.TIMEOUT)).isEqualTo(1);
    }

    @Test
    void reportsARequestThatExpiredBeforeBeingHandledAsTimeout() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        host.register("busy", (m, ctx) -> release.await(10, TimeUnit.SECONDS), Map.of());
        host.deliver(message(host, "busy", "block"));
        CompletableFuture<Envelope> f = requester.context.get()
                .request(EngineAddress.local("busy"), "x", null, Duration.ofSeconds(1)).toCompletableFuture();
        clock.advance(Duration.ofSeconds(2));
        release.countDown();
        assertThat(causeOf(f)).isInstanceOfSatisfying(DeliveryException.class,
                e -> assertThat(e.failure()).isEqualTo(DeliveryFailure.TIMEOUT));
    }

    @Test
    void doesNotTimeOutBeforeTheDeadline() throws Exception {
        CompletionStage<Envelope> silent = requester.context.get()
                .request(EngineAddress.local("echo"), "echo", "silent", Duration.ofSeconds(3));
        clock.advance(Duration.ofSeconds(2));
        // A later request that is answered proves the timer thread had its chance to fire the first one.
        requester.context.get().request(EngineAddress.local("echo"), "echo", "x", Duration.ofSeconds(3))
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        Thread.sleep(3 * TimerScheduler.MAX_PARK_MILLIS);
        assertThat(silent.toCompletableFuture()).isNotDone();
    }

    @Test
    void failsARequestToAnUnknownEngineWithNoSuchEngine() {
        CompletableFuture<Envelope> f = requester.context.get()
                .request(EngineAddress.local("nobody"), "x", null, Duration.ofSeconds(5)).toCompletableFuture();
        assertThat(causeOf(f)).isInstanceOfSatisfying(DeliveryException.class,
                e -> assertThat(e.failure()).isEqualTo(DeliveryFailure.NO_SUCH_ENGINE));
        assertThat(requester.undeliverable).as("a failed request is not also reported to onUndeliverable").isEmpty();
    }

    @Test
    void failsARequestWhoseHandlerThrowsWithEngineFailed() {
        host.register("broken", (m, ctx) -> {
            throw new IllegalStateException("no");
        }, Map.of());
        CompletableFuture<Envelope> f = requester.context.get()
                .request(EngineAddress.local("broken"), "x", null, Duration.ofSeconds(5)).toCompletableFuture();
        assertThat(causeOf(f)).isInstanceOfSatisfying(DeliveryException.class,
                e -> assertThat(e.failure()).isEqualTo(DeliveryFailure.ENGINE_FAILED));
    }

    @Test
    void handsARepliesThatMatchNoRequestToOnMessage() {
        // A reply to a one-way send: the sender never asked, so it sees the reply as an ordinary message.
        host.deliver(Envelope.builder().src(EngineAddress.of(NODE, "requester")).dst(EngineAddress.local("echo"))
                .id(host.nextMessageId()).type("echo").payload("one-way").build());
        await("reply handled as a message", () -> requester.payloads.contains("one-way"));
    }

    @Test
    void failsPendingRequestsWhenTheRequesterStops() {
        CompletableFuture<Envelope> f = requester.context.get()
                .request(EngineAddress.local("echo"), "echo", "silent", Duration.ofSeconds(30)).toCompletableFuture();
        host.unregister("requester", requester);
        assertThat(causeOf(f)).isInstanceOfSatisfying(DeliveryException.class,
                e -> assertThat(e.failure()).isEqualTo(DeliveryFailure.ENGINE_STOPPED));
        CompletableFuture<Envelope> late = requester.context.get()
                .request(EngineAddress.local("echo"), "echo", "x", Duration.ofSeconds(30)).toCompletableFuture();
        assertThat(causeOf(late)).isInstanceOfSatisfying(DeliveryException.class,
                e -> assertThat(e.failure()).isEqualTo(DeliveryFailure.ENGINE_STOPPED));
    }

    @Test
    void repliesExpireWithTheirRequest() {
        Envelope request = Envelope.builder().src(EngineAddress.of(NODE, "requester")).dst(EngineAddress.local("x"))
                .id(42).expiresAt(clock.millis() + 1234).type("t").build();
        AtomicReference<Envelope> sent = new AtomicReference<>();
        host.setRouter(new io.hypha.api.router.Router() {
            public io.hypha.api.NodeId localNode() {
                return NODE;
            }

            public long nextMessageId() {
                return host.nextMessageId();
            }

            public void route(Envelope e) {
                sent.set(e);
            }
        });
        requester.context.get().reply(request, "r", "p");
        assertThat(sent.get().inReplyTo()).isEqualTo(42);
        assertThat(sent.get().expiresAt()).isEqualTo(request.expiresAt());
        assertThat(sent.get().dst()).isEqualTo(request.src());
        requester.context.get().reply(Envelope.builder().dst(EngineAddress.local("x")).type("t").build(), "r", "p");
        assertThat(sent.get().inReplyTo()).as("a message without sender gets no reply").isEqualTo(42);
    }

    @Test
    void completesARequestMadeOutsideTheEngineWhileTheEngineIsBusyButRunsItsContinuationOnTheTurn() throws Exception {
        // The requester is stuck in a callback. The reply to a request made from this thread need not wait for it:
        // the delivering thread completes the stage, while a continuation still waits for the requester's turn.
        CountDownLatch inCallback = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        TestSupport.RecordingEngine busy = new TestSupport.RecordingEngine() {
            @Override
            void handle(Envelope m, EngineContext ctx) throws InterruptedException {
                inCallback.countDown();
                release.await(10, TimeUnit.SECONDS);
            }
        };
        host.register("busy", busy, Map.of());
        await("busy started", () -> busy.context.get() != null);
        host.deliver(message(host, "busy", "block"));
        assertThat(inCallback.await(10, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Envelope> reply = busy.context.get()
                .request(EngineAddress.local("echo"), "echo", "hi", Duration.ofSeconds(30)).toCompletableFuture();
        AtomicReference<Boolean> continuationOnTurn = new AtomicReference<>();
        CompletableFuture<Void> continuation = reply.thenAccept(r -> continuationOnTurn.set(
                host.mailbox("busy").runner == Thread.currentThread() && !busy.insideCallback()));
        assertThat(reply.get(10, TimeUnit.SECONDS).payload()).isEqualTo("hi");
        assertThat(busy.insideCallback()).as("the engine is still in its callback").isTrue();
        assertThat(continuation).as("the continuation waits for the engine's turn").isNotDone();

        release.countDown();
        continuation.get(10, TimeUnit.SECONDS);
        assertThat(continuationOnTurn.get()).isTrue();
        assertThat(busy.violations).hasValue(0);
        assertThat(busy.payloads).containsExactly("block");
    }

    @Test
    void runsAReplysContinuationAfterTheMessagesTheReplierSentBeforeIt() throws Exception {
        // The replier sends a message, then the reply; the requester is busy, so the message waits in its mailbox.
        // The continuation of the request (made from this thread) must not overtake that message.
        CountDownLatch inCallback = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> order = new CopyOnWriteArrayList<>();
        TestSupport.RecordingEngine busy = new TestSupport.RecordingEngine() {
            @Override
            void handle(Envelope m, EngineContext ctx) throws InterruptedException {
                if ("block".equals(m.payload())) {
                    inCallback.countDown();
                    release.await(10, TimeUnit.SECONDS);
                }
                order.add("message " + m.payload());
            }
        };
        host.register("busy", busy, Map.of());
        host.register("chatty", (m, ctx) -> {
            ctx.send(m.src(), "note", "before the reply");
            ctx.reply(m, "answer", "reply");
        }, Map.of());
        await("busy started", () -> busy.context.get() != null);
        host.deliver(message(host, "busy", "block"));
        assertThat(inCallback.await(10, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Void> done = busy.context.get()
                .request(EngineAddress.local("chatty"), "ask", null, Duration.ofSeconds(30))
                .thenAccept(r -> order.add("continuation " + r.payload())).toCompletableFuture();
        await("the note is queued", () -> host.mailbox("busy").messages.size() == 2);
        release.countDown();
        done.get(10, TimeUnit.SECONDS);
        assertThat(order).containsExactly("message block", "message before the reply", "continuation reply");
        assertThat(busy.violations).hasValue(0);
    }

    @Test
    void keepsCompletionOnTheTurnOnceTheEngineAttachedAContinuationThere() throws Exception {
        // A stage made outside the engine and handed to it: the continuation the engine attaches on its turn runs
        // synchronously when the turn takes the reply, never on the thread that delivers the reply.
        List<Envelope> held = new CopyOnWriteArrayList<>();
        host.register("later", (m, ctx) -> {
            if ("go".equals(m.payload())) {
                held.forEach(r -> ctx.reply(r, "answer", "late"));
            } else {
                held.add(m);
            }
        }, Map.of());
        List<Boolean> ranOnTurn = new CopyOnWriteArrayList<>();
        TestSupport.RecordingEngine holder = new TestSupport.RecordingEngine() {
            @Override
            @SuppressWarnings("unchecked")
            void handle(Envelope m, EngineContext ctx) {
                if (m.payload() instanceof CompletionStage<?> stage) {
                    ((CompletionStage<Envelope>) stage).thenAccept(r ->
                            ranOnTurn.add(host.mailbox("holder").runner == Thread.currentThread()));
                }
            }
        };
        host.register("holder", holder, Map.of());
        await("holder started", () -> holder.context.get() != null);
        CompletionStage<Envelope> stage = holder.context.get()
                .request(EngineAddress.local("later"), "ask", null, Duration.ofSeconds(30));
        await("request held", () -> held.size() == 1);
        host.deliver(message(host, "holder", stage));
        await("continuation attached", () -> holder.payloads.size() == 1);
        host.deliver(message(host, "later", "go"));
        await("continuation ran", () -> ranOnTurn.size() == 1);
        assertThat(ranOnTurn).containsExactly(true);
        assertThat(stage.toCompletableFuture().get(10, TimeUnit.SECONDS).payload()).isEqualTo("late");
    }

    @Test
    void timesOutEachRequestAtItsOwnDeadlineWhateverTheOrderTheyWereMadeIn() {
        EngineContext ctx = requester.context.get();
        CompletableFuture<Envelope> five = ctx.request(EngineAddress.local("echo"), "echo", "silent", Duration.ofSeconds(5))
                .toCompletableFuture();
        CompletableFuture<Envelope> one = ctx.request(EngineAddress.local("echo"), "echo", "silent", Duration.ofSeconds(1))
                .toCompletableFuture();
        CompletableFuture<Envelope> three = ctx.request(EngineAddress.local("echo"), "echo", "silent", Duration.ofSeconds(3))
                .toCompletableFuture();
        await("requests handled (without reply)", () -> echoed.get() == 3);

        clock.advance(Duration.ofMillis(1500));
        assertThat(causeOf(one)).isInstanceOfSatisfying(DeliveryException.class,
                e -> assertThat(e.failure()).isEqualTo(DeliveryFailure.TIMEOUT));
        assertThat(three).isNotDone();
        assertThat(five).isNotDone();

        clock.advance(Duration.ofSeconds(2));
        assertThat(causeOf(three)).isInstanceOfSatisfying(DeliveryException.class,
                e -> assertThat(e.failure()).isEqualTo(DeliveryFailure.TIMEOUT));
        assertThat(five).isNotDone();

        clock.advance(Duration.ofSeconds(2));
        assertThat(causeOf(five)).isInstanceOfSatisfying(DeliveryException.class,
                e -> assertThat(e.failure()).isEqualTo(DeliveryFailure.TIMEOUT));
        assertThat(deadLetters(host, DeliveryFailure.TIMEOUT)).isEqualTo(3);
    }

    @Test
    void timesOutOnlyTheRequestsLeftUnansweredAmongMany() throws Exception {
        EngineContext ctx = requester.context.get();
        List<CompletableFuture<Envelope>> answered = new java.util.ArrayList<>();
        List<CompletableFuture<Envelope>> silent = new java.util.ArrayList<>();
        for (int i = 0; i < 500; i++) {
            answered.add(ctx.request(EngineAddress.local("echo"), "echo", i, Duration.ofSeconds(2)).toCompletableFuture());
            if (i % 50 == 0) {
                silent.add(ctx.request(EngineAddress.local("echo"), "echo", "silent", Duration.ofSeconds(2)).toCompletableFuture());
            }
        }
        CompletableFuture.allOf(answered.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        assertThat(silent).noneMatch(CompletableFuture::isDone);
        clock.advance(Duration.ofSeconds(3));
        for (CompletableFuture<Envelope> f : silent) {
            assertThat(causeOf(f)).isInstanceOfSatisfying(DeliveryException.class,
                    e -> assertThat(e.failure()).isEqualTo(DeliveryFailure.TIMEOUT));
        }
        assertThat(deadLetters(host, DeliveryFailure.TIMEOUT)).isEqualTo(silent.size());
    }

    private static Throwable causeOf(CompletableFuture<?> f) {
        try {
            f.get(10, TimeUnit.SECONDS);
            throw new AssertionError("expected the stage to fail");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
