package io.hypha.transport.internal.engine;

import io.hypha.api.Envelope;
import io.hypha.api.transport.Connection;
import io.hypha.api.transport.ConnectionHandler;
import io.hypha.api.transport.ListeningEndpoint;
import io.hypha.api.transport.TransportContext;
import io.hypha.api.transport.TransportCredentials;
import io.hypha.api.transport.TransportException;
import io.hypha.api.transport.TransportProtocol;
import io.hypha.transport.internal.Refusal;
import io.hypha.wire.EnvelopeFrames;
import io.hypha.wire.Frame;
import io.hypha.wire.FrameError;
import io.hypha.wire.FrameException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The engine's side of one installed {@link TransportProtocol}: the {@link TransportContext} it listens and dials with,
 * and the {@link ConnectionHandler} its I/O threads call.
 *
 * <p>On the I/O thread each frame is decoded (a Data frame by {@link DataDecoder} straight into its {@link Envelope},
 * others by the generated classes) and handed to the engine thread through its event ring, so decoding runs in parallel with the engine and the engine sees only
 * well-formed frames. A frame that does not decode closes its connection at once (counted as {@link Refusal#MALFORMED}
 * or {@link Refusal#OVERSIZE}); one that finds the inbound byte budget (or the ring and its spill queue) full closes
 * it too ({@link Refusal#INBOUND_OVERFLOW}), because dropping a frame from an ordered stream would break the
 * session's numbering: the peer resends on its next connection. Handler methods never block.
 */
final class ProtocolHandle implements TransportContext, ConnectionHandler {
    final TransportEngine engine;
    final TransportProtocol protocol;
    final String scheme;
    final SchemeStats stats;
    /** Links by connection, read by I/O threads: written when a connection is accepted or its dial completes. */
    private final ConcurrentHashMap<Connection, Link> links = new ConcurrentHashMap<>();
    /** Endpoints listening for this protocol (engine thread). */
    final List<ListeningEndpoint> endpoints = new ArrayList<>(2);
    /** Set when the protocol's service went away: late callbacks only close. */
    volatile boolean removed;

    ProtocolHandle(TransportEngine engine, TransportProtocol protocol, String scheme, SchemeStats stats) {
        this.engine = engine;
        this.protocol = protocol;
        this.scheme = scheme;
        this.stats = stats;
    }

    String scheme() {
        return scheme;
    }

    // ------------------------------------------------------------------ TransportContext

    @Override
    public TransportCredentials credentials() {
        return engine.credentials;
    }

    @Override
    public int maxFrameSize() {
        return engine.settings().maxFrameSize();
    }

    @Override
    public long handshakeTimeoutMillis() {
        return engine.settings().handshakeTimeoutMillis();
    }

    @Override
    public ConnectionHandler handler() {
        return this;
    }

    // ------------------------------------------------------------------ dial completion (any thread)

    /**
     * Completes an outbound link: registers its connection before announcing it, so that every frame of it finds
     * its link.
     */
    void dialCompleted(Link link, Connection connection, Throwable failure) {
        if (connection != null) {
            link.connection = connection;
            links.put(connection, link);
            engine.ioEvent(TransportEngine.DIALLED, link, connection, 0, 0);
        } else {
            engine.ioEvent(TransportEngine.DIAL_FAILED, link, failure, 0, 0);
        }
    }

    /** Forgets a closed link's connection (engine thread). */
    void forget(Link link) {
        Connection c = link.connection;
        if (c != null) {
            links.remove(c, link);
        }
    }

    // ------------------------------------------------------------------ ConnectionHandler (I/O threads)

    @Override
    public void onConnected(Connection connection) {
        if (removed) {
            connection.close();
            return;
        }
        Link link = Link.inbound(engine.nextLinkId(), this, connection);
        links.put(connection, link);
        engine.ioEvent(TransportEngine.CONNECTED, link, null, 0, 0);
    }

    @Override
    public void onFrame(Connection connection, ByteBuffer frame) {
        Link link = links.get(connection);
        if (link == null) {
            // Frames before the dial completed, or after the link was forgotten: nothing can use them.
            connection.close();
            return;
        }
        int size = frame.remaining();
        try {
            if (size > engine.settings().maxFrameSize()) {
                throw new FrameException(FrameError.OVERSIZE, "a frame of " + size + " bytes arrived; the maximum is "
                        + engine.settings().maxFrameSize(), null);
            }
            Envelope data = DataDecoder.decode(frame, connection.peer(), link);
            if (data != null) {
                queue(link, connection, TransportEngine.DATA, data, link.decodedSeq, size);
            } else {
                decodeAnyFrame(link, connection, frame, size);
            }
        } catch (FrameException e) {
            refuse(link, connection, e);
        }
    }

    /** The general path: every frame kind, through the generated classes. */
    private void decodeAnyFrame(Link link, Connection connection, ByteBuffer frame, int size) throws FrameException {
        Frame f = engine.codec().decode(frame);
        switch (f.getKindCase()) {
            case DATA -> queue(link, connection, TransportEngine.DATA, EnvelopeFrames.toEnvelope(f.getData(), connection.peer()),
                    f.getData().getSeq(), size);
            case ACK -> queue(link, connection, TransportEngine.ACK, null, f.getAck().getSeq(), size);
            default -> queue(link, connection, TransportEngine.FRAME, f, 0, size);
        }
    }

    /** Hands a decoded frame to the engine within the inbound byte budget, or closes the connection. */
    private void queue(Link link, Connection connection, int kind, Object payload, long seq, int size) throws FrameException {
        if (kind == TransportEngine.DATA && seq == 0) {
            throw new FrameException(FrameError.MALFORMED_MESSAGE, "Data seq 0 (seqs start at 1)", null);
        }
        if (!engine.reserveInbound(size)) {
            // The refusal goes first, so the engine counts it before it sees the close.
            engine.ioEvent(TransportEngine.REFUSED, link, new TransportEngine.Problem(Refusal.INBOUND_OVERFLOW,
                    "more than " + engine.settings().inboundBufferBytes() + " bytes of frames wait for the engine"), 0, 0);
            connection.close();
            return;
        }
        engine.ioEvent(kind, link, payload, seq, size);
    }

    private void refuse(Link link, Connection connection, FrameException e) {
        Refusal reason = e.error() == FrameError.OVERSIZE ? Refusal.OVERSIZE : Refusal.MALFORMED;
        engine.ioEvent(TransportEngine.REFUSED, link, new TransportEngine.Problem(reason, e.getMessage()), 0, 0);
        connection.close();
    }

    @Override
    public void onWritable(Connection connection) {
        Link link = links.get(connection);
        if (link != null) {
            engine.ioEvent(TransportEngine.WRITABLE, link, null, 0, 0);
        }
    }

    @Override
    public void onClosed(Connection connection, TransportException cause) {
        Link link = links.get(connection);
        if (link != null) {
            engine.ioEvent(TransportEngine.CLOSED, link, cause, 0, 0);
        }
    }

    @Override
    public String toString() {
        return scheme + ":" + protocol.getClass().getName();
    }
}
