package io.hypha.transport.internal.engine;

import io.hypha.api.NodeId;
import io.hypha.api.transport.Connection;
import io.hypha.transport.internal.TransportAdmin;
import java.net.URI;
import java.util.concurrent.CompletableFuture;

/**
 * One connection as the engine sees it: its handshake state, the session it carries, and its timings. Created by
 * the engine when it dials, or by a transport's I/O thread when a peer connects ({@link ProtocolHandle}); every field
 * but the final ones and {@link #connection} (handed over through the event ring) belongs to the engine thread.
 *
 * <pre>
 *  outbound: DIALLING ──dial done──▶ HELLO_SENT ──HelloReply OK──▶ OPEN ──▶ CLOSED
 *  inbound:  AWAIT_HELLO ──Hello passes the checks, reply OK sent──▶ OPEN ──▶ CLOSED
 *  any state ──timeout, refusal, malformed frame, close──▶ CLOSED
 * </pre>
 */
final class Link {
    /** Handshake state. */
    enum State {
        /** Outbound: the transport is dialling (TCP/QUIC and TLS). */
        DIALLING,
        /** Outbound: Hello sent, waiting for the HelloReply. */
        HELLO_SENT,
        /** Inbound: authenticated by the transport, waiting for the Hello. */
        AWAIT_HELLO,
        /** Handshake done: Data, Ack, Ping and Pong flow. */
        OPEN,
        /** Closed or refused; kept only by references still in flight. */
        CLOSED
    }

    final long id;
    final ProtocolHandle protocol;
    final boolean outbound;
    /** Outbound: the address dialled (without user-info); inbound: the peer's remote address. */
    final URI address;
    /** Outbound: the node that must answer, or {@code null} if any may. */
    final NodeId expectedPeer;
    /** Set at construction (inbound) or by the dial's completion (outbound), before the link's first event. */
    volatile Connection connection;
    /** Scratch of the connection's I/O thread: the seq of the Data frame it just decoded ({@link DataDecoder}). */
    long decodedSeq;

    State state;
    /** Whether the engine has counted it and set its timers (inbound links are registered on their first event). */
    boolean registered;
    /** The authenticated peer, once known. */
    NodeId peer;
    Session session;
    /** The peer's sending epoch announced in this link's handshake. */
    long peerEpoch;
    /** Names and types decoded on this connection lately (its I/O thread only, like {@link #decodedSeq}). */
    final NameCache names = new NameCache();
    /** The advert versions the peer announced in its handshake: its own, and the one it holds of this node. */
    long peerAdvertVersion;
    long peerKnowsOwnAdvert;
    /** Largest frame the peer accepts on this link. */
    int peerMaxFrame;
    long handshakeDeadline;
    /** Whether its handshake ever succeeded (it stays true after it closes). */
    boolean opened;
    long openedAt;
    long lastReceived;
    /** Last Data sent or received: what keeps a dialled connection from being idle. */
    long lastData;
    long lastPingSent;
    /** Smoothed round-trip time in nanoseconds, -1 until a Pong arrived. */
    long rttNanos = -1;
    /** Highest seq sent on this link (a link that becomes active again continues after it). */
    long highestSent;
    boolean writable = true;
    /** When the connection last refused a frame (valid while not {@link #writable}). */
    long unwritableSince;
    /** Whether a Data frame or an Ack waits for this link to become writable. */
    boolean blocked;
    /** The operator's connect request this dial answers, or {@code null}. */
    CompletableFuture<TransportAdmin.ConnectResult> connectWaiter;

    private Link(long id, ProtocolHandle protocol, boolean outbound, URI address, NodeId expectedPeer, Connection connection) {
        this.id = id;
        this.protocol = protocol;
        this.outbound = outbound;
        this.address = address;
        this.expectedPeer = expectedPeer;
        this.connection = connection;
    }

    /**
     * @param id           the engine's number for it (for logs)
     * @param protocol     the protocol dialling
     * @param address      the address dialled
     * @param expectedPeer the node that must answer, or {@code null}
     * @return a link in state {@link State#DIALLING}
     */
    static Link outbound(long id, ProtocolHandle protocol, URI address, NodeId expectedPeer) {
        Link link = new Link(id, protocol, true, address, expectedPeer, null);
        link.state = State.DIALLING;
        link.registered = true;
        return link;
    }

    /**
     * @param id         the engine's number for it (for logs)
     * @param protocol   the protocol that accepted it
     * @param connection the authenticated connection
     * @return a link in state {@link State#AWAIT_HELLO}, not yet registered with the engine
     */
    static Link inbound(long id, ProtocolHandle protocol, Connection connection) {
        Link link = new Link(id, protocol, false, connection.remoteAddress(), null, connection);
        link.state = State.AWAIT_HELLO;
        return link;
    }

    boolean isOpen() {
        return state == State.OPEN;
    }

    boolean isClosed() {
        return state == State.CLOSED;
    }

    boolean inHandshake() {
        return state == State.DIALLING || state == State.HELLO_SENT || state == State.AWAIT_HELLO;
    }

    /** @return the scheme of its protocol */
    String scheme() {
        return protocol.scheme();
    }

    @Override
    public String toString() {
        return "link#" + id + "[" + (outbound ? "to " : "from ") + address + (peer == null ? "" : " " + peer.shortForm())
                + " " + state + "]";
    }
}
