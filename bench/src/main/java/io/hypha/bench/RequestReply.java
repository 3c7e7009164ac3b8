package io.hypha.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Workload 3: request/reply latency with one request in flight, in microseconds (mean and percentiles).
 *
 * <p>The benchmark thread sends a request to an echo receiver and blocks until the reply completes the
 * request's future: Hypha's {@code EngineContext.request(...).toCompletableFuture().get()} against Pekko's
 * {@code Patterns.ask(...).toCompletableFuture().get()}.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Threads(1)
@State(Scope.Benchmark)
public class RequestReply {
    private static final Token TOKEN = new Token(0);

    /** Which runtime: {@code hypha} or {@code pekko}. */
    @Param({ActorRuntime.HYPHA, ActorRuntime.PEKKO})
    public String impl;

    private ActorRuntime runtime;
    private ActorRuntime.Requester echo;

    /** Starts the runtime and the echo receiver. */
    @Setup(Level.Trial)
    public void start() {
        runtime = ActorRuntime.create(impl);
        echo = runtime.echo();
    }

    /** Stops the runtime; fails the trial if any message was refused or dead-lettered. */
    @TearDown(Level.Trial)
    public void stop() {
        long failures = runtime.failures();
        runtime.close();
        if (failures != 0) {
            throw new IllegalStateException(impl + " refused or dead-lettered " + failures + " messages");
        }
    }

    /**
     * One round trip.
     *
     * @return the reply's payload (consumed by JMH)
     * @throws Exception if the request failed
     */
    @Benchmark
    public Object roundTrip() throws Exception {
        return echo.ask(TOKEN);
    }
}
