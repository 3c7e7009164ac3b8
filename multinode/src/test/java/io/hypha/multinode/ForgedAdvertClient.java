package io.hypha.multinode;

import com.google.protobuf.ByteString;
import io.hypha.api.NodeId;
import io.hypha.api.transport.TransportCredentials;
import io.hypha.api.transport.TransportException;
import io.hypha.multinode.RoguePeers.Identity;
import io.hypha.wire.Data;
import io.hypha.wire.Frame;
import io.hypha.wire.Hello;
import io.hypha.wire.HelloReply;
import io.hypha.wire.Pong;
import io.hypha.wire.ProtocolVersions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.function.Predicate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A node of the attacker's own, speaking the wire protocol by hand from the wire classes over plain JSSE: it proves
 * its own identity (a real node certificate), completes the handshake announcing no advert, and then sends and reads
 * engine messages on its session like any peer would. Used to capture a node's advert as the node pushes it to a
 * peer that holds none, and to hand another node adverts of the attacker's choosing (forged, replayed) as
 * {@code hypha.netregistry.advert} messages. Nothing in the product helps it: it is an authenticated peer, nothing more.
 */
final class ForgedAdvertClient implements AutoCloseable {
    /** The registry engine's name and message type the client speaks. */
    static final String REGISTRY = "netregistry";
    static final String ADVERT = "hypha.netregistry.advert";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final SSLSocket socket;
    private final InputStream in;
    private final OutputStream out;
    private final HelloReply reply;
    private long seq;

    private ForgedAdvertClient(SSLSocket socket, HelloReply reply) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.reply = reply;
    }

    /**
     * Dials a node's TLS address and completes the handshake as {@code self}.
     *
     * @param address the node's {@code tls://host:port}
     * @param self    the attacker's identity
     * @param dialled the node's id
     * @return the open session
     * @throws AssertionError if the node does not answer the handshake with OK
     */
    static ForgedAdvertClient connect(URI address, Identity self, NodeId dialled) throws Exception {
        SSLSocket socket = (SSLSocket) context(self.credentials(), dialled).getSocketFactory().createSocket();
        try {
            socket.connect(new InetSocketAddress(address.getHost(), address.getPort()), (int) TIMEOUT.toMillis());
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            socket.setEnabledProtocols(new String[] {"TLSv1.3"});
            Hello hello = Hello.newBuilder().setMinVersion(ProtocolVersions.MIN_SUPPORTED).setMaxVersion(ProtocolVersions.MAX_SUPPORTED)
                    .setNodeId(ByteString.copyFrom(self.id().publicKey())).setDialledNodeId(ByteString.copyFrom(dialled.publicKey()))
                    .setSessionEpoch(RANDOM.nextLong() | 1).build(); // advert versions 0: "I have none, and none of yours"
            Frame.newBuilder().setHello(hello).build().writeDelimitedTo(socket.getOutputStream());
            socket.getOutputStream().flush();
            Frame frame = Frame.parseDelimitedFrom(socket.getInputStream());
            if (frame == null || !frame.hasHelloReply() || frame.getHelloReply().getResult() != HelloReply.Result.OK) {
                throw new AssertionError("the node did not accept the handshake: " + frame);
            }
            return new ForgedAdvertClient(socket, frame.getHelloReply());
        } catch (Exception | AssertionError e) {
            socket.close();
            throw e;
        }
    }

    /** @return the version of its own advert the node announced in its HelloReply */
    long peerAdvertVersion() {
        return reply.getAdvertVersion();
    }

    /**
     * Sends bytes to the node's registry as a pushed advert, on the session.
     *
     * @param advert what to send: an encoded advert, or anything
     * @return the message's seq
     */
    long sendAdvert(byte[] advert) throws IOException {
        long s = ++seq;
        Data data = Data.newBuilder().setSeq(s).setSrcEngine(REGISTRY).setDstEngine(REGISTRY).setId(s).setType(ADVERT)
                .setPayloadKind(Data.PayloadKind.BYTES).setPayload(ByteString.copyFrom(advert)).build();
        Frame.newBuilder().setData(data).build().writeDelimitedTo(out);
        out.flush();
        return s;
    }

    /**
     * Reads what the node sends (answering its pings) until a Data frame matches.
     *
     * @param match what is waited for
     * @return the first Data frame that matches
     * @throws AssertionError if none comes within the timeout or the node closes the connection
     */
    Data awaitData(Predicate<Data> match) throws IOException {
        long end = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < end) {
            Frame frame = read();
            if (frame.hasData() && match.test(frame.getData())) {
                return frame.getData();
            }
        }
        throw new AssertionError("the node sent no matching message within " + TIMEOUT);
    }

    /** @return the node's own advert, as it pushes it to a peer that announced it holds none */
    byte[] awaitPushedAdvert() throws IOException {
        return awaitData(d -> d.getType().equals(ADVERT) && d.getSrcEngine().equals(REGISTRY)).getPayload().toByteArray();
    }

    /** Reads until the node has acknowledged every message up to {@code upTo}: it took them into its engines' mailboxes. */
    void awaitAck(long upTo) throws IOException {
        long end = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < end) {
            Frame frame = read();
            if (frame.hasAck() && frame.getAck().getSeq() >= upTo) {
                return;
            }
        }
        throw new AssertionError("the node did not acknowledge seq " + upTo + " within " + TIMEOUT);
    }

    private Frame read() throws IOException {
        Frame frame;
        try {
            frame = Frame.parseDelimitedFrom(in);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the node sent nothing for " + TIMEOUT, e);
        }
        if (frame == null) {
            throw new AssertionError("the node closed the connection");
        }
        if (frame.hasPing()) {
            Frame.newBuilder().setPong(Pong.newBuilder().setNonce(frame.getPing().getNonce()).setSentAt(frame.getPing().getSentAt()))
                    .build().writeDelimitedTo(out);
            out.flush();
        }
        return frame;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** A TLS context presenting the attacker's node certificate and accepting only the dialled node. */
    private static SSLContext context(TransportCredentials self, NodeId dialled) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("node", self.certificateKey(), new char[0], new X509Certificate[] {self.certificate()});
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, new char[0]);
        SSLContext tls = SSLContext.getInstance("TLSv1.3");
        tls.init(keys.getKeyManagers(), new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                throw new CertificateException("a client only");
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                try {
                    self.verifyPeer(chain, dialled);
                } catch (TransportException e) {
                    throw new CertificateException(e.getMessage(), e);
                }
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, RANDOM);
        return tls;
    }
}
