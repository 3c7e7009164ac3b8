package io.hypha.transport.quic.internal;

import io.hypha.api.NodeId;
import io.hypha.api.transport.Connection;
import io.hypha.api.transport.TransportContext;
import io.hypha.api.transport.TransportCredentials;
import io.hypha.api.transport.TransportError;
import io.hypha.api.transport.TransportException;
import io.hypha.transport.quic.internal.ClientAuth.Type;
import io.hypha.wire.FrameException;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import tech.kwik.core.QuicClientConnection;
import tech.kwik.core.QuicStream;

/**
 * The dialler's side of a connection: the QUIC handshake (the listener's certificate checked by
 * {@link PeerTrustManager}), then the proof of this node's identity ({@link ClientAuth}), then the connection's
 * reader loop. Runs on its own thread, which becomes the connection's reader.
 */
final class DialHandshake extends Handshake implements Runnable {
    private final QuicTransport transport;
    private final String host;
    private final int port;
    private final URI remote;
    private final NodeId expected;
    private final TransportContext context;
    private final CompletableFuture<Connection> result;

    DialHandshake(QuicTransport transport, String host, int port, NodeId expected, TransportContext context,
                  CompletableFuture<Connection> result) {
        super(context.handshakeTimeoutMillis(), transport.settings().kickWindowNanos());
        this.transport = transport;
        this.host = host;
        this.port = port;
        this.remote = URI.create(QuicTransport.SCHEME + "://" + QuicTransport.uriHost(host) + ":" + port);
        this.expected = expected;
        this.context = context;
        this.result = result;
    }

    @Override
    public void run() {
        QuicTransport.Settings settings = transport.settings();
        TransportCredentials credentials = context.credentials();
        PeerTrustManager trust = new PeerTrustManager(credentials, expected);
        QuicClientConnection client = null;
        QuicFrameConnection connection;
        transport.watchdog().add(this);
        try {
            client = QuicClientConnection.newBuilder()
                    .uri(URI.create("https://" + QuicTransport.uriHost(host) + ":" + port))
                    .applicationProtocol(QuicTransport.ALPN)
                    .connectTimeout(Duration.ofMillis(Math.min(settings.connectTimeoutMillis(), remainingMillis())))
                    .maxIdleTimeout(Duration.ofMillis(settings.idleTimeoutMillis()))
                    .defaultStreamReceiveBufferSize(settings.maxStreamData())
                    .maxOpenPeerInitiatedBidirectionalStreams(0)
                    .maxOpenPeerInitiatedUnidirectionalStreams(0)
                    // No CA and no host name check: the trust manager below checks the node identity (wire-protocol 1.4).
                    .noServerCertificateCheck()
                    .customTrustManager(trust)
                    .logger(new KwikLog("QUIC dial " + remote.getAuthority()))
                    .build();
            watch(client);
            try {
                client.connect();
            } catch (IOException e) {
                if (trust.refusal() != null) {
                    throw trust.refusal();
                }
                throw timedOut() ? causeOf(e)
                        : new TransportException(TransportError.UNREACHABLE, "no QUIC handshake with " + remote + ": " + e.getMessage(), e);
            }
            NodeId peer = trust.verified();
            List<X509Certificate> chain = client.getServerCertificateChain();
            if (peer == null || chain == null || chain.isEmpty()) {
                throw new TransportException(TransportError.AUTHENTICATION_FAILED, "the listener's certificate was not verified", null);
            }
            QuicStream stream = client.createStream(true);
            StreamOutput output = new StreamOutput(stream.getOutputStream());
            kicking(output);
            StreamFrameReader reader = new StreamFrameReader(stream.getInputStream(), context.maxFrameSize(), 64 * 1024);
            authenticate(credentials, chain.get(0), output, reader);
            finish();
            connection = new QuicFrameConnection(client, output, reader, peer, remote, true, context.handler(),
                    context.maxFrameSize(), settings, transport::ended);
            if (!transport.adopt(connection)) {
                throw new TransportException(TransportError.CLOSED, "the QUIC transport stopped", null);
            }
        } catch (TransportException e) {
            fail(client, e);
            return;
        } catch (IOException | FrameException | RuntimeException e) {
            fail(client, causeOf(e));
            return;
        } finally {
            finish();
            transport.watchdog().remove(this);
        }
        connection.run(false, () -> result.complete(connection));
    }

    /** CERTIFICATE, then CHALLENGE, PROOF and the listener's verdict. */
    private void authenticate(TransportCredentials credentials, X509Certificate listenerCertificate, StreamOutput output,
                              StreamFrameReader reader) throws IOException, FrameException, TransportException {
        X509Certificate mine = credentials.certificate();
        try {
            writeMessage(output, ClientAuth.message(Type.CERTIFICATE, mine.getEncoded()));
            ByteBuffer challenge = expect(reader, Type.CHALLENGE);
            byte[] nonce = ClientAuth.payloadOf(challenge);
            if (nonce.length != ClientAuth.NONCE_LENGTH) {
                throw malformed("a CHALLENGE of " + nonce.length + " bytes");
            }
            byte[] proof = ClientAuth.sign(credentials.certificateKey(), nonce, listenerCertificate, mine);
            writeMessage(output, ClientAuth.message(Type.PROOF, proof));
        } catch (GeneralSecurityException e) {
            throw new TransportException(TransportError.AUTHENTICATION_FAILED, "cannot sign the client proof: " + e, e);
        }
        ByteBuffer verdict = reader.next();
        Type type = verdict == null ? null : ClientAuth.typeOf(verdict);
        if (type == Type.ACCEPTED) {
            return;
        }
        if (type == Type.REFUSED) {
            byte[] why = ClientAuth.payloadOf(verdict);
            ClientAuth.Refusal refusal = ClientAuth.Refusal.of(why.length > 0 ? why[0] : 0);
            throw new TransportException(refusal == ClientAuth.Refusal.UNAVAILABLE ? TransportError.UNREACHABLE
                    : refusal == ClientAuth.Refusal.MALFORMED ? TransportError.MALFORMED : TransportError.AUTHENTICATION_FAILED,
                    "the listener refused this node: " + refusal, null);
        }
        if (verdict == null) {
            throw new IOException("the listener ended the stream during the handshake");
        }
        throw malformed("a message of type " + type + " where ACCEPTED or REFUSED was due");
    }

    private static ByteBuffer expect(StreamFrameReader reader, Type type) throws IOException, FrameException, TransportException {
        ByteBuffer message = reader.next();
        if (message == null) {
            throw new IOException("the listener ended the stream during the handshake");
        }
        Type got = ClientAuth.typeOf(message);
        if (got == Type.REFUSED) {
            throw new TransportException(TransportError.AUTHENTICATION_FAILED, "the listener refused this node", null);
        }
        if (got != type || message.remaining() > ClientAuth.MAX_MESSAGE) {
            throw malformed("a message of type " + got + " where " + type + " was due");
        }
        return message;
    }

    private static TransportException malformed(String what) {
        return new TransportException(TransportError.MALFORMED, "the listener sent " + what, null);
    }

    private void fail(QuicClientConnection client, TransportException cause) {
        if (client != null) {
            try {
                client.close(CloseCode.of(cause.error()).code, cause.error().name());
            } catch (RuntimeException e) {
                // already closed
            }
        }
        transport.released();
        result.completeExceptionally(cause);
    }
}
