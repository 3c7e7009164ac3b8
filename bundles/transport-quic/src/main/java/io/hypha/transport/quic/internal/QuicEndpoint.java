package io.hypha.transport.quic.internal;

import io.hypha.api.transport.ListeningEndpoint;
import io.hypha.api.transport.TransportContext;
import io.hypha.api.transport.TransportError;
import io.hypha.api.transport.TransportException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tech.kwik.core.QuicConnection;
import tech.kwik.core.server.ApplicationProtocolConnection;
import tech.kwik.core.server.ApplicationProtocolConnectionFactory;
import tech.kwik.core.server.ServerConnectionConfig;
import tech.kwik.core.server.ServerConnector;

/**
 * A bound QUIC listening address: a kwik {@link ServerConnector} on its own UDP socket, presenting the node's
 * certificate, with one {@link InboundHandshake} per QUIC connection it accepts.
 *
 * <p>{@link #close} stops accepting but keeps open connections: kwik's connector cannot stop accepting without
 * closing its connections, so the connector keeps running, refuses new connections, and is shut down (its socket
 * released) once its last connection has closed.
 *
 * <p>The certificate is the one the credentials gave at {@link QuicTransport#listen}; kwik fixes it for the connector's
 * life. A node whose certificate is renewed (after about a day) should listen again; see the component's notes.
 */
final class QuicEndpoint implements ListeningEndpoint, ApplicationProtocolConnectionFactory {
    private static final Logger LOG = LoggerFactory.getLogger(QuicEndpoint.class);
    private static final String ALIAS = "hypha";
    private static final char[] PASSWORD = "in-memory".toCharArray();

    private final QuicTransport transport;
    private final TransportContext context;
    private final URI address;
    private final X509Certificate certificate;
    private final ServerConnector connector;
    private final Object lock = new Object();
    /** Guarded by lock. */
    private final Set<InboundHandshake> handshakes = new HashSet<>();
    /** Guarded by lock. */
    private final Set<QuicFrameConnection> connections = new HashSet<>();
    /** Guarded by lock. */
    private boolean accepting = true;
    /** Guarded by lock. */
    private boolean connectorClosed;

    /**
     * Binds the address and starts accepting.
     *
     * @throws TransportException with {@link TransportError#BAD_ADDRESS} if the address cannot be bound
     */
    QuicEndpoint(QuicTransport transport, String host, InetSocketAddress bind, TransportContext context) throws TransportException {
        this.transport = transport;
        this.context = context;
        QuicTransport.Settings settings = transport.settings();
        DatagramSocket socket;
        try {
            socket = new DatagramSocket(bind);
        } catch (SocketException e) {
            throw new TransportException(TransportError.BAD_ADDRESS, "cannot bind UDP " + bind + ": " + e.getMessage(), e);
        }
        try {
            certificate = context.credentials().certificate();
            PrivateKey key = context.credentials().certificateKey();
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(null, null);
            keyStore.setKeyEntry(ALIAS, key, PASSWORD, new Certificate[] {certificate});
            connector = ServerConnector.builder()
                    .withSocket(socket)
                    .withKeyStore(keyStore, ALIAS, PASSWORD, curveOf(certificate))
                    .withConfiguration(ServerConnectionConfig.builder()
                            .maxIdleTimeout((int) Math.min(Integer.MAX_VALUE, settings.idleTimeoutMillis()))
                            .maxOpenPeerInitiatedBidirectionalStreams(1)
                            .maxOpenPeerInitiatedUnidirectionalStreams(0)
                            .maxConnectionBufferSize(settings.maxConnectionData())
                            .maxBidirectionalStreamBufferSize(settings.maxStreamData())
                            .maxUnidirectionalStreamBufferSize(0)
                            .retryRequired(false)
                            .build())
                    .withLogger(new KwikLog("QUIC listener " + bind))
                    .build();
        } catch (GeneralSecurityException | java.io.IOException | RuntimeException e) {
            socket.close();
            throw new TransportException(TransportError.IO, "cannot start a QUIC listener on " + bind + ": " + e, e);
        }
        this.address = URI.create(QuicTransport.SCHEME + "://" + QuicTransport.uriHost(host) + ":" + socket.getLocalPort());
        connector.registerApplicationProtocol(QuicTransport.ALPN, this);
        connector.start();
        LOG.info("QUIC listening on {}", address);
    }

