package io.hypha.transport.tls.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.hypha.api.NodeId;
import io.hypha.api.transport.Connection;
import io.hypha.api.transport.ListeningEndpoint;
import io.hypha.api.transport.TransportCredentials;
import io.hypha.api.transport.TransportError;
import io.hypha.api.transport.TransportException;
import io.hypha.api.transport.TransportProtocol;
import io.hypha.testkit.transport.RecordingConnectionHandler;
import io.hypha.testkit.transport.TestFrames;
import io.hypha.testkit.transport.TestTransportContext;
import io.hypha.wire.LengthPrefix;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the contract suite cannot say about TLS in general: refusals of peers that are not Hypha nodes (counted, the
 * node serving others on), limits, addresses with a node id, certificate renewal and stopping.
 */
class TlsTransportTest {
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final TransportCredentials serverCredentials = NodeCredentials.newNode();
    private final NodeId serverId = idOf(serverCredentials);
    private final RecordingConnectionHandler serverHandler = new RecordingConnectionHandler("server");
    private final RecordingConnectionHandler clientHandler = new RecordingConnectionHandler("client");
    private final TransportCredentials clientCredentials = NodeCredentials.newNode();

    @AfterEach
    void closeEverything() throws Exception {
        serverHandler.releaseFrames();
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        serverHandler.assertNoViolations();
        clientHandler.assertNoViolations();
    }

    // ---------------------------------------------------------------- peers that are not Hypha nodes

    @Test
    void aPlainTlsClientWhoseCertificateProvesNoNodeIsRefusedAndCounted() throws Exception {
        TlsTransport server = transport(TlsSettings.DEFAULTS, "server");
        URI address = listen(server, serverContext());

        try (SSLSocket client = RawClients.tls(address, RawClients.withoutNodeExtension(), "TLSv1.3")) {
            handshakeIgnoringRefusal(client);
            assertThat(RawClients.closedByServer(client)).isTrue();
        }

        awaitCount(server, "closed.authentication_failed", 1);
        assertThat(serverHandler.connected()).isEmpty();
    }

    @Test
    void aTlsClientWithoutAnyCertificateIsRefused() throws Exception {
        TlsTransport server = transport(TlsSettings.DEFAULTS, "server");
        URI address = listen(server, serverContext());

        try (SSLSocket client = RawClients.tls(address, null, "TLSv1.3")) {
            handshakeIgnoringRefusal(client);
            assertThat(RawClients.closedByServer(client)).isTrue();
        }

        awaitCount(server, "closed.handshake_failed", 1);
        assertThat(serverHandler.connected()).isEmpty();
    }

    @Test
    void aTls12ClientIsRefusedEvenWithANodeCertificate() throws Exception {
        TlsTransport server = transport(TlsSettings.DEFAULTS, "server");
        URI address = listen(server, serverContext());

        try (SSLSocket client = RawClients.tls(address, clientCredentials, "TLSv1.2")) {
            SSLException refused = catchThrowableOfType(client::startHandshake, SSLException.class);
            assertThat(refused).isNotNull();
        }

        awaitCount(server, "closed.handshake_failed", 1);
        assertThat(serverHandler.connected()).isEmpty();
    }

    @Test
    void aClientThatSendsGarbageIsClosedAndCounted() throws Exception {
        TlsTransport server = transport(TlsSettings.DEFAULTS, "server");
        URI address = listen(server, serverContext());

        try (Socket client = RawClients.tcp(address)) {
            OutputStream out = client.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: hypha\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.flush();
            assertThat(RawClients.closedByServer(client)).isTrue();
        }

        awaitCount(server, "closed.not_tls", 1);
        assertThat(serverHandler.connected()).isEmpty();
    }

    @Test
    void aClientThatSaysNothingIsClosedAfterTheHandshakeTimeout() throws Exception {
        TlsTransport server = transport(TlsSettings.DEFAULTS, "server");
        URI address = listen(server, new TestTransportContext(serverCredentials, 65_536, 200, serverHandler));

        try (Socket client = RawClients.tcp(address)) {
            assertThat(RawClients.closedByServer(client)).isTrue();
        }

        awaitCount(server, "closed.handshake_timeout", 1);
    }

