package io.hypha.runtime.internal;

import static org.assertj.core.api.Assertions.fail;

import io.hypha.api.DeadLetter;
import io.hypha.api.DeliveryFailure;
import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import io.hypha.api.engine.Engine;
import io.hypha.api.engine.EngineContext;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/** Helpers shared by the runtime tests. */
final class TestSupport {
    static final NodeId NODE = node(1);
    static final NodeId OTHER_NODE = node(2);

    private TestSupport() {
    }

    static NodeId node(int seed) {
        byte[] key = new byte[NodeId.LENGTH];
        key[0] = (byte) seed;
        key[31] = (byte) 0x5a;
        return NodeId.of(key);
    }

    /** Settings small enough for tests: two threads, short stop timeout. */
    static RuntimeSettings settings() {
        return RuntimeSettings.defaults().withThreads(2).withStopTimeoutMillis(2000);
    }

    static Envelope message(EngineHost host, String to, Object payload) {
        return Envelope.builder().dst(EngineAddress.local(to)).id(host.nextMessageId()).type("test").payload(payload).build();
    }

    static Envelope messageFrom(EngineHost host, String from, String to, Object payload) {
        return Envelope.builder().src(EngineAddress.of(NODE, from)).dst(EngineAddress.local(to)).id(host.nextMessageId())
                .type("test").payload(payload).build();
    }

    /** Polls until the condition holds, failing after the timeout. */
    static void await(String what, BooleanSupplier condition) {
        await(what, Duration.ofSeconds(10), condition);
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for: " + what);
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted waiting for: " + what);
            }
        }
    }

    static long deadLetters(EngineHost host, DeliveryFailure reason) {
        return host.counts().get(reason);
    }

    /** A clock that only moves when told to. */
    static final class ManualClock implements InstantSource {
        private final AtomicLong millis = new AtomicLong(1_700_000_000_000L);

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.get());
        }

        @Override
        public long millis() {
            return millis.get();
        }

        void advance(Duration d) {
            millis.addAndGet(d.toMillis());
        }
    }

    /**
     * An engine that records what it sees and fails the test (through {@link #violations}) if two of its callbacks
     * ever overlap.
     */
    static class RecordingEngine implements Engine {
        final List<Object> payloads = new CopyOnWriteArrayList<>();
        final List<DeadLetter> undeliverable = new CopyOnWriteArrayList<>();
        final List<String> events = new CopyOnWriteArrayList<>();
        final AtomicInteger violations = new AtomicInteger();
        final AtomicReference<EngineContext> context = new AtomicReference<>();
        private final AtomicInteger inside = new AtomicInteger();

        void enter() {
            if (inside.incrementAndGet() != 1) {
                violations.incrementAndGet();
            }
        }

        void exit() {
            inside.decrementAndGet();
        }

        boolean insideCallback() {
            return inside.get() > 0;
        }

        @Override
        public void onStart(EngineContext ctx) {
            enter();
            try {
                context.set(ctx);
                events.add("start");
            } finally {
                exit();
            }
        }

        @Override
        public void onMessage(Envelope message, EngineContext ctx) throws Exception {
            enter();
            try {
                handle(message, ctx);
                payloads.add(message.payload());
            } finally {
                exit();
            }
        }

        /** Override to react to a message; called inside the concurrency detector. */
        void handle(Envelope message, EngineContext ctx) throws Exception {
        }

        @Override
        public void onUndeliverable(DeadLetter letter, EngineContext ctx) {
            enter();
            try {
                undeliverable.add(letter);
            } finally {
                exit();
            }
        }

        @Override
        public void onStop(EngineContext ctx) {
            enter();
            try {
                events.add("stop");
            } finally {
                exit();
            }
        }
    }
}