    private static String curveOf(X509Certificate certificate) {
        if (certificate.getPublicKey() instanceof ECKey ec) {
            int bits = ec.getParams().getCurve().getField().getFieldSize();
            return bits <= 256 ? "secp256r1" : bits <= 384 ? "secp384r1" : "secp521r1";
        }
        return null;
    }

    @Override
    public URI address() {
        return address;
    }

    /** @return the certificate this endpoint presents */
    X509Certificate certificate() {
        return certificate;
    }

    boolean accepting() {
        synchronized (lock) {
            return accepting;
        }
    }

    /** kwik accepted a QUIC connection (on its thread): start its handshake, or refuse it at once. */
    @Override
    public ApplicationProtocolConnection createConnection(String protocol, QuicConnection quic) {
        synchronized (lock) {
            if (accepting && transport.acquire()) {
                InboundHandshake handshake = new InboundHandshake(this, transport, quic, context);
                handshakes.add(handshake);
                return handshake;
            }
        }
        transport.refused(CloseCode.UNAVAILABLE);
        quic.close(CloseCode.UNAVAILABLE.code, CloseCode.UNAVAILABLE.name());
        return null;
    }

    /** @return whether the handshake was still pending (its slot is then the caller's to release) */
    boolean forget(InboundHandshake handshake) {
        boolean closeNow;
        boolean removed;
        synchronized (lock) {
            removed = handshakes.remove(handshake);
            closeNow = idleAndClosed();
        }
        if (closeNow) {
            closeConnectorLater();
        }
        return removed;
    }

    /** @return whether the handshake was pending; the connection then belongs to this endpoint */
    boolean adopt(InboundHandshake handshake, QuicFrameConnection connection) {
        synchronized (lock) {
            if (!handshakes.remove(handshake)) {
                return false;
            }
            connections.add(connection);
            return true;
        }
    }

    /** An inbound connection closed. */
    void ended(QuicFrameConnection connection) {
        boolean closeNow;
        synchronized (lock) {
            connections.remove(connection);
            closeNow = idleAndClosed();
        }
        if (closeNow) {
            closeConnectorLater();
        }
    }

    /** Guarded by lock. */
    private boolean idleAndClosed() {
        if (!accepting && !connectorClosed && handshakes.isEmpty() && connections.isEmpty()) {
            connectorClosed = true;
            return true;
        }
        return false;
    }

    @Override
    public void close() {
        boolean closeNow;
        synchronized (lock) {
            accepting = false;
            closeNow = idleAndClosed();
        }
        if (closeNow) {
            closeConnectorLater();
        }
    }

    /**
     * Closes the endpoint and every connection and handshake it accepted, and waits for kwik's connector to stop.
     * For the transport's shutdown.
     */
    void shutdown() {
        Set<QuicFrameConnection> open;
        Set<InboundHandshake> pending;
        synchronized (lock) {
            accepting = false;
            open = Set.copyOf(connections);
            pending = Set.copyOf(handshakes);
        }
        open.forEach(QuicFrameConnection::shutdown);
        pending.forEach(h -> h.abandon(CloseCode.SHUTDOWN, "the QUIC transport stopped"));
        boolean closeNow;
        synchronized (lock) {
            closeNow = !connectorClosed;
            connectorClosed = true;
        }
        if (closeNow) {
            closeConnector();
        }
    }

    /** kwik's close waits for the connections to drain: not on a caller's or a callback's thread. */
    private void closeConnectorLater() {
        Thread t = new Thread(this::closeConnector, "hypha-quic-unbind " + address.getAuthority());
        t.setDaemon(true);
        transport.track(t);
        t.start();
    }

    private void closeConnector() {
        try {
            connector.close();
            LOG.info("QUIC stopped listening on {}", address);
        } catch (RuntimeException e) {
            LOG.warn("QUIC listener {} did not close cleanly", address, e);
        }
    }

    @Override
    public String toString() {
        return "QUIC endpoint " + address;
    }
}
