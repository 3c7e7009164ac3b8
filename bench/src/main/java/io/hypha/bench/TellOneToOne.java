package io.hypha.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Workload 1: one-way throughput from one sender thread to one receiver, in messages per second.
 *
 * <p>An invocation sends a batch of {@link #BATCH} messages from the benchmark thread and returns when the
 * receiver has counted all of them, so the score is end-to-end (sent and handled), not the rate of enqueueing.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Threads(1)
@State(Scope.Benchmark)
public class TellOneToOne {
    /** Messages per invocation; also the most a mailbox ever holds in this workload. */
    public static final int BATCH = 100_000;

    private static final Token TOKEN = new Token(0);

    /** Which runtime: {@code hypha} or {@code pekko}. */
    @Param({ActorRuntime.HYPHA, ActorRuntime.PEKKO})
    public String impl;

    private ActorRuntime runtime;
    private BatchSignal signal;
    private ActorRuntime.Sender receiver;

    /** Starts the runtime and the counting receiver. */
    @Setup(Level.Trial)
    public void start() {
        runtime = ActorRuntime.create(impl);
        signal = new BatchSignal(1, BATCH, runtime::failures);
        receiver = runtime.countingReceiver(signal);
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
     * Sends one batch and waits until the receiver has handled it.
     *
     * @throws InterruptedException if interrupted
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void tell() throws InterruptedException {
        signal.arm(0);
        for (int i = 0; i < BATCH; i++) {
            receiver.tell(TOKEN);
        }
        signal.await(0);
    }
}
