package io.hypha.identity.internal.tls;

import static io.hypha.identity.internal.tls.TestCertificates.RANDOM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.fail;

import io.hypha.api.NodeId;
import io.hypha.api.transport.TransportCredentials;
import io.hypha.api.transport.TransportException;
import io.hypha.identity.internal.Ed25519NodeKey;
import io.hypha.identity.internal.tls.PeerCertificateException.Reason;
import io.hypha.identity.internal.tls.TlsCredentialsComponent.Settings;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.Test;

/**
 * Proves that the credentials work with the JDK's own TLS 1.3 (JSSE), the way a transport uses them: a key manager
 * that presents {@link TransportCredentials#certificate()}, and a trust manager that calls
 * {@link TransportCredentials#verifyPeer}. Two SSLEngines talk through buffers in memory: no sockets, no threads.
 */
class JsseHandshakeTest {
    private final Ed25519NodeKey alice = Ed25519NodeKey.generate(RANDOM);
    private final Ed25519NodeKey bob = Ed25519NodeKey.generate(RANDOM);
    private final TlsCredentialsComponent aliceCredentials = credentials(alice);
    private final TlsCredentialsComponent bobCredentials = credentials(bob);

    private static TlsCredentialsComponent credentials(Ed25519NodeKey node) {
        return new TlsCredentialsComponent(node, Settings.DEFAULTS, Clock.systemUTC(), RANDOM);
    }

    @Test
    void twoNodesCompleteATls13HandshakeAndEachLearnsTheOthersNodeId() throws Exception {
        AtomicReference<NodeId> serverSeenByClient = new AtomicReference<>();
        AtomicReference<NodeId> clientSeenByServer = new AtomicReference<>();
        SSLEngine client = engine(aliceCredentials, true, bob.id(), serverSeenByClient);
        SSLEngine server = engine(bobCredentials, false, null, clientSeenByServer);

        String[] received = exchange(client, server, "hello bob", "hello alice");

        assertThat(received).containsExactly("hello alice", "hello bob");
        assertThat(serverSeenByClient.get()).isEqualTo(bob.id());
        assertThat(clientSeenByServer.get()).isEqualTo(alice.id());
        assertThat(client.getSession().getProtocol()).isEqualTo("TLSv1.3");
        assertThat(bobCredentials.verifyPeer((X509Certificate[]) server.getSession().getPeerCertificates(), null))
                .isEqualTo(alice.id());
    }

    @Test
    void theDiallerRefusesAServerThatIsNotTheNodeItDialled() {
        NodeId carol = Ed25519NodeKey.generate(RANDOM).id();
        SSLEngine client = engine(aliceCredentials, true, carol, new AtomicReference<>());
        SSLEngine server = engine(bobCredentials, false, null, new AtomicReference<>());

        SSLHandshakeException e = catchThrowableOfType(() -> exchange(client, server, "a", "b"), SSLHandshakeException.class);

        assertThat(reasonIn(e)).isEqualTo(Reason.WRONG_PEER);
    }

    @Test
    void theServerRefusesAClientWhoseCertificateProvesNoNode() {
        KeyPair key = TestCertificates.ecKeyPair("secp256r1");
        X509Certificate anonymous = new TestCertificates.Builder(key).build();
        TransportCredentials impostor = new TransportCredentials() {
            @Override
            public X509Certificate certificate() {
                return anonymous;
            }

            @Override
            public PrivateKey certificateKey() {
                return key.getPrivate();
            }

            @Override
            public NodeId verifyPeer(X509Certificate[] chain, NodeId expected) throws TransportException {
                return aliceCredentials.verifyPeer(chain, expected);
            }
        };
        SSLEngine client = engine(impostor, true, bob.id(), new AtomicReference<>());
        SSLEngine server = engine(bobCredentials, false, null, new AtomicReference<>());

        SSLHandshakeException e = catchThrowableOfType(() -> exchange(client, server, "a", "b"), SSLHandshakeException.class);

        assertThat(reasonIn(e)).isEqualTo(Reason.MISSING_EXTENSION);
    }

