package io.hypha.multinode;

import com.google.protobuf.ByteString;
import io.hypha.api.NodeId;
import io.hypha.api.transport.TransportCredentials;
import io.hypha.api.transport.TransportException;
import io.hypha.identity.internal.Ed25519NodeKey;
import io.hypha.identity.internal.tls.TlsCredentialsComponent;
import io.hypha.wire.Frame;
import io.hypha.wire.Hello;
import io.hypha.wire.HelloReply;
import io.hypha.wire.ProtocolVersions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Clients that misbehave towards a node's TLS listener, as an attacker or a broken implementation would: garbage
 * instead of TLS, a TLS client whose certificate proves no node, a real node that claims to be another one in its
 * Hello, and a real node that announces a frame larger than any node accepts. Plain JSSE sockets and the wire
 * classes, so that nothing of the node's own transport code is on this side.
 */
final class RoguePeers {
    /** How long a rogue waits for the node to react. */
    static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final SecureRandom RANDOM = new SecureRandom();

    private RoguePeers() {
    }

    /** What the node did with a rogue connection. */
    enum Outcome {
        /** The TLS handshake failed: the node refused the client's certificate (or the client's bytes). */
        REFUSED_IN_TLS,
        /** The node closed the connection (end of stream or reset). */
        CLOSED,
        /** The node kept the connection open for the whole {@link #TIMEOUT}. */
        STILL_OPEN
    }

    /**
     * A node identity of the rogue's own.
     *
     * @param id          its node id
     * @param credentials its TLS credentials, made as the identity bundle makes a node's
     */
    record Identity(NodeId id, TransportCredentials credentials) {
        /** @return a new identity */
        static Identity create() {
            Ed25519NodeKey key = Ed25519NodeKey.generate(RANDOM);
            return new Identity(key.id(), new TlsCredentialsComponent(key, TlsCredentialsComponent.Settings.DEFAULTS,
                    Clock.systemUTC(), RANDOM));
        }
    }

