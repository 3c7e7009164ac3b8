package io.hypha.transport.quic.internal;

import io.hypha.api.NodeId;
import io.hypha.api.transport.TransportContext;
import io.hypha.api.transport.TransportError;
import io.hypha.api.transport.TransportException;
import io.hypha.transport.quic.internal.ClientAuth.Refusal;
import io.hypha.transport.quic.internal.ClientAuth.Type;
import io.hypha.wire.FrameException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tech.kwik.core.QuicConnection;
import tech.kwik.core.QuicStream;
import tech.kwik.core.server.ApplicationProtocolConnection;
import tech.kwik.core.server.ServerConnection;

/**
 * The listener's side of a new connection: waits for the dialler's stream, checks its proof of identity
 * ({@link ClientAuth}), then announces the connection and runs its reader loop on the same thread. Made by
 * {@link QuicEndpoint} for each QUIC connection kwik accepts; a connection that opens no stream, or does not finish in
 * the handshake timeout, is closed by the {@link Watchdog}.
 */
final class InboundHandshake extends Handshake implements ApplicationProtocolConnection {
    private static final Logger LOG = LoggerFactory.getLogger(InboundHandshake.class);

    private final QuicEndpoint endpoint;
    private final QuicTransport transport;
    private final QuicConnection quic;
    private final TransportContext context;
    private final URI remote;
    private final AtomicBoolean streamTaken = new AtomicBoolean();

    InboundHandshake(QuicEndpoint endpoint, QuicTransport transport, QuicConnection quic, TransportContext context) {
        super(context.handshakeTimeoutMillis(), transport.settings().kickWindowNanos());
        this.endpoint = endpoint;
        this.transport = transport;
        this.quic = quic;
        this.context = context;
        InetSocketAddress from = quic instanceof ServerConnection s ? s.getInitialRemoteAddress() : null;
        this.remote = from == null ? endpoint.address()
                : URI.create(QuicTransport.SCHEME + "://" + QuicTransport.uriHost(from.getAddress().getHostAddress()) + ":" + from.getPort());
        watch(quic);
        transport.watchdog().add(this);
    }

    /** kwik calls this on its receiver thread when the dialler opens a stream: never block it. */
    @Override
    public void acceptPeerInitiatedStream(QuicStream stream) {
        if (!streamTaken.compareAndSet(false, true)) {
            stream.resetStream(CloseCode.MALFORMED.code); // one stream per connection
            return;
        }
        Thread thread = new Thread(() -> run(stream), "hypha-quic-reader from " + remote.getAuthority());
        thread.setDaemon(true);
        transport.track(thread);
        thread.start();
    }

    private void run(QuicStream stream) {
        StreamOutput output = new StreamOutput(stream.getOutputStream());
        kicking(output);
        StreamFrameReader reader = new StreamFrameReader(stream.getInputStream(), context.maxFrameSize(), 64 * 1024);
        QuicFrameConnection connection;
        try {
            NodeId peer = authenticate(output, reader);
            if (peer == null) {
                return;
            }
            connection = new QuicFrameConnection(quic, output, reader, peer, remote, false, context.handler(),
                    context.maxFrameSize(), transport.settings(), c -> {
                        transport.ended(c);
                        endpoint.ended(c);
                    });
            if (!endpoint.adopt(this, connection)) {
                abandon(CloseCode.HANDSHAKE_TIMEOUT, "the handshake ended");
                return;
            }
            if (!transport.adopt(connection)) {
                connection.shutdown();
                return;
            }
        } finally {
            finish();
            transport.watchdog().remove(this);
        }
        connection.run(true, () -> { });
    }

    /** @return the dialler's node, or {@code null} if it was refused (the connection is then closed) */
    private NodeId authenticate(StreamOutput output, StreamFrameReader reader) {
        try {
            ByteBuffer first = reader.next();
            if (first == null || ClientAuth.typeOf(first) != Type.CERTIFICATE || first.remaining() > ClientAuth.MAX_MESSAGE) {
                return refuse(output, Refusal.MALFORMED, "the first message is not a CERTIFICATE");
            }
            X509Certificate certificate;
            NodeId peer;
            try {
                certificate = ClientAuth.parseCertificate(ClientAuth.payloadOf(first));
                peer = context.credentials().verifyPeer(new X509Certificate[] {certificate}, null);
            } catch (CertificateException | TransportException | RuntimeException e) {
                return refuse(output, Refusal.AUTHENTICATION_FAILED, "its certificate was refused: " + e.getMessage());
            }
            byte[] nonce = new byte[ClientAuth.NONCE_LENGTH];
            transport.random().nextBytes(nonce);
            writeMessage(output, ClientAuth.message(Type.CHALLENGE, nonce));
            ByteBuffer proof = reader.next();
            if (proof == null || ClientAuth.typeOf(proof) != Type.PROOF || proof.remaining() > ClientAuth.MAX_MESSAGE) {
                return refuse(output, Refusal.MALFORMED, "a PROOF was due");
            }
            if (!ClientAuth.verify(ClientAuth.payloadOf(proof), nonce, endpoint.certificate(), certificate)) {
                return refuse(output, Refusal.AUTHENTICATION_FAILED, "its proof does not verify");
            }
            if (!endpoint.accepting()) {
                return refuse(output, Refusal.UNAVAILABLE, "the endpoint stopped accepting");
            }
            writeMessage(output, ClientAuth.message(Type.ACCEPTED, new byte[0]));
            return peer;
        } catch (FrameException e) {
            return refuse(output, Refusal.MALFORMED, e.getMessage());
        } catch (IOException | RuntimeException e) {
            TransportException cause = causeOf(e);
            LOG.debug("QUIC connection from {} failed before it was authenticated: {}", remote, cause.getMessage());
            abandon(cause.error() == TransportError.TIMEOUT ? CloseCode.HANDSHAKE_TIMEOUT : CloseCode.MALFORMED, cause.getMessage());
            return null;
        }
    }

    private NodeId refuse(StreamOutput output, Refusal refusal, String why) {
        LOG.info("QUIC connection from {} refused ({}): {}", remote, refusal, why);
        CloseCode code = switch (refusal) {
            case AUTHENTICATION_FAILED -> CloseCode.AUTHENTICATION_FAILED;
            case UNAVAILABLE -> CloseCode.UNAVAILABLE;
            case MALFORMED -> CloseCode.MALFORMED;
        };
        transport.refused(code);
        try {
            writeMessage(output, ClientAuth.message(Type.REFUSED, new byte[] {refusal.code}));
        } catch (IOException | RuntimeException e) {
            // best effort: the close code below says it too
        }
        abandon(code, why);
        return null;
    }

    /** Closes a connection that never became a {@link QuicFrameConnection}, and frees its slot. */
    void abandon(CloseCode code, String why) {
        finish();
        transport.watchdog().remove(this);
        try {
            quic.close(code.code, code.name());
        } catch (RuntimeException e) {
            // already closed
        }
        if (endpoint.forget(this)) {
            transport.released();
        }
    }

    @Override
    public void tick(long now) {
        boolean wasFinished = finished();
        super.tick(now);
        if (!wasFinished && timedOut()) {
            LOG.info("QUIC connection from {} did not authenticate within the handshake timeout", remote);
            transport.refused(CloseCode.HANDSHAKE_TIMEOUT);
            transport.watchdog().remove(this);
            if (endpoint.forget(this)) {
                transport.released();
            }
        }
    }

    @Override
    public String toString() {
        return "QUIC handshake from " + remote;
    }
}