    @Test
    void anOversizeLengthPrefixClosesTheConnectionBeforeAnyBodyByteIsSent() throws Exception {
        TlsTransport server = transport(TlsSettings.DEFAULTS, "server");
        URI address = listen(server, serverContext());

        try (SSLSocket client = RawClients.tls(address, clientCredentials, "TLSv1.3")) {
            client.startHandshake();
            Connection in = serverHandler.awaitConnected(1, Eventually.TIMEOUT).get(0);
            // Announce a 1 GiB frame and send none of it: the server must refuse on the prefix alone, so it never
            // waits for (or buffers) the body.
            ByteBuffer prefix = ByteBuffer.allocate(LengthPrefix.MAX_BYTES_FOR_INT);
            LengthPrefix.put(1 << 30, prefix);
            client.getOutputStream().write(prefix.array(), 0, prefix.position());
            client.getOutputStream().flush();

            assertThat(serverHandler.awaitClosed(in, Eventually.TIMEOUT)).hasValueSatisfying(
                    cause -> assertThat(cause.error()).isEqualTo(TransportError.FRAME_TOO_LARGE));
            assertThat(RawClients.closedByServer(client)).isTrue();
            assertThat(serverHandler.frames(in)).isEmpty();
        }
        assertThat(server.counters()).containsEntry("closed.frame_too_large", 1L);
        assertThat(((TransportProtocol) server).metrics()).as("the counters are the protocol's metrics")
                .containsEntry("closed.frame_too_large", 1L).containsEntry("closed.not_tls", 0L);
    }

