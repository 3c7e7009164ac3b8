package io.hypha.transport.quic.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.hypha.api.transport.Connection;
import io.hypha.api.transport.ConnectionHandler;
import io.hypha.api.transport.ListeningEndpoint;
import io.hypha.api.transport.TransportCredentials;
import io.hypha.api.transport.TransportException;
import io.hypha.testkit.transport.TestTransportContext;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workloads on which bare kwik stalled (STALL.md): 10 KiB frames streamed one way, and 100 B ping-pong with one
 * frame in flight, each run 10 times on a new pair of nodes. Every run must complete, with every frame in order and
 * no connection closed on the way (no stall detected either: the kick workaround must prevent it).
 *
 * <p>Sizes: {@value #ONE_WAY_FRAMES} one-way frames and {@value #ROUND_TRIPS} round trips per run keep the module's
 * test time small; {@code -Dhypha.quic.soak=true} runs the full 20,000 of each, as measured for STALL.md.
 */
class QuicLoadTest {
    private static final Logger LOG = LoggerFactory.getLogger(QuicLoadTest.class);
    private static final boolean SOAK = Boolean.getBoolean("hypha.quic.soak");
    static final int ONE_WAY_FRAMES = 2_000;
    static final int ROUND_TRIPS = 3_000;
    private static final long RUN_DEADLINE_SECONDS = 120;

    private final QuicTransport a = new QuicTransport(QuicTransport.Settings.DEFAULTS);
    private final QuicTransport b = new QuicTransport(QuicTransport.Settings.DEFAULTS);
    private final TransportCredentials aCredentials = TestCredentials.newNode();
    private final TransportCredentials bCredentials = TestCredentials.newNode();

    @AfterEach
    void stop() {
        b.close();
        a.close();
    }

    @RepeatedTest(10)
    void tenKibFramesStreamedOneWayAllArriveInOrder() throws Exception {
        int frames = SOAK ? 20_000 : ONE_WAY_FRAMES;
        Receiver receiver = new Receiver(frames, false);
        Sender sender = new Sender();
        Connection out = connect(receiver, sender);
        long start = System.nanoTime();

        byte[] body = new byte[10 * 1024];
        for (int i = 0; i < frames; i++) {
            ByteBuffer.wrap(body).putInt(i);
            sender.sendBlocking(out, ByteBuffer.wrap(body));
        }

        receiver.done.get(RUN_DEADLINE_SECONDS, TimeUnit.SECONDS);
        LOG.info("{} frames of 10 KiB one way in {} ms", frames, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        assertThat(receiver.failure.get()).isNull();
        assertThat(sender.closed.get()).isNull();
        assertThat(out.isOpen()).isTrue();
    }

    @RepeatedTest(10)
    void hundredByteFramesPingPongOneInFlightAllComeBack() throws Exception {
        int rounds = SOAK ? 20_000 : ROUND_TRIPS;
        Receiver echo = new Receiver(Integer.MAX_VALUE, true);
        PingPonger pinger = new PingPonger(rounds);
        Connection out = connect(echo, pinger);
        long start = System.nanoTime();

        pinger.ping(out, 0);

        pinger.done.get(RUN_DEADLINE_SECONDS, TimeUnit.SECONDS);
        LOG.info("{} round trips of 100 B in {} ms", rounds, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        assertThat(echo.failure.get()).isNull();
        assertThat(out.isOpen()).isTrue();
    }

    private Connection connect(ConnectionHandler listener, ConnectionHandler dialler) throws Exception {
        ListeningEndpoint endpoint = a.listen(URI.create("quic://127.0.0.1:0"), TestTransportContext.of(aCredentials, listener))
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        return b.dial(endpoint.address(), null, TestTransportContext.of(bCredentials, dialler))
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Counts frames and checks their order (the first 4 bytes); echoes them if asked. */
    private static final class Receiver implements ConnectionHandler {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final AtomicReference<String> failure = new AtomicReference<>();
        private final int expected;
        private final boolean echo;
        private int next;

        Receiver(int expected, boolean echo) {
            this.expected = expected;
            this.echo = echo;
        }

        @Override
        public void onConnected(Connection connection) {
        }

        @Override
        public void onFrame(Connection connection, ByteBuffer frame) {
            int seq = frame.getInt(frame.position());
            if (seq != next) {
                failure.compareAndSet(null, "frame " + seq + " where " + next + " was due");
                done.completeExceptionally(new AssertionError(failure.get()));
            }
            next++;
            if (echo && !connection.send(frame)) {
                failure.compareAndSet(null, "the echo was refused with one frame in flight");
            }
            if (next == expected) {
                done.complete(null);
            }
        }

        @Override
        public void onWritable(Connection connection) {
        }

        @Override
        public void onClosed(Connection connection, TransportException cause) {
            if (!done.isDone()) {
                failure.compareAndSet(null, "closed after " + next + " frames: " + cause);
                done.completeExceptionally(new AssertionError(failure.get()));
            }
        }
    }

    /** Sends with backpressure: waits for onWritable when send refuses. */
    private static class Sender implements ConnectionHandler {
        final AtomicReference<TransportException> closed = new AtomicReference<>();
        private final Object writable = new Object();
        private volatile boolean isClosed;

        void sendBlocking(Connection connection, ByteBuffer frame) throws InterruptedException {
            synchronized (writable) {
                while (!connection.send(frame)) {
                    if (isClosed) {
                        throw new AssertionError("the connection closed: " + closed.get());
                    }
                    writable.wait(100);
                }
            }
        }

        @Override
        public void onConnected(Connection connection) {
        }

        @Override
        public void onFrame(Connection connection, ByteBuffer frame) {
        }

        @Override
        public void onWritable(Connection connection) {
            synchronized (writable) {
                writable.notifyAll();
            }
        }

        @Override
        public void onClosed(Connection connection, TransportException cause) {
            closed.set(cause);
            isClosed = true;
        }
    }

    /** Sends one frame, and the next when its echo comes back. */
    private static final class PingPonger extends Sender {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        private final int rounds;
        private final AtomicInteger returned = new AtomicInteger();
        private final byte[] body = new byte[100];

        PingPonger(int rounds) {
            this.rounds = rounds;
        }

        void ping(Connection connection, int seq) {
            ByteBuffer.wrap(body).putInt(seq);
            if (!connection.send(ByteBuffer.wrap(body))) {
                done.completeExceptionally(new AssertionError("send refused with nothing in flight"));
            }
        }

        @Override
        public void onFrame(Connection connection, ByteBuffer frame) {
            int seq = frame.getInt(frame.position());
            if (seq != returned.get()) {
                done.completeExceptionally(new AssertionError("echo " + seq + " where " + returned.get() + " was due"));
                return;
            }
            if (returned.incrementAndGet() == rounds) {
                done.complete(null);
            } else {
                ping(connection, seq + 1);
            }
        }

        @Override
        public void onClosed(Connection connection, TransportException cause) {
            super.onClosed(connection, cause);
            if (!done.isDone()) {
                done.completeExceptionally(new AssertionError("closed after " + returned.get() + " round trips: " + cause));
            }
        }
    }
}
