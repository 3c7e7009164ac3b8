package io.hypha.runtime.internal;

import static io.hypha.runtime.internal.TestSupport.NODE;
import static io.hypha.runtime.internal.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.hypha.api.engine.EngineContext;
import io.hypha.api.engine.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TimerTest {
    private final TestSupport.ManualClock clock = new TestSupport.ManualClock();
    private final EngineHost host = new EngineHost(TestSupport.settings(), NODE, clock);
    private final TestSupport.RecordingEngine engine = new TestSupport.RecordingEngine();
    private EngineContext ctx;

    @BeforeEach
    void start() {
        host.register("timed", engine, Map.of());
        await("started", () -> engine.context.get() != null);
        ctx = engine.context.get();
    }

    @AfterEach
    void close() {
        host.close();
    }

    @Test
    void firesAOneShotTimerOnTheEnginesTurnAfterItsDelay() {
        List<String> fired = new CopyOnWriteArrayList<>();
        Timer timer = ctx.schedule(Duration.ofSeconds(5), () -> {
            engine.enter();
            try {
                fired.add(Thread.currentThread().getName());
            } finally {
                engine.exit();
            }
        });
        clock.advance(Duration.ofSeconds(4));
        assertThat(timer.isDone()).isFalse();
        clock.advance(Duration.ofSeconds(1));
        await("fired", () -> fired.size() == 1);
        assertThat(fired.get(0)).startsWith("hypha-engine-");
        assertThat(timer.isDone()).isTrue();
        assertThat(timer.cancel()).isFalse();
        assertThat(engine.violations).hasValue(0);
    }

    @Test
    void neverRunsACancelledTimer() {
        List<String> fired = new CopyOnWriteArrayList<>();
        Timer cancelled = ctx.schedule(Duration.ofSeconds(1), () -> fired.add("cancelled"));
        ctx.schedule(Duration.ofSeconds(2), () -> fired.add("later"));
        assertThat(cancelled.cancel()).isTrue();
        assertThat(cancelled.cancel()).isFalse();
        assertThat(cancelled.isDone()).isTrue();
        clock.advance(Duration.ofSeconds(3));
        // Timers fire in deadline order, so once the later one ran the cancelled one had its chance.
        await("later fired", () -> fired.contains("later"));
        assertThat(fired).containsExactly("later");
    }

    @Test
    void firesAFixedRateTimerUntilCancelled() {
        AtomicInteger runs = new AtomicInteger();
        Timer periodic = ctx.scheduleAtFixedRate(Duration.ofSeconds(1), runs::incrementAndGet);
        for (int i = 1; i <= 3; i++) {
            clock.advance(Duration.ofSeconds(1));
            int expected = i;
            await("run " + i, () -> runs.get() == expected);
        }
        assertThat(periodic.isDone()).isFalse();
        assertThat(periodic.cancel()).isTrue();
        List<String> fired = new CopyOnWriteArrayList<>();
        ctx.schedule(Duration.ofMillis(2500), () -> fired.add("marker"));
        clock.advance(Duration.ofSeconds(3));
        await("marker", () -> fired.size() == 1);
        assertThat(runs).hasValue(3);
    }

    @Test
    void cancelsTimersWhenTheEngineStops() {
        AtomicInteger runs = new AtomicInteger();
        ctx.schedule(Duration.ofSeconds(1), runs::incrementAndGet);
        ctx.scheduleAtFixedRate(Duration.ofSeconds(1), runs::incrementAndGet);
        host.unregister("timed", engine);
        assertThat(engine.events).containsExactly("start", "stop");
        TestSupport.RecordingEngine other = new TestSupport.RecordingEngine();
        host.register("other", other, Map.of());
        await("other started", () -> other.context.get() != null);
        List<String> fired = new CopyOnWriteArrayList<>();
        other.context.get().schedule(Duration.ofSeconds(2), () -> fired.add("marker"));
        clock.advance(Duration.ofSeconds(3));
        await("marker", () -> fired.size() == 1);
        assertThat(runs).hasValue(0);
        assertThat(ctx.schedule(Duration.ZERO, runs::incrementAndGet).isDone()).as("a stopped engine's timers never arm").isTrue();
    }

    @Test
    void keepsFiringWhenAnActionThrows() {
        AtomicInteger runs = new AtomicInteger();
        ctx.scheduleAtFixedRate(Duration.ofSeconds(1), () -> {
            runs.incrementAndGet();
            throw new IllegalStateException("timer action failure");
        });
        clock.advance(Duration.ofSeconds(1));
        await("first run", () -> runs.get() == 1);
        clock.advance(Duration.ofSeconds(1));
        await("second run", () -> runs.get() == 2);
    }
}
