package io.hypha.transport.tls.internal;

import io.hypha.api.NodeId;
import io.hypha.api.transport.TransportCredentials;
import io.hypha.api.transport.TransportException;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Clients that do not go through the transport: plain sockets and JSSE sockets, to play misbehaving peers. */
final class RawClients {
    private static final SecureRandom RANDOM = new SecureRandom();

    private RawClients() {
    }

    /** @return a TCP socket connected to a tls address, reads timing out after the test timeout */
    static Socket tcp(URI address) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(address.getHost(), address.getPort()), (int) Eventually.TIMEOUT.toMillis());
        socket.setSoTimeout((int) Eventually.TIMEOUT.toMillis());
        return socket;
    }

    /**
     * @param address     the server
     * @param credentials what the client presents and verifies the server with
     * @param protocol    the TLS version to offer, e.g. TLSv1.3
     * @return a JSSE socket, not yet handshaken
     */
    static SSLSocket tls(URI address, TransportCredentials credentials, String protocol) throws Exception {
        SSLContext context = SSLContext.getInstance(protocol);
        KeyManager[] keys = credentials == null ? null : new KeyManager[] {new CredentialsKeyManager(credentials)};
        context.init(keys, new TrustManager[] {new TrustingManager()}, RANDOM);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(tcp(address), address.getHost(),
                address.getPort(), true);
        socket.setEnabledProtocols(new String[] {protocol});
        return socket;
    }

    /**
     * @param socket a socket the server is expected to close
     * @return whether the server closed it (end of stream, or a TLS alert or reset) before the read timed out
     */
    static boolean closedByServer(Socket socket) {
        try {
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[4096];
            while (in.read(buffer) >= 0) {
                // drain whatever the server sent before closing (e.g. TLS tickets)
            }
            return true;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /** @return credentials with an ordinary self-signed P-256 certificate: no node identity extension */
    static TransportCredentials withoutNodeExtension() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        KeyPair key = generator.generateKeyPair();
        X500Name name = new X500Name("CN=plain tls client");
        Instant now = Instant.now();
        X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(RANDOM.nextInt(1 << 30) + 1L),
                        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofHours(1))), name,
                        key.getPublic())
                        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
        return new TransportCredentials() {
            @Override
            public X509Certificate certificate() {
                return certificate;
            }

            @Override
            public PrivateKey certificateKey() {
                return key.getPrivate();
            }

            @Override
            public NodeId verifyPeer(X509Certificate[] chain, NodeId expected) throws TransportException {
                throw new UnsupportedOperationException("a plain TLS client verifies nothing");
            }
        };
    }

    /** Trusts any server: these clients test the server's side. */
    private static final class TrustingManager extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