    private static Reason reasonIn(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof PeerCertificateException p) {
                return p.reason();
            }
        }
        return fail("no PeerCertificateException in the cause chain of " + e);
    }

    private static SSLEngine engine(TransportCredentials credentials, boolean client, NodeId expected,
                                    AtomicReference<NodeId> verified) {
        try {
            SSLContext context = SSLContext.getInstance("TLSv1.3");
            context.init(new KeyManager[] {new CredentialsKeyManager(credentials)},
                    new TrustManager[] {new CredentialsTrustManager(credentials, expected, verified)}, RANDOM);
            SSLEngine engine = context.createSSLEngine();
            engine.setUseClientMode(client);
            engine.setEnabledProtocols(new String[] {"TLSv1.3"});
            if (!client) {
                engine.setNeedClientAuth(true);
            }
            return engine;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs both engines until each has received the other's message.
     *
     * @return what the client received, then what the server received
     */
    private static String[] exchange(SSLEngine client, SSLEngine server, String fromClient, String fromServer) throws SSLException {
        ByteBuffer clientOut = ByteBuffer.wrap(fromClient.getBytes(StandardCharsets.UTF_8));
        ByteBuffer serverOut = ByteBuffer.wrap(fromServer.getBytes(StandardCharsets.UTF_8));
        ByteBuffer clientToServer = ByteBuffer.allocate(client.getSession().getPacketBufferSize());
        ByteBuffer serverToClient = ByteBuffer.allocate(server.getSession().getPacketBufferSize());
        ByteBuffer clientIn = ByteBuffer.allocate(client.getSession().getApplicationBufferSize() + 64);
        ByteBuffer serverIn = ByteBuffer.allocate(server.getSession().getApplicationBufferSize() + 64);
        // Each round moves at most one record each way; a TLS 1.3 handshake with client auth needs a handful.
        for (int round = 0; round < 100; round++) {
            client.wrap(clientOut, clientToServer);
            runTasks(client);
            server.wrap(serverOut, serverToClient);
            runTasks(server);
            clientToServer.flip();
            serverToClient.flip();
            client.unwrap(serverToClient, clientIn);
            runTasks(client);
            server.unwrap(clientToServer, serverIn);
            runTasks(server);
            clientToServer.compact();
            serverToClient.compact();
            if (clientIn.position() == fromServer.length() && serverIn.position() == fromClient.length()) {
                return new String[] {text(clientIn), text(serverIn)};
            }
        }
        return fail("no exchange after 100 rounds: client " + client.getHandshakeStatus() + ", server " + server.getHandshakeStatus());
    }

    private static String text(ByteBuffer buffer) {
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
    }

    private static void runTasks(SSLEngine engine) {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
    }

    /** Presents the credentials' current certificate; the one alias serves EC key types only. */
    private static final class CredentialsKeyManager extends X509ExtendedKeyManager {
        private static final String ALIAS = "hypha";
        private final TransportCredentials credentials;

        CredentialsKeyManager(TransportCredentials credentials) {
            this.credentials = credentials;
        }

        private static String[] aliases(String keyType) {
            return "EC".equals(keyType) ? new String[] {ALIAS} : null;
        }

        private static String choose(String... keyTypes) {
            return keyTypes != null && Arrays.asList(keyTypes).contains("EC") ? ALIAS : null;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return aliases(keyType);
        }

        @Override
        public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
            return choose(keyTypes);
        }

        @Override
        public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
            return choose(keyTypes);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return aliases(keyType);
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return choose(keyType);
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return choose(keyType);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return ALIAS.equals(alias) ? new X509Certificate[] {credentials.certificate()} : null;
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return ALIAS.equals(alias) ? credentials.certificateKey() : null;
        }
    }

    /**
     * Verifies the peer with the credentials. An X509ExtendedTrustManager is used as it is: JSSE wraps a plain
     * X509TrustManager with checks of its own.
     */
    private static final class CredentialsTrustManager extends X509ExtendedTrustManager {
        private final TransportCredentials credentials;
        private final NodeId expected;
        private final AtomicReference<NodeId> verified;

        CredentialsTrustManager(TransportCredentials credentials, NodeId expected, AtomicReference<NodeId> verified) {
            this.credentials = credentials;
            this.expected = expected;
            this.verified = verified;
        }

        private void check(X509Certificate[] chain) throws CertificateException {
            try {
                verified.set(credentials.verifyPeer(chain, expected));
            } catch (TransportException e) {
                throw new CertificateException(e.getMessage(), e);
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(chain);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