    /** Connects with TCP and sends random bytes where a TLS ClientHello is due. */
    static Outcome garbage(URI address) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address.getHost(), address.getPort()), (int) TIMEOUT.toMillis());
            byte[] junk = new byte[4096];
            RANDOM.nextBytes(junk);
            junk[0] = 0x47; // 'G', as in "GET": never a TLS record type
            try {
                socket.getOutputStream().write(junk);
                socket.getOutputStream().flush();
            } catch (IOException e) {
                return Outcome.CLOSED; // the node closed while we were writing
            }
            return awaitClose(socket);
        }
    }

    /** A TLS 1.3 client whose certificate is self-signed and carries no node identity extension. */
    static Outcome plainTls(URI address) throws Exception {
        KeyPair key = p256();
        X500Name name = new X500Name("CN=plain-tls-client");
        Instant now = Instant.now();
        X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
                name, BigInteger.valueOf(RANDOM.nextLong() & Long.MAX_VALUE), Date.from(now.minusSeconds(60)),
                Date.from(now.plusSeconds(3600)), name, key.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("client", key.getPrivate(), new char[0], new X509Certificate[] {certificate});
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, new char[0]);
        SSLContext tls = SSLContext.getInstance("TLSv1.3");
        tls.init(keys.getKeyManagers(), new TrustManager[] {new TrustAnyServer()}, RANDOM);
        try (SSLSocket socket = open(tls, address)) {
            try {
                // In TLS 1.3 the client finishes its handshake before the server has judged the client certificate;
                // the server's verdict arrives as an alert on the first read.
                socket.startHandshake();
            } catch (SSLException e) {
                return Outcome.REFUSED_IN_TLS;
            }
            return awaitClose(socket);
        }
    }

    /**
     * A real node (valid certificate for its own key) that claims another node's id in its Hello.
     *
     * @return the node's reply
     */
    static HelloReply claimAnotherIdentity(URI address, Identity self, NodeId claimed, NodeId dialled) throws Exception {
        try (SSLSocket socket = open(nodeContext(self.credentials(), dialled), address)) {
            Frame.newBuilder().setHello(hello(claimed, dialled)).build().writeDelimitedTo(socket.getOutputStream());
            socket.getOutputStream().flush();
            return readReply(socket.getInputStream());
        }
    }

    /**
     * A real node that completes the handshake as itself, then announces a frame of 1 GiB.
     *
     * @param self    the rogue's identity
     * @param dialled the node listening at {@code address}
     * @return what the node did after the length prefix
     * @throws AssertionError if the node does not accept the honest handshake first
     */
    static Outcome oversizeFrame(URI address, Identity self, NodeId dialled) throws Exception {
        return afterHandshake(address, self, dialled, new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x04, 1, 2, 3});
    }

    /** As {@link #oversizeFrame}, but the frame is of a sane size and its body is not a Frame message. */
    static Outcome malformedFrame(URI address, Identity self, NodeId dialled) throws Exception {
        return afterHandshake(address, self, dialled, new byte[] {8, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
                (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff});
    }

    private static Outcome afterHandshake(URI address, Identity self, NodeId dialled, byte[] bytes) throws Exception {
        try (SSLSocket socket = open(nodeContext(self.credentials(), dialled), address)) {
            Frame.newBuilder().setHello(hello(self.id(), dialled)).build().writeDelimitedTo(socket.getOutputStream());
            socket.getOutputStream().flush();
            HelloReply reply = readReply(socket.getInputStream());
            if (reply.getResult() != HelloReply.Result.OK) {
                throw new AssertionError("the node refused an honest handshake: " + reply);
            }
            try {
                OutputStream out = socket.getOutputStream();
                out.write(bytes);
                out.flush();
            } catch (IOException e) {
                return Outcome.CLOSED;
            }
            return awaitClose(socket);
        }
    }

    private static Hello hello(NodeId claimed, NodeId dialled) {
        return Hello.newBuilder().setMinVersion(ProtocolVersions.MIN_SUPPORTED).setMaxVersion(ProtocolVersions.MAX_SUPPORTED)
                .setNodeId(ByteString.copyFrom(claimed.publicKey())).setDialledNodeId(ByteString.copyFrom(dialled.publicKey()))
                .setSessionEpoch(RANDOM.nextLong() | 1).build();
    }

    private static HelloReply readReply(InputStream in) throws IOException {
        Frame frame = Frame.parseDelimitedFrom(in);
        if (frame == null || !frame.hasHelloReply()) {
            throw new AssertionError("expected a HelloReply, got " + frame);
        }
        return frame.getHelloReply();
    }

    /** Reads (and discards) until the node closes the connection, or the timeout passes. */
    private static Outcome awaitClose(Socket socket) throws IOException {
        socket.setSoTimeout((int) TIMEOUT.toMillis());
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[4096];
        try {
            while (in.read(buffer) >= 0) {
                // keep reading: the node may answer something before it closes
            }
            return Outcome.CLOSED;
        } catch (SocketTimeoutException e) {
            return Outcome.STILL_OPEN;
        } catch (SSLException e) {
            return Outcome.REFUSED_IN_TLS;
        } catch (IOException e) {
            return Outcome.CLOSED; // reset
        }
    }

    private static SSLSocket open(SSLContext tls, URI address) throws IOException {
        SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket();
        socket.connect(new InetSocketAddress(address.getHost(), address.getPort()), (int) TIMEOUT.toMillis());
        socket.setSoTimeout((int) TIMEOUT.toMillis());
        socket.setEnabledProtocols(new String[] {"TLSv1.3"});
        return socket;
    }

    /** A TLS context that presents the node's certificate and accepts only the dialled node. */
    private static SSLContext nodeContext(TransportCredentials self, NodeId dialled) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("node", self.certificateKey(), new char[0], new X509Certificate[] {self.certificate()});
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, new char[0]);
        KeyManager[] keyManagers = keys.getKeyManagers();
        SSLContext tls = SSLContext.getInstance("TLSv1.3");
        tls.init(keyManagers, new TrustManager[] {new TrustNode(self, dialled)}, RANDOM);
        return tls;
    }

    private static KeyPair p256() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return generator.generateKeyPair();
    }

    /** Accepts whatever the server presents: the plain client does not care who answers. */
    private static final class TrustAnyServer implements X509TrustManager {
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

    /** Accepts the server only if its certificate proves the dialled node, as a real node would. */
    private static final class TrustNode implements X509TrustManager {
        private final TransportCredentials credentials;
        private final NodeId dialled;

        TrustNode(TransportCredentials credentials, NodeId dialled) {
            this.credentials = credentials;
            this.dialled = dialled;
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("a client only");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            try {
                credentials.verifyPeer(chain, dialled);
            } catch (TransportException e) {
                throw new CertificateException(e.getMessage(), e);
            }
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
