package io.hypha.transport.quic.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.hypha.api.NodeId;
import io.hypha.api.transport.Connection;
import io.hypha.api.transport.ListeningEndpoint;
import io.hypha.api.transport.TransportCredentials;
import io.hypha.api.transport.TransportError;
import io.hypha.api.transport.TransportException;
import io.hypha.testkit.transport.RecordingConnectionHandler;
import io.hypha.testkit.transport.TestTransportContext;
import io.hypha.wire.LengthPrefix;
import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tech.kwik.core.QuicClientConnection;
import tech.kwik.core.QuicStream;

/**
 * What the contract suite does not cover: the in-connection client authentication against impostors and raw QUIC
 * clients, stall detection, and that stopping the transport leaves no thread behind.
 */
class QuicTransportTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final TransportCredentials aCredentials = TestCredentials.newNode();
    private final TransportCredentials bCredentials = TestCredentials.newNode();
    private final RecordingConnectionHandler aHandler = new RecordingConnectionHandler("a");
    private final RecordingConnectionHandler bHandler = new RecordingConnectionHandler("b");
    private QuicTransport a;
    private QuicTransport b;

    @AfterEach
    void stop() {
        aHandler.releaseFrames();
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
    }

    @Test
    void aDiallerPresentingAnotherNodesCertificateWithoutItsKeyIsRefusedAndCounted() throws Exception {
        a = new QuicTransport(QuicTransport.Settings.DEFAULTS);
        b = new QuicTransport(QuicTransport.Settings.DEFAULTS);
        URI address = listen(a, aHandler, 10_000);
        TransportCredentials victim = TestCredentials.newNode();
        // The victim's certificate is public (every peer sees it); its key is not.
        TransportCredentials impostor = new TransportCredentials() {
            @Override
            public X509Certificate certificate() {
                return victim.certificate();
            }

            @Override
            public PrivateKey certificateKey() {
                return bCredentials.certificateKey();
            }

            @Override
            public NodeId verifyPeer(X509Certificate[] chain, NodeId expected) throws TransportException {
                return bCredentials.verifyPeer(chain, expected);
            }
        };

        TransportException e = dialFailure(b.dial(address, null, TestTransportContext.of(impostor, bHandler)).toCompletableFuture());

        assertThat(e.error()).isEqualTo(TransportError.AUTHENTICATION_FAILED);
        await(() -> a.refusedCount() == 1, "the refusal is counted");
        assertThat(a.metrics()).containsEntry("refused.authentication_failed", 1L).containsEntry("connections.inbound", 0L);
        assertThat(aHandler.connected()).isEmpty();
        await(() -> a.slotsInUse() == 0 && b.slotsInUse() == 0, "both sides free the connection's slot");
        // The listener goes on serving honest peers.
        Connection honest = b.dial(address, null, TestTransportContext.of(bCredentials, bHandler)).toCompletableFuture()
                .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(honest.peer()).isEqualTo(TestCredentials.idOf(aCredentials));
        assertThat(aHandler.awaitConnected(1, TIMEOUT).get(0).peer()).isEqualTo(TestCredentials.idOf(bCredentials));
    }

    @Test
    void aRawQuicClientThatSendsGarbageInsteadOfACertificateIsRefusedAndCounted() throws Exception {
        a = new QuicTransport(QuicTransport.Settings.DEFAULTS);
        URI address = listen(a, aHandler, 10_000);

        try (RawClient raw = RawClient.connect(address)) {
            raw.out.write(new byte[] {5, 'h', 'e', 'l', 'l', 'o'});
            raw.out.flush();

            await(() -> a.refusedCount() == 1, "the garbage is refused and counted");
            assertThat(a.metrics()).containsEntry("refused.malformed", 1L).containsEntry("refused.authentication_failed", 0L);
        }
        assertThat(aHandler.connected()).isEmpty();
        await(() -> a.slotsInUse() == 0, "the slot is free again");
    }

    @Test
    void aRawQuicClientThatNeverAuthenticatesIsClosedAtTheHandshakeTimeout() throws Exception {
        a = new QuicTransport(QuicTransport.Settings.DEFAULTS);
        URI address = listen(a, aHandler, 300);

        try (RawClient raw = RawClient.connect(address)) {
            ByteBuffer prefix = ByteBuffer.allocate(LengthPrefix.MAX_BYTES_FOR_INT);
            LengthPrefix.put(3, prefix);
            raw.out.write(prefix.array(), 0, prefix.position()); // a frame that never completes
            raw.out.flush();

            await(() -> a.refusedCount() == 1, "the silent dialler is cut off and counted");
            assertThat(a.metrics()).containsEntry("refused.handshake_timeout", 1L);
        }
        assertThat(aHandler.connected()).isEmpty();
        await(() -> a.slotsInUse() == 0, "the slot is free again");
    }

    @Test
    void aConnectionWhoseWritesMakeNoProgressIsClosedWithTimeout() throws Exception {
        QuicTransport.Settings quick = new QuicTransport.Settings(30_000, 65_536, 65_536, 16, 5_000, 65_536, 300, 10, 1_000);
        a = new QuicTransport(QuicTransport.Settings.DEFAULTS);
        b = new QuicTransport(quick);
        URI address = listen(a, aHandler, 10_000);
        Connection out = b.dial(address, null, TestTransportContext.of(bCredentials, bHandler)).toCompletableFuture()
                .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        aHandler.holdFrames(); // the peer stops reading: QUIC flow control stops the sender

        ByteBuffer frame = ByteBuffer.allocate(16_384);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (out.isOpen() && System.nanoTime() < deadline) {
            out.send(frame.duplicate());
            Thread.onSpinWait();
        }

        Optional<TransportException> cause = bHandler.awaitClosed(out, TIMEOUT);
        assertThat(cause).isPresent();
        assertThat(cause.get().error()).isEqualTo(TransportError.TIMEOUT);
        await(() -> b.metrics().get("closed.timeout") == 1L, "the stall is counted");
        assertThat(b.metrics()).containsEntry("connections.outbound", 1L).containsEntry("closed.io", 0L);
        assertThat(a.metrics()).containsEntry("connections.inbound", 1L);
        aHandler.releaseFrames();
        Connection in = aHandler.connected().get(0);
        aHandler.awaitClosed(in, TIMEOUT);
        bHandler.assertNoViolations();
        aHandler.assertNoViolations();
    }

    @Test
    void stoppingTheTransportsLeavesNoThreadBehind() throws Exception {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        a = new QuicTransport(QuicTransport.Settings.DEFAULTS);
        b = new QuicTransport(QuicTransport.Settings.DEFAULTS);
        URI address = listen(a, aHandler, 10_000);
        Connection out = b.dial(address, null, TestTransportContext.of(bCredentials, bHandler)).toCompletableFuture()
                .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        out.send(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        Connection in = aHandler.awaitConnected(1, TIMEOUT).get(0);
        aHandler.awaitFrames(in, 1, TIMEOUT);
        assertThat(newThreads(before)).isNotEmpty();

        b.close();
        a.close();

        bHandler.awaitClosed(out, TIMEOUT);
        aHandler.awaitClosed(in, TIMEOUT);
        await(() -> newThreads(before).isEmpty(), "threads left: " + newThreads(before));
    }

    // ---------------------------------------------------------------- helpers

    private URI listen(QuicTransport transport, RecordingConnectionHandler handler, long handshakeTimeoutMillis)
            throws Exception {
        TestTransportContext context = new TestTransportContext(aCredentials, TestTransportContext.DEFAULT_MAX_FRAME_SIZE,
                handshakeTimeoutMillis, handler);
        ListeningEndpoint endpoint = transport.listen(URI.create("quic://127.0.0.1:0"), context).toCompletableFuture()
                .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        return endpoint.address();
    }

    private static TransportException dialFailure(java.util.concurrent.CompletableFuture<Connection> dial) {
        Throwable t = catchThrowable(() -> dial.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        assertThat(t).isInstanceOf(ExecutionException.class);
        assertThat(t.getCause()).isInstanceOf(TransportException.class);
        return (TransportException) t.getCause();
    }

    private static Set<String> newThreads(Set<Thread> before) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !before.contains(t) && t.isAlive())
                .map(Thread::getName)
                .collect(Collectors.toSet());
    }

    private static void await(BooleanSupplier condition, Object what) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + TIMEOUT + ": " + what);
            }
            Thread.sleep(10);
        }
    }

    /** A bare kwik client that speaks QUIC with ALPN hypha but not Hypha's client authentication. */
    private static final class RawClient implements AutoCloseable {
        final QuicClientConnection connection;
        final OutputStream out;

        private RawClient(QuicClientConnection connection, QuicStream stream) {
            this.connection = connection;
            this.out = stream.getOutputStream();
        }

        static RawClient connect(URI address) throws Exception {
            QuicClientConnection connection = QuicClientConnection.newBuilder()
                    .uri(URI.create("https://" + address.getHost() + ":" + address.getPort()))
                    .applicationProtocol(QuicTransport.ALPN)
                    .noServerCertificateCheck()
                    .connectTimeout(TIMEOUT)
                    .build();
            connection.connect();
            return new RawClient(connection, connection.createStream(true));
        }

        @Override
        public void close() {
            connection.close();
        }
    }
}
