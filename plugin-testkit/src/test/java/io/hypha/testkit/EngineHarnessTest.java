package io.hypha.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hypha.api.DeliveryException;
import io.hypha.api.DeliveryFailure;
import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import io.hypha.api.engine.Timer;
import io.hypha.testkit.EngineFailure.Callback;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class EngineHarnessTest {
    private static final EngineAddress CLIENT = EngineAddress.local("client");
    private static final EngineAddress DB = EngineAddress.local("db");
    private static final Instant T0 = ManualClock.DEFAULT_START;

    private final ScriptedEngine engine = new ScriptedEngine();

    // ------------------------------------------------------------------------------------------ start and messages

    @Test
    void startsTheEngineOnTheGivenNodeAndClock() {
        NodeId node = NodeId.of(new byte[32]);
        ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));

        EngineHarness harness = EngineHarness.builder("under-test", engine).node(node).clock(clock).start();

        assertThat(engine.events).containsExactly("start");
        assertThat(engine.startedWith).isSameAs(harness.context());
        assertThat(harness.context().self()).isEqualTo(EngineAddress.of(node, "under-test")).isEqualTo(harness.self());
        assertThat(harness.context().node()).isEqualTo(node);
        assertThat(harness.context().clock().instant()).isEqualTo(clock.instant());
        assertThat(harness.context().log().getName()).contains("under-test");
    }

    @Test
    void givesEachHarnessARandomNodeWhenNoneIsSet() {
        assertThat(EngineHarness.start("a", engine).node()).isNotEqualTo(EngineHarness.start("a", new ScriptedEngine()).node());
    }

    @Test
    void deliversSynchronouslyAndRecordsTheReply() {
        engine.on("ping", (m, ctx) -> ctx.reply(m, "pong", m.payload()));
        EngineHarness harness = EngineHarness.start("e", engine);

        Envelope ping = harness.deliver(CLIENT, "ping", "hello");

        Envelope pong = harness.nextSent();
        assertThat(pong.type()).isEqualTo("pong");
        assertThat(pong.payload()).isEqualTo("hello");
        assertThat(pong.src()).isEqualTo(harness.self());
        assertThat(pong.dst()).isEqualTo(CLIENT);
        assertThat(pong.inReplyTo()).isEqualTo(ping.id());
        assertThat(pong.id()).isNotEqualTo(ping.id()).isNotEqualTo(Envelope.NO_REQUEST);
        harness.assertNothingSent();
    }

    @Test
    void completesATestRequestWithTheEnginesReply() {
        engine.on("ping", (m, ctx) -> ctx.reply(m, "pong", 42));
        EngineHarness harness = EngineHarness.start("e", engine);

        CompletableFuture<Envelope> reply = harness.request(CLIENT, "ping", null);

        assertThat(reply).isCompleted();
        assertThat(reply.join().payload()).isEqualTo(42);
        assertThat(harness.sentOfType("pong")).containsExactly(reply.join());
    }

    @Test
    void recordsEverythingTheEngineSendsInOrder() {
        engine.on("go", (m, ctx) -> {
            ctx.send(DB, "one", 1);
            ctx.send(DB, "two", 2, Duration.ofSeconds(3));
            ctx.request(DB, "three", 3, Duration.ofSeconds(5));
        });
        EngineHarness harness = EngineHarness.start("e", engine);

        harness.deliver(null, "go", null);

        assertThat(harness.sent()).extracting(Envelope::type).containsExactly("one", "two", "three");
        assertThat(harness.sent()).allSatisfy(e -> assertThat(e.src()).isEqualTo(harness.self()));
        assertThat(harness.sentOfType("one").get(0).expiresAt()).isEqualTo(Envelope.NEVER);
        assertThat(harness.sentOfType("two").get(0).expiresAt()).isEqualTo(T0.plusSeconds(3).toEpochMilli());
        assertThat(harness.sentOfType("three").get(0).expiresAt()).isEqualTo(T0.plusSeconds(5).toEpochMilli());
        assertThat(harness.pendingRequests()).extracting(Envelope::type).containsExactly("three");

        assertThat(harness.takeSent()).hasSize(3);
        assertThat(harness.sent()).isEmpty();
        assertThatThrownBy(harness::nextSent).isInstanceOf(AssertionError.class).hasMessageContaining("sent nothing more");
    }

    @Test
    void failsAssertNothingSentWithTheMessages() {
        engine.on("go", (m, ctx) -> ctx.send(DB, "surprise", null));
        EngineHarness harness = EngineHarness.start("e", engine);

        harness.deliver(null, "go", null);

        assertThatThrownBy(harness::assertNothingSent).isInstanceOf(AssertionError.class).hasMessageContaining("surprise");
    }

    @Test
    void ignoresAReplyToAMessageWithoutSender() {
        engine.on("ping", (m, ctx) -> ctx.reply(m, "pong", null));
        EngineHarness harness = EngineHarness.start("e", engine);

        harness.deliver(null, "ping", null);

        harness.assertNothingSent();
    }

    // ------------------------------------------------------------------------------------------ the engine's requests

    /** On "ask", asks the db and replies to the asker with the db's answer, or with the failure's reason. */
    private ScriptedEngine askingEngine(Duration timeout, List<String> log) {
        return engine.on("ask", (m, ctx) -> ctx.request(DB, "get", m.payload(), timeout).whenComplete((reply, error) -> {
            if (error != null) {
                log.add("failed " + ((DeliveryException) error).failure() + " at " + ctx.clock().instant());
                ctx.reply(m, "answer.failed", ((DeliveryException) error).failure());
            } else {
                log.add("got " + reply.payload() + " on " + Thread.currentThread().getName());
                ctx.reply(m, "answer", reply.payload());
            }
        }));
    }

    @Test
    void completesTheEnginesStageOnTheTestThreadWhenTheTestReplies() {
        List<String> log = new ArrayList<>();
        EngineHarness harness = EngineHarness.start("e", askingEngine(Duration.ofSeconds(5), log));

        CompletableFuture<Envelope> answer = harness.request(CLIENT, "ask", "key");
        Envelope get = harness.nextSent();
        assertThat(get.type()).isEqualTo("get");
        assertThat(answer).isNotDone();

        Envelope dbReply = harness.reply(get, "value", "v1");

        assertThat(dbReply.inReplyTo()).isEqualTo(get.id());
        assertThat(log).containsExactly("got v1 on " + Thread.currentThread().getName());
        assertThat(answer.join().payload()).isEqualTo("v1");
        assertThat(harness.pendingRequests()).isEmpty();
    }

    @Test
    void completesTheStageWhenAReplyEnvelopeIsDelivered() {
        List<String> log = new ArrayList<>();
        EngineHarness harness = EngineHarness.start("e", askingEngine(Duration.ofSeconds(5), log));
        harness.deliver(CLIENT, "ask", "key");
        Envelope get = harness.nextSent();

        harness.deliver(Envelope.builder().src(DB).dst(harness.self()).id(999).inReplyTo(get.id()).type("value").payload("v2").build());

        assertThat(log).containsExactly("got v2 on " + Thread.currentThread().getName());
        assertThat(engine.events).doesNotContain("unhandled value");
    }

    @Test
    void timesOutARequestWhenTheClockPassesItsTimeout() {
        List<String> log = new ArrayList<>();
        EngineHarness harness = EngineHarness.start("e", askingEngine(Duration.ofSeconds(5), log));
        CompletableFuture<Envelope> answer = harness.request(CLIENT, "ask", "key");
        Envelope get = harness.nextSent();

        assertThat(harness.advance(Duration.ofMillis(4999))).isZero();
        assertThat(log).isEmpty();
        assertThat(harness.advance(Duration.ofMillis(10))).isEqualTo(1);

        assertThat(log).containsExactly("failed TIMEOUT at " + T0.plusSeconds(5));
        assertThat(answer.join().payload()).isEqualTo(DeliveryFailure.TIMEOUT);
        assertThat(harness.clock().instant()).isEqualTo(T0.plusMillis(5009));
        assertThat(harness.pendingRequests()).isEmpty();
        assertThatThrownBy(() -> harness.reply(get, "value", "late"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("not pending");
    }

    @Test
    void doesNotTimeOutARequestThatWasAnswered() {
        List<String> log = new ArrayList<>();
        EngineHarness harness = EngineHarness.start("e", askingEngine(Duration.ofSeconds(5), log));
        harness.deliver(CLIENT, "ask", "key");
        harness.reply(harness.nextSent(), "value", "v");

        assertThat(harness.advance(Duration.ofMinutes(1))).isZero();
        assertThat(log).hasSize(1);
    }

    @Test
    void failsARequestWithTheFailureTheTestChooses() {
        List<String> log = new ArrayList<>();
        EngineHarness harness = EngineHarness.start("e", askingEngine(Duration.ofSeconds(5), log));
        harness.deliver(CLIENT, "ask", "key");

        harness.fail(harness.nextSent(), DeliveryFailure.NO_SUCH_ENGINE);

        assertThat(log).containsExactly("failed NO_SUCH_ENGINE at " + T0);
        assertThat(harness.pendingRequests()).isEmpty();
    }

    @Test
    void runsAsyncContinuationsOnTheSameTurn() {
        List<String> log = new ArrayList<>();
        AtomicReference<CompletionStage<Void>> stage = new AtomicReference<>();
        engine.on("ask", (m, ctx) -> stage.set(ctx.request(DB, "get", null, Duration.ofSeconds(1))
                .thenApplyAsync(r -> r.payload() + "!")
                .thenAcceptAsync(s -> log.add(s + " on " + Thread.currentThread().getName()))));
        EngineHarness harness = EngineHarness.start("e", engine);
        harness.deliver(CLIENT, "ask", null);

        harness.reply(harness.nextSent(), "value", "v");

        assertThat(log).containsExactly("v! on " + Thread.currentThread().getName());
        assertThat(stage.get().toCompletableFuture()).isCompleted();
    }

    @Test
    void refusesToAnswerARequestTheEngineNeverMade() {
        EngineHarness harness = EngineHarness.start("e", engine);
        Envelope stranger = Envelope.builder().src(harness.self()).dst(DB).id(77).type("x").build();

        assertThatThrownBy(() -> harness.reply(stranger, "y", null))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("never sent");
        assertThatThrownBy(() -> harness.undeliverable(stranger, DeliveryFailure.NO_ROUTE))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ------------------------------------------------------------------------------------------ timers

    @Test
    void firesTimersInDueOrderWithTheClockAtEachDueTime() {
        List<String> fired = new ArrayList<>();
        engine.on("arm", (m, ctx) -> {
            ctx.schedule(Duration.ofSeconds(3), () -> fired.add("c@" + ctx.clock().instant()));
            ctx.schedule(Duration.ofSeconds(1), () -> fired.add("a@" + ctx.clock().instant()));
            ctx.schedule(Duration.ofSeconds(2), () -> fired.add("b@" + ctx.clock().instant()));
            ctx.schedule(Duration.ofSeconds(1), () -> fired.add("a2@" + ctx.clock().instant()));
        });
        EngineHarness harness = EngineHarness.start("e", engine);
        harness.deliver(null, "arm", null);

        assertThat(harness.activeTimers()).isEqualTo(4);
        assertThat(harness.advance(Duration.ofSeconds(5))).isEqualTo(4);

        assertThat(fired).containsExactly("a@" + T0.plusSeconds(1), "a2@" + T0.plusSeconds(1),
                "b@" + T0.plusSeconds(2), "c@" + T0.plusSeconds(3));
        assertThat(harness.clock().instant()).isEqualTo(T0.plusSeconds(5));
        assertThat(harness.activeTimers()).isZero();
    }

    @Test
    void firesNothingBeforeItIsDueAndNothingOnItsOwn() {
        List<String> fired = new ArrayList<>();
        engine.on("arm", (m, ctx) -> {
            ctx.schedule(Duration.ZERO, () -> fired.add("now"));
            ctx.schedule(Duration.ofSeconds(10), () -> fired.add("later"));
        });
        EngineHarness harness = EngineHarness.start("e", engine);
        harness.deliver(null, "arm", null);
        assertThat(fired).isEmpty();

        harness.runDue();
        assertThat(fired).containsExactly("now");

        harness.advance(Duration.ofMillis(9999));
        assertThat(fired).containsExactly("now");

        harness.clock().advance(Duration.ofMillis(1));
        assertThat(fired).containsExactly("now");
        harness.runDue();
        assertThat(fired).containsExactly("now", "later");
    }

    @Test
    void interleavesTimersAndRequestTimeoutsByTime() {
        List<String> log = new ArrayList<>();
        askingEngine(Duration.ofSeconds(2), log).on("arm", (m, ctx) -> {
            ctx.schedule(Duration.ofSeconds(1), () -> log.add("timer 1s"));
            ctx.schedule(Duration.ofSeconds(3), () -> log.add("timer 3s"));
        });
        EngineHarness harness = EngineHarness.start("e", engine);
        harness.deliver(null, "arm", null);
        harness.deliver(CLIENT, "ask", null);

        harness.advance(Duration.ofSeconds(4));

        assertThat(log).containsExactly("timer 1s", "failed TIMEOUT at " + T0.plusSeconds(2), "timer 3s");
    }

    @Test
    void firesAPeriodicTimerOncePerPeriodUntilCancelled() {
        List<Instant> ticks = new ArrayList<>();
        AtomicReference<Timer> timer = new AtomicReference<>();
        engine.on("arm", (m, ctx) -> timer.set(ctx.scheduleAtFixedRate(Duration.ofSeconds(10), () -> ticks.add(ctx.clock().instant()))));
        EngineHarness harness = EngineHarness.start("e", engine);
        harness.deliver(null, "arm", null);

        assertThat(harness.advance(Duration.ofSeconds(35))).isEqualTo(3);
        assertThat(ticks).containsExactly(T0.plusSeconds(10), T0.plusSeconds(20), T0.plusSeconds(30));
        assertThat(timer.get().isDone()).isFalse();

        assertThat(timer.get().cancel()).isTrue();
        assertThat(harness.advance(Duration.ofMinutes(5))).isZero();
        assertThat(ticks).hasSize(3);
        assertThat(timer.get().isDone()).isTrue();
        assertThat(timer.get().cancel()).isFalse();
    }

    @Test
    void letsAPeriodicTimerCancelItselfFromItsAction() {
        List<Integer> ticks = new ArrayList<>();
        AtomicReference<Timer> timer = new AtomicReference<>();
        engine.on("arm", (m, ctx) -> timer.set(ctx.scheduleAtFixedRate(Duration.ofSeconds(1), () -> {
            ticks.add(ticks.size());
            if (ticks.size() == 2) {
                timer.get().cancel();
            }
        })));
        EngineHarness harness = EngineHarness.start("e", engine);
        harness.deliver(null, "arm", null);

        harness.advance(Duration.ofSeconds(10));

        assertThat(ticks).containsExactly(0, 1);
        assertThat(harness.activeTimers()).isZero();
    }

    @Test
    void neverFiresACancelledTimerAndReportsAFiredOneAsDone() {
        List<String> fired = new ArrayList<>();
        List<Timer> timers = new ArrayList<>();
        engine.on("arm", (m, ctx) -> {
            timers.add(ctx.schedule(Duration.ofSeconds(1), () -> fired.add("kept")));
            timers.add(ctx.schedule(Duration.ofSeconds(1), () -> fired.add("cancelled")));
        });
        EngineHarness harness = EngineHarness.start("e", engine);
        harness.deliver(null, "arm", null);

        assertThat(timers.get(1).cancel()).isTrue();
        assertThat(timers.get(1).cancel()).isFalse();
        harness.advance(Duration.ofSeconds(2));

        assertThat(fired).containsExactly("kept");
        assertThat(timers.get(0).isDone()).isTrue();
        assertThat(timers.get(0).cancel()).isFalse();
    }

    @Test
    void firesTimersSetByTimerActionsWithinTheSameAdvance() {
        List<Instant> fired = new ArrayList<>();
        engine.on("arm", (m, ctx) -> ctx.schedule(Duration.ofSeconds(1), () -> {
            fired.add(ctx.clock().instant());
            ctx.schedule(Duration.ofSeconds(1), () -> fired.add(ctx.clock().instant()));
        }));
        EngineHarness harness = EngineHarness.start("e", engine);
        harness.deliver(null, "arm", null);

        assertThat(harness.advance(Duration.ofSeconds(2))).isEqualTo(2);
        assertThat(fired).containsExactly(T0.plusSeconds(1), T0.plusSeconds(2));
    }

    @Test
    void refusesNegativeTimeAndNonPositivePeriods() {
        EngineHarness harness = EngineHarness.start("e", engine);

        assertThatThrownBy(() -> harness.advance(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> harness.context().scheduleAtFixedRate(Duration.ZERO, () -> { }))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> harness.context().request(DB, "x", null, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ------------------------------------------------------------------------------------------ failures

    @Test
    void capturesAnExceptionFromOnMessageAndGoesOn() {
        engine.on("boom", (m, ctx) -> {
            throw new java.io.IOException("disk on fire");
        });
        engine.on("ping", (m, ctx) -> ctx.reply(m, "pong", null));
        EngineHarness harness = EngineHarness.start("e", engine);

        Envelope boom = harness.deliver(CLIENT, "boom", null);
        harness.deliver(CLIENT, "ping", null);

        assertThat(harness.nextSent().type()).isEqualTo("pong");
        assertThat(harness.failures()).singleElement().satisfies(f -> {
            assertThat(f.callback()).isEqualTo(Callback.ON_MESSAGE);
            assertThat(f.message()).isSameAs(boom);
            assertThat(f.deadLetter().failure()).isEqualTo(DeliveryFailure.ENGINE_FAILED);
            assertThat(f.deadLetter().envelope()).isSameAs(boom);
        });
        assertThatThrownBy(harness::assertNoFailures)
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("disk on fire")
                .hasCauseInstanceOf(java.io.IOException.class);
    }

    @Test
    void failsATestRequestWithEngineFailedWhenTheEngineThrows() {
        engine.on("boom", (m, ctx) -> {
            throw new IllegalStateException("no");
        });
        EngineHarness harness = EngineHarness.start("e", engine);

        CompletableFuture<Envelope> reply = harness.request(CLIENT, "boom", null);

        assertThatThrownBy(reply::join).isInstanceOf(CompletionException.class)
                .cause().isInstanceOfSatisfying(DeliveryException.class,
                        e -> assertThat(e.failure()).isEqualTo(DeliveryFailure.ENGINE_FAILED));
    }

    @Test
    void capturesAnExceptionFromATimerAction() {
        engine.on("arm", (m, ctx) -> ctx.schedule(Duration.ofSeconds(1), () -> {
            throw new IllegalStateException("tick failed");
        }));
        EngineHarness harness = EngineHarness.start("e", engine);
        harness.deliver(null, "arm", null);

        harness.advance(Duration.ofSeconds(1));

        assertThat(harness.failures()).singleElement().satisfies(f -> {
            assertThat(f.callback()).isEqualTo(Callback.TIMER);
            assertThat(f.message()).isNull();
            assertThat(f.at()).isEqualTo(T0.plusSeconds(1));
            assertThatThrownBy(f::deadLetter).isInstanceOf(IllegalStateException.class);
        });
    }

    @Test
    void refusesToBeDrivenFromInsideAnEngineCallback() {
        AtomicReference<EngineHarness> self = new AtomicReference<>();
        engine.on("reenter", (m, ctx) -> self.get().advance(Duration.ofSeconds(1)));
        EngineHarness harness = EngineHarness.start("e", engine);
        self.set(harness);

        harness.deliver(null, "reenter", null);

        assertThat(harness.failures()).singleElement()
                .satisfies(f -> assertThat(f.cause()).isInstanceOf(IllegalStateException.class).hasMessageContaining("inside a callback"));
        assertThat(harness.clock().instant()).isEqualTo(T0);
    }

    @Test
    void reportsADeadLetterToTheSenderThroughOnUndeliverable() {
        engine.on("go", (m, ctx) -> ctx.send(DB, "note", "n", Duration.ofSeconds(1)));
        EngineHarness harness = EngineHarness.start("e", engine);
        harness.deliver(null, "go", null);
        Envelope note = harness.nextSent();

        harness.undeliverable(note, DeliveryFailure.EXPIRED);

        assertThat(engine.undeliverable).singleElement().satisfies(letter -> {
            assertThat(letter.envelope()).isSameAs(note);
            assertThat(letter.failure()).isEqualTo(DeliveryFailure.EXPIRED);
            assertThat(letter.at()).isEqualTo(T0);
        });
    }

    @Test
    void failsTheStageInsteadOfCallingOnUndeliverableForARequest() {
        List<String> log = new ArrayList<>();
        EngineHarness harness = EngineHarness.start("e", askingEngine(Duration.ofSeconds(5), log));
        harness.deliver(CLIENT, "ask", null);

        harness.undeliverable(harness.nextSent(), DeliveryFailure.MAILBOX_FULL);

        assertThat(log).containsExactly("failed MAILBOX_FULL at " + T0);
        assertThat(engine.undeliverable).isEmpty();
    }

    // ------------------------------------------------------------------------------------------ stop

    @Test
    void stopsTheEngineCancellingItsTimersAndRefusingFurtherWork() {
        List<String> fired = new ArrayList<>();
        AtomicReference<Timer> timer = new AtomicReference<>();
        engine.on("arm", (m, ctx) -> timer.set(ctx.scheduleAtFixedRate(Duration.ofSeconds(1), () -> fired.add("tick"))));
        engine.on("hold", (m, ctx) -> { });
        EngineHarness harness = EngineHarness.start("e", engine);
        harness.deliver(null, "arm", null);
        CompletableFuture<Envelope> unanswered = harness.request(CLIENT, "hold", null);

        harness.stop();

        assertThat(engine.events).containsExactly("start", "stop");
        assertThat(harness.isStopped()).isTrue();
        assertThat(timer.get().isDone()).isTrue();
        assertThat(harness.activeTimers()).isZero();
        assertThat(harness.advance(Duration.ofSeconds(10))).isZero();
        assertThat(fired).isEmpty();
        assertThat(unanswered).isCompletedExceptionally();
        assertThatThrownBy(unanswered::join).cause().isInstanceOfSatisfying(DeliveryException.class,
                e -> assertThat(e.failure()).isEqualTo(DeliveryFailure.ENGINE_STOPPED));
        assertThatThrownBy(() -> harness.deliver(null, "arm", null)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> harness.context().send(DB, "late", null)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(harness::stop).isInstanceOf(IllegalStateException.class);
    }
}
