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
