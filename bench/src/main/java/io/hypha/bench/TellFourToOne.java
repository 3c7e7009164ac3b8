package io.hypha.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * Workload 2: one-way throughput from {@link #SENDERS} sender threads to one receiver, in messages per second
 * (JMH adds up the threads' scores).
 *
 * <p>Each thread sends batches of {@link #BATCH} messages carrying its own index; the receiver counts per sender,
 * so a thread's invocation ends exactly when its own batch has been handled, whatever the other threads are doing.
 * At most {@code SENDERS * BATCH} (100,000) messages are in the mailbox, as in {@link TellOneToOne}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Threads(TellFourToOne.SENDERS)
public class TellFourToOne {
    /** Sender threads. */
    public static final int SENDERS = 4;
    /** Messages per invocation and sender thread. */
    public static final int BATCH = 25_000;

    /** The runtime and its receiver, shared by the sender threads. */
    @State(Scope.Benchmark)
    public static class Shared {
        /** Which runtime: {@code hypha} or {@code pekko}. */
        @Param({ActorRuntime.HYPHA, ActorRuntime.PEKKO})
        public String impl;

        private final AtomicInteger nextSender = new AtomicInteger();
        private ActorRuntime runtime;
        private BatchSignal signal;
        private ActorRuntime.Sender receiver;

        /** Starts the runtime and the counting receiver. */
        @Setup(Level.Trial)
        public void start() {
            runtime = ActorRuntime.create(impl);
            signal = new BatchSignal(SENDERS, BATCH, runtime::failures);
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
    }

    /** One sender thread's identity. */
    @State(Scope.Thread)
    public static class SenderSlot {
        private int index;
        private Token token;

        /**
         * Claims the next sender index.
         *
         * @param shared the shared state
         */
        @Setup(Level.Trial)
        public void claim(Shared shared) {
            index = shared.nextSender.getAndIncrement();
            if (index >= SENDERS) {
                throw new IllegalStateException("run with " + SENDERS + " threads, not more");
            }
            token = new Token(index);
        }
    }

    /**
     * Sends one batch from this thread and waits until the receiver has handled it.
     *
     * @param shared the runtime and receiver
     * @param slot   this thread's identity
     * @throws InterruptedException if interrupted
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void tell(Shared shared, SenderSlot slot) throws InterruptedException {
        BatchSignal signal = shared.signal;
        ActorRuntime.Sender receiver = shared.receiver;
        Token token = slot.token;
        signal.arm(slot.index);
        for (int i = 0; i < BATCH; i++) {
            receiver.tell(token);
        }
        signal.await(slot.index);
    }
}