    @Test
    void afterRefusingBadPeersTheNodeStillServesALegitimateOne() throws Exception {
        TlsTransport server = transport(TlsSettings.DEFAULTS, "server");
        URI address = listen(server, serverContext());
        try (Socket garbage = RawClients.tcp(address);
             SSLSocket plain = RawClients.tls(address, RawClients.withoutNodeExtension(), "TLSv1.3")) {
            // Not a TLS record header. (Bytes that look like one make the server wait for the rest of the record,
            // until the handshake timeout.)
            garbage.getOutputStream().write("garbage!garbage!".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            handshakeIgnoringRefusal(plain);
            assertThat(RawClients.closedByServer(garbage)).isTrue();
            assertThat(RawClients.closedByServer(plain)).isTrue();
        }

        TlsTransport client = transport(TlsSettings.DEFAULTS, "client");
        Connection out = await(client.dial(address, serverId, clientContext()));
        Connection in = serverHandler.awaitConnected(1, Eventually.TIMEOUT).get(0);
        assertThat(out.send(TestFrames.frame(1, 0, 100))).isTrue();
        assertThat(in.send(TestFrames.frame(2, 0, 100))).isTrue();

        assertThat(serverHandler.awaitFrames(in, 1, Eventually.TIMEOUT).get(0)).isEqualTo(TestFrames.bytes(1, 0, 100));
        assertThat(clientHandler.awaitFrames(out, 1, Eventually.TIMEOUT).get(0)).isEqualTo(TestFrames.bytes(2, 0, 100));
        assertThat(in.peer()).isEqualTo(idOf(clientCredentials));
        assertThat(server.counters().get("connections.inbound")).isEqualTo(1L);
    }

    // ---------------------------------------------------------------- limits

    @Test
    void inboundConnectionsBeyondTheLimitAreClosedAtOnceAndCounted() throws Exception {
        TlsTransport server = transport(TlsSettings.DEFAULTS.withMaxConnections(1), "server");
        URI address = listen(server, serverContext());
        TlsTransport client = transport(TlsSettings.DEFAULTS, "client");
        Connection first = await(client.dial(address, serverId, clientContext()));
        serverHandler.awaitConnected(1, Eventually.TIMEOUT);

        TransportException refused = failure(client.dial(address, serverId, clientContext()));

        assertThat(refused.error()).isIn(TransportError.CLOSED, TransportError.IO);
        assertThat(server.counters()).containsEntry("closed.over_capacity", 1L);
        assertThat(first.isOpen()).isTrue();
        first.close();
        // The slot frees when the server sees the close.
        Eventually.await(() -> {
            try {
                client.dial(address, serverId, clientContext()).toCompletableFuture().get(10, TimeUnit.SECONDS).close();
                return true;
            } catch (Exception e) {
                return false;
            }
        }, () -> "no connection was accepted after the first one closed");
    }

    @Test
    void aServerThatNeverAnswersTheHandshakeFailsTheDialWithTimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            TlsTransport client = transport(TlsSettings.DEFAULTS, "client");
            URI address = URI.create("tls://127.0.0.1:" + silent.getLocalPort());

            TransportException e = failure(client.dial(address, serverId,
                    new TestTransportContext(clientCredentials, 65_536, 200, clientHandler)));

            assertThat(e.error()).isEqualTo(TransportError.TIMEOUT);
        }
    }

    // ---------------------------------------------------------------- addresses

    @Test
    void theAddressMayNameTheNodeToDial() throws Exception {
        TlsTransport server = transport(TlsSettings.DEFAULTS, "server");
        URI address = listen(server, serverContext());
        TlsTransport client = transport(TlsSettings.DEFAULTS, "client");
        NodeId other = idOf(NodeCredentials.newNode());

        Connection named = await(client.dial(withNode(address, serverId), null, clientContext()));
        TransportException wrong = failure(client.dial(withNode(address, other), null, clientContext()));
        TransportException conflicting = failure(client.dial(withNode(address, other), serverId, clientContext()));

        assertThat(named.peer()).isEqualTo(serverId);
        assertThat(named.remoteAddress()).isEqualTo(address);
        assertThat(wrong.error()).isEqualTo(TransportError.AUTHENTICATION_FAILED);
        assertThat(conflicting.error()).isEqualTo(TransportError.BAD_ADDRESS);
    }

    // ---------------------------------------------------------------- credentials

    @Test
    void bothSidesAskForTheirCertificateOnEveryHandshake() throws Exception {
        CountingCredentials serverCounting = new CountingCredentials(serverCredentials);
        CountingCredentials clientCounting = new CountingCredentials(clientCredentials);
        TlsTransport server = transport(TlsSettings.DEFAULTS, "server");
        URI address = listen(server, new TestTransportContext(serverCounting, 65_536, 10_000, serverHandler));
        TlsTransport client = transport(TlsSettings.DEFAULTS, "client");
        TestTransportContext context = new TestTransportContext(clientCounting, 65_536, 10_000, clientHandler);

        await(client.dial(address, serverId, context)).close();
        int serverAfterOne = serverCounting.certificates.get();
        int clientAfterOne = clientCounting.certificates.get();
        await(client.dial(address, serverId, context)).close();

        assertThat(serverAfterOne).isPositive();
        assertThat(clientAfterOne).isPositive();
        assertThat(serverCounting.certificates.get()).isGreaterThan(serverAfterOne);
        assertThat(clientCounting.certificates.get()).isGreaterThan(clientAfterOne);
    }

    // ---------------------------------------------------------------- stopping

    @Test
    void aStoppedTransportRefusesListenAndDialAndItsThreadsEnd() throws Exception {
        TlsTransport transport = transport(TlsSettings.DEFAULTS, "stopping");
        URI address = listen(transport, serverContext());
        transport.close();

        assertThat(failure(transport.listen(URI.create("tls://127.0.0.1:0"), serverContext())).error())
                .isEqualTo(TransportError.CLOSED);
        assertThat(failure(transport.dial(address, serverId, clientContext())).error()).isEqualTo(TransportError.CLOSED);
        Eventually.await(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith("hypha-tls-stopping")), () -> "event loop threads still run");
        transport.close();
    }

    // ---------------------------------------------------------------- helpers

    private TlsTransport transport(TlsSettings settings, String name) {
        TlsTransport transport = new TlsTransport(settings, name);
        toClose.add(transport);
        return transport;
    }

    private URI listen(TlsTransport transport, TestTransportContext context) {
        ListeningEndpoint endpoint = await(transport.listen(URI.create("tls://127.0.0.1:0"), context));
        toClose.add(endpoint::close);
        return endpoint.address();
    }

    private TestTransportContext serverContext() {
        return TestTransportContext.of(serverCredentials, serverHandler);
    }

    private TestTransportContext clientContext() {
        return TestTransportContext.of(clientCredentials, clientHandler);
    }

    private void awaitCount(TlsTransport transport, String counter, long at) {
        Eventually.await(() -> transport.counters().get(counter) >= at, () -> counter + " is " + transport.counters());
    }

    private static void handshakeIgnoringRefusal(SSLSocket socket) {
        try {
            // In TLS 1.3 the client's handshake may complete before the server judges the client's certificate.
            socket.startHandshake();
        } catch (java.io.IOException refused) {
            // refused during the handshake: also fine
        }
    }

    private static URI withNode(URI address, NodeId node) {
        return URI.create("tls://" + node + "@" + address.getHost() + ":" + address.getPort());
    }

    private static NodeId idOf(TransportCredentials credentials) {
        try {
            return credentials.verifyPeer(new X509Certificate[] {credentials.certificate()}, null);
        } catch (TransportException e) {
            throw new AssertionError(e);
        }
    }

    private <T> T await(CompletionStage<T> stage) {
        try {
            T value = stage.toCompletableFuture().get(Eventually.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (value instanceof Connection connection) {
                toClose.add(connection::close);
            }
            return value;
        } catch (Exception e) {
            throw new AssertionError("expected success, got " + e, e);
        }
    }

    private TransportException failure(CompletionStage<?> stage) throws Exception {
        try {
            Object value = stage.toCompletableFuture().get(Eventually.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            throw new AssertionError("expected a failure, got " + value);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(TransportException.class);
            return (TransportException) e.getCause();
        }
    }

    /** Counts how often a TLS stack asks for the certificate. */
    private static final class CountingCredentials implements TransportCredentials {
        final AtomicInteger certificates = new AtomicInteger();
        private final TransportCredentials delegate;

        CountingCredentials(TransportCredentials delegate) {
            this.delegate = delegate;
        }

        @Override
        public X509Certificate certificate() {
            certificates.incrementAndGet();
            return delegate.certificate();
        }

        @Override
        public PrivateKey certificateKey() {
            return delegate.certificateKey();
        }

        @Override
        public NodeId verifyPeer(X509Certificate[] chain, NodeId expected) throws TransportException {
            return delegate.verifyPeer(chain, expected);
        }
    }
}
