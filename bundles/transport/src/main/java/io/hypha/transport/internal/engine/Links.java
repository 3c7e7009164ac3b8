package io.hypha.transport.internal.engine;

import io.hypha.api.NodeId;
import io.hypha.api.transport.Connection;
import io.hypha.api.transport.TransportError;
import io.hypha.api.transport.TransportException;
import io.hypha.transport.internal.AdminException;
import io.hypha.transport.internal.AdminFailure;
import io.hypha.transport.internal.Refusal;
import io.hypha.transport.internal.TransportAdmin;
import io.hypha.transport.internal.TransportSettings;
import io.hypha.wire.Frame;
import io.hypha.wire.FrameException;
import io.hypha.wire.Hello;
import io.hypha.wire.HelloReply;
import io.hypha.wire.Ping;
import io.hypha.wire.Pong;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connections: dialling, the connect handshake, liveness (ping, stall and idle timeouts) and closing. Engine thread
 * only. The protocols they belong to are {@link Protocols}'.
 *
 * <p>A link joins its peer's session when its handshake succeeds ({@link Sessions#reselect}); when it closes, the
 * session picks another open link or, if it needs one, dials (with backoff unless the lost link had been stable).
 */
final class Links {
    private static final Logger LOG = LoggerFactory.getLogger(Links.class);
    /** Weight given to addresses an operator typed (adverts bring their own). */
    private static final int OPERATOR_WEIGHT = 100;
    /** How long a refused connection stays open so that its HelloReply reaches the dialler. */
    private static final long REFUSAL_LINGER_NANOS = 1_000_000_000L;
    /** Console pings waiting for their Pong, at most. */
    private static final int MAX_PENDING_PINGS = 1024;

    private final TransportEngine engine;
    private final List<Link> links = new ArrayList<>();
    /** Refused connections kept open until their reply had time to leave: connection → close time (nanos). */
    private final Map<Connection, Long> lingering = new HashMap<>();
    private final Map<Long, PendingPing> pings = new HashMap<>();

    /** A console ping waiting for its Pong. */
    private record PendingPing(CompletableFuture<TransportAdmin.PingResult> result, Link link, long deadline) {
    }

    Links(TransportEngine engine) {
        this.engine = engine;
    }

    /** @return the links in their handshake or open */
    List<Link> all() {
        return links;
    }

    /** @return how many links exist (handshaking and open) */
    int count() {
        return links.size();
    }

    // ------------------------------------------------------------------ dialling

    /**
     * Dials an address.
     *
     * @param session  the peer's session, or {@code null} if the peer is not known yet
     * @param address  the address, without user-info
     * @param expected the node that must answer, or {@code null}
     * @param waiter   an operator's connect request to complete, or {@code null}
     */
    void dial(Session session, URI address, NodeId expected, CompletableFuture<TransportAdmin.ConnectResult> waiter) {
        ProtocolHandle handle = engine.protocols.current(address.getScheme());
        if (handle == null) {
            Set<String> installed = engine.protocols.installedSchemes();
            fail(waiter, AdminFailure.NO_PROTOCOL, "no transport protocol for scheme " + address.getScheme()
                    + " is installed (installed: " + (installed.isEmpty() ? "none" : String.join(", ", installed)) + ")");
            return;
        }
        if (links.size() >= engine.settings().maxConnections()) {
            fail(waiter, AdminFailure.BUSY, "this node has " + links.size() + " connections, its maximum (maxConnections)");
            return;
        }
        Link link = Link.outbound(engine.nextLinkId(), handle, address, expected);
        link.handshakeDeadline = engine.now + engine.settings().handshakeTimeoutMillis() * 1_000_000L;
        link.connectWaiter = waiter;
        if (session != null) {
            link.session = session;
            link.peer = session.peer;
            session.links.add(link);
        }
        links.add(link);
        LOG.debug("node {}: dialling {}", engine.selfShort, link);
        CompletionStage<Connection> stage;
        try {
            stage = handle.protocol.dial(address, expected, handle);
        } catch (RuntimeException e) {
            onDialFailed(link, e);
            return;
        }
        stage.whenComplete((connection, failure) -> handle.dialCompleted(link, connection,
                connection == null && failure == null ? new IllegalStateException("dial completed without a connection") : failure));
    }

    void onDialFailed(Link link, Throwable failure) {
        if (link.isClosed()) {
            return;
        }
        TransportException te = TransportEngine.transportException(failure);
        AdminFailure kind = te != null && te.error() == TransportError.TIMEOUT ? AdminFailure.TIMEOUT : AdminFailure.UNREACHABLE;
        fail(link.connectWaiter, kind, "cannot reach " + link.address + ": " + TransportEngine.describe(failure));
        link.connectWaiter = null;
        refuse(link, Refusal.DIAL_FAILED, TransportEngine.describe(failure), true);
    }

    void onDialled(Link link, Connection connection) {
        if (link.isClosed()) {
            connection.close(); // it timed out, or its protocol went away, before the dial completed
            return;
        }
        NodeId peer = connection.peer();
        if (peer.equals(engine.self)) {
            fail(link.connectWaiter, AdminFailure.SELF, link.address + " is this node");
            link.connectWaiter = null;
            close(link, null, "it reached this node itself");
            return;
        }
        if (link.expectedPeer != null && !link.expectedPeer.equals(peer)) {
            // The protocol must have refused this itself; do not trust the connection.
            fail(link.connectWaiter, AdminFailure.UNREACHABLE, link.address + " is node " + peer + ", not " + link.expectedPeer);
            link.connectWaiter = null;
            refuse(link, Refusal.DIAL_FAILED, "the transport connected to another node than the one dialled", true);
            return;
        }
        Session s = link.session;
        if (s == null) {
            s = engine.sessions.getOrCreate(peer);
            if (s == null) {
                fail(link.connectWaiter, AdminFailure.BUSY, "this node holds sessions for " + engine.sessions.size()
                        + " peers, its maximum (maxPeers)");
                link.connectWaiter = null;
                close(link, null, "too many peers");
                return;
            }
            link.session = s;
            s.links.add(link);
        }
        link.peer = peer;
        TransportSettings settings = engine.settings();
        Hello hello = Hello.newBuilder()
                .setMinVersion(settings.minVersion())
                .setMaxVersion(settings.maxVersion())
                .setNodeId(Handshake.bytes(engine.self))
                .setDialledNodeId(Handshake.bytes(peer))
                .setSessionEpoch(s.epoch)
                .setAckedEpoch(s.recvEpoch)
                .setAckedSeq(s.delivered)
                .setMaxFrameSize(settings.maxFrameSize())
                .setAdvertVersion(engine.ownAdvertVersion())
                .setKnownAdvertVersion(engine.knownAdvertVersion(peer))
                .build();
        link.state = Link.State.HELLO_SENT;
        sendControl(link, Frame.newBuilder().setHello(hello).build());
    }

    // ------------------------------------------------------------------ inbound and handshake frames

    /** Counts and starts the handshake timer of an inbound link on its first event. */
    void register(Link link) {
        if (link.registered) {
            return;
        }
        link.registered = true;
        if (link.isClosed()) {
            return;
        }
        links.add(link);
        link.handshakeDeadline = engine.now + engine.settings().handshakeTimeoutMillis() * 1_000_000L;
        if (links.size() > 2 * engine.settings().maxConnections()) {
            // Far beyond the limit: not even worth a reply.
            refuse(link, Refusal.OVER_CAPACITY, "more than twice maxConnections connections", false);
        }
    }

    void onFrame(Link link, Frame frame) {
        link.lastReceived = engine.now;
        switch (frame.getKindCase()) {
            case HELLO -> onHello(link, frame.getHello());
            case HELLO_REPLY -> onHelloReply(link, frame.getHelloReply());
            case PING -> onPing(link, frame.getPing());
            case PONG -> onPong(link, frame.getPong());
            default -> violation(link, "a " + frame.getKindCase() + " frame where none is expected");
        }
    }

    private void onHello(Link link, Hello hello) {
        if (link.outbound || link.state != Link.State.AWAIT_HELLO) {
            violation(link, "a Hello where none is expected (state " + link.state + ")");
            return;
        }
        TransportSettings settings = engine.settings();
        NodeId peer = link.connection.peer();
        Handshake.Verdict verdict = Handshake.check(hello, peer, engine.self, settings.minVersion(), settings.maxVersion());
        Session s = null;
        if (verdict.isOk()) {
            if (hello.getSessionEpoch() == 0) {
                violation(link, "a Hello with session_epoch 0");
                return;
            }
            if (links.size() > settings.maxConnections()) {
                verdict = Handshake.Verdict.refuse(HelloReply.Result.OVER_CAPACITY, "this node has reached its maximum of "
                        + settings.maxConnections() + " connections");
            } else if ((s = engine.sessions.getOrCreate(peer)) == null) {
                verdict = Handshake.Verdict.refuse(HelloReply.Result.OVER_CAPACITY, "this node holds sessions for its maximum of "
                        + settings.maxPeers() + " peers");
            }
        }
        HelloReply.Builder reply = HelloReply.newBuilder()
                .setResult(verdict.result())
                .setMinVersion(settings.minVersion())
                .setMaxVersion(settings.maxVersion())
                .setMaxFrameSize(settings.maxFrameSize());
        if (!verdict.isOk()) {
            sendControl(link, Frame.newBuilder().setHelloReply(reply.setReason(verdict.reason()).build()).build());
            LOG.info("node {}: refused {} from {}: {} ({})", engine.selfShort, link, peer, verdict.result(), verdict.reason());
            refuse(link, refusalOf(verdict.result()), verdict.reason(), false);
            return;
        }
        s.onPeerEpoch(hello.getSessionEpoch());
        if (hello.getAckedEpoch() == s.epoch && !engine.sessions.onAck(s, hello.getAckedSeq())) {
            violation(link, "the Hello acknowledges seq " + hello.getAckedSeq() + ", beyond the " + s.maxSent + " sent");
            return;
        }
        link.peer = peer;
        link.session = s;
        link.peerEpoch = hello.getSessionEpoch();
        link.peerMaxFrame = Handshake.announcedMax(hello.getMaxFrameSize());
        link.peerAdvertVersion = hello.getAdvertVersion();
        link.peerKnowsOwnAdvert = hello.getKnownAdvertVersion();
        s.links.add(link);
        reply.setChosenVersion(verdict.version())
                .setAdvertVersion(engine.ownAdvertVersion())
                .setKnownAdvertVersion(engine.knownAdvertVersion(peer))
                .setSessionEpoch(s.epoch)
                .setAckedEpoch(s.recvEpoch)
                .setAckedSeq(s.delivered);
        if (sendControl(link, Frame.newBuilder().setHelloReply(reply.build()).build())) {
            opened(link);
        }
    }

    private void onHelloReply(Link link, HelloReply reply) {
        if (!link.outbound || link.state != Link.State.HELLO_SENT) {
            violation(link, "a HelloReply where none is expected (state " + link.state + ")");
            return;
        }
        Session s = link.session;
        AddressBook.Entry entry = s.addresses.find(link.address);
        switch (reply.getResult()) {
            case OK -> {
                TransportSettings settings = engine.settings();
                if (!Handshake.validOk(reply, settings.minVersion(), settings.maxVersion())) {
                    violation(link, "an OK reply choosing version " + reply.getChosenVersion() + " of "
                            + reply.getMinVersion() + ".." + reply.getMaxVersion() + " (epoch " + reply.getSessionEpoch() + ")");
                    return;
                }
                s.onPeerEpoch(reply.getSessionEpoch());
                if (reply.getAckedEpoch() == s.epoch && !engine.sessions.onAck(s, reply.getAckedSeq())) {
                    violation(link, "the reply acknowledges seq " + reply.getAckedSeq() + ", beyond the " + s.maxSent + " sent");
                    return;
                }
                link.peerEpoch = reply.getSessionEpoch();
                link.peerMaxFrame = Handshake.announcedMax(reply.getMaxFrameSize());
                link.peerAdvertVersion = reply.getAdvertVersion();
                link.peerKnowsOwnAdvert = reply.getKnownAdvertVersion();
                if (entry != null) {
                    entry.failures = 0;
                }
                if (link.connectWaiter != null) {
                    s.permanent = true;
                    s.addresses.learn(link.address, AddressBook.Source.OPERATOR, OPERATOR_WEIGHT);
                    link.connectWaiter.complete(new TransportAdmin.ConnectResult(link.peer, link.address));
                    link.connectWaiter = null;
                }
                opened(link);
            }
            case DENIED, INCOMPATIBLE, OVER_CAPACITY -> {
                if (entry != null) {
                    entry.failures++;
                    entry.refused = reply.getResult() != HelloReply.Result.OVER_CAPACITY;
                }
                String why = link.peer + " at " + link.address + " refused the connection: " + reply.getResult()
                        + (reply.getReason().isEmpty() ? "" : " (" + reply.getReason() + ")");
                fail(link.connectWaiter, AdminFailure.REFUSED, why);
                link.connectWaiter = null;
                LOG.warn("node {}: {}", engine.selfShort, why);
                refuse(link, refusalOf(reply.getResult()), why, true);
            }
            default -> violation(link, "a HelloReply with result " + reply.getResultValue());
        }
    }

    private void opened(Link link) {
        link.state = Link.State.OPEN;
        link.opened = true;
        link.openedAt = engine.now;
        link.lastReceived = engine.now;
        link.lastData = engine.now;
        LOG.debug("node {}: {} open", engine.selfShort, link);
        engine.sessions.reselect(link.session);
        if (openLinks(link.session) == 1) {
            engine.peerConnected(link.peer, link.peerAdvertVersion, link.peerKnowsOwnAdvert);
        }
    }

    private static int openLinks(Session s) {
        int n = 0;
        for (Link l : s.links) {
            if (l.isOpen()) {
                n++;
            }
        }
        return n;
    }

    private static Refusal refusalOf(HelloReply.Result result) {
        return switch (result) {
            case DENIED -> Refusal.DENIED;
            case INCOMPATIBLE -> Refusal.INCOMPATIBLE;
            case OVER_CAPACITY -> Refusal.OVER_CAPACITY;
            default -> Refusal.MALFORMED;
        };
    }

    // ------------------------------------------------------------------ ping

    private void onPing(Link link, Ping ping) {
        if (!link.isOpen()) {
            violation(link, "a Ping before the handshake completed");
            return;
        }
        sendOptional(link, Frame.newBuilder().setPong(Pong.newBuilder().setNonce(ping.getNonce()).setSentAt(ping.getSentAt())).build());
    }

    private void onPong(Link link, Pong pong) {
        if (!link.isOpen()) {
            violation(link, "a Pong before the handshake completed");
            return;
        }
        long rttMicros = engine.now / 1000 - pong.getSentAt();
        if (rttMicros < 0 || rttMicros > 3_600_000_000L) {
            return; // not a ping of ours (the peer may echo anything)
        }
        long rtt = rttMicros * 1000;
        link.rttNanos = link.rttNanos < 0 ? rtt : (7 * link.rttNanos + rtt) / 8;
        Session s = link.session;
        AddressBook.Entry entry = link.outbound && s != null ? s.addresses.find(link.address) : null;
        if (entry != null) {
            entry.rttNanos = link.rttNanos;
        }
        PendingPing pending = pings.remove(pong.getNonce());
        if (pending != null && pending.link == link) {
            pending.result.complete(new TransportAdmin.PingResult(link.peer, link.address, rttMicros));
        } else if (pending != null) {
            pings.put(pong.getNonce(), pending);
        }
    }

    /** Sends a Ping on {@code link}; its Pong completes {@code result} (the operator's {@code hypha:ping}). */
    void ping(Session s, CompletableFuture<TransportAdmin.PingResult> result) {
        Link link = s == null ? null : s.active;
        if (link == null && s != null) {
            for (Link l : s.links) {
                if (l.isOpen()) {
                    link = l;
                    break;
                }
            }
        }
        if (link == null) {
            fail(result, AdminFailure.NOT_CONNECTED, "no open connection to that node; use hypha:connect first");
            return;
        }
        if (pings.size() >= MAX_PENDING_PINGS) {
            fail(result, AdminFailure.BUSY, pings.size() + " pings are waiting for their pong");
            return;
        }
        long nonce = sendPing(link);
        pings.put(nonce, new PendingPing(result, link, engine.now + engine.settings().stallTimeoutMillis() * 1_000_000L));
    }

    private long sendPing(Link link) {
        long nonce = engine.random.nextLong();
        link.lastPingSent = engine.now;
        sendOptional(link, Frame.newBuilder().setPing(Ping.newBuilder().setNonce(nonce).setSentAt(engine.now / 1000)).build());
        return nonce;
    }

    // ------------------------------------------------------------------ timers

    /** Handshake deadlines, pings, stalls, idle connections, lingering refusals, console pings. */
    void tick() {
        TransportSettings settings = engine.settings();
        long now = engine.now;
        long ping = settings.pingIntervalMillis() * 1_000_000L;
        long stall = settings.stallTimeoutMillis() * 1_000_000L;
        long idle = settings.idleTimeoutMillis() * 1_000_000L;
        for (Link l : new ArrayList<>(links)) {
            if (l.inHandshake()) {
                if (now - l.handshakeDeadline >= 0) {
                    fail(l.connectWaiter, AdminFailure.TIMEOUT, "no handshake with " + l.address + " within "
                            + settings.handshakeTimeoutMillis() + " ms");
                    l.connectWaiter = null;
                    refuse(l, Refusal.HANDSHAKE_TIMEOUT, "no handshake within " + settings.handshakeTimeoutMillis() + " ms",
                            l.outbound);
                }
            } else if (l.isOpen()) {
                if (now - l.lastReceived >= stall) {
                    refuse(l, Refusal.STALLED, "nothing received for " + (now - l.lastReceived) / 1_000_000 + " ms", true);
                } else if (!l.writable && now - l.unwritableSince >= stall) {
                    refuse(l, Refusal.STALLED, "it could not take a frame for " + (now - l.unwritableSince) / 1_000_000
                            + " ms", true);
                } else if (l.outbound && now - l.lastData >= idle && idleable(l)) {
                    close(l, null, "idle for " + settings.idleTimeoutMillis() + " ms");
                } else if (now - l.lastReceived >= ping && now - l.lastPingSent >= ping) {
                    sendPing(l);
                }
            }
        }
        for (Iterator<Map.Entry<Connection, Long>> it = lingering.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Connection, Long> e = it.next();
            if (now - e.getValue() >= 0) {
                e.getKey().close();
                it.remove();
            }
        }
        for (Iterator<PendingPing> it = pings.values().iterator(); it.hasNext(); ) {
            PendingPing p = it.next();
            if (now - p.deadline >= 0 || p.link.isClosed()) {
                fail(p.result, p.link.isClosed() ? AdminFailure.NOT_CONNECTED : AdminFailure.TIMEOUT,
                        p.link.isClosed() ? "the connection closed before the pong came" : "no pong within "
                                + settings.stallTimeoutMillis() + " ms");
                it.remove();
            }
        }
    }

    /**
     * A dialled link without Data for the idle timeout closes unless it is what keeps a permanent peer connected or
     * still carries unacknowledged messages.
     */
    private static boolean idleable(Link l) {
        Session s = l.session;
        if (s == null) {
            return true;
        }
        if (l == s.active) {
            return !s.permanent && s.buffer.live() == 0;
        }
        return true;
    }

    // ------------------------------------------------------------------ sending and closing

    /**
     * Writes a frame.
     *
     * @return whether the connection took it; if not, the link is marked unwritable until {@code onWritable}
     */
    boolean send(Link link, ByteBuffer frame) {
        Connection c = link.connection;
        boolean taken;
        try {
            taken = c.send(frame);
        } catch (RuntimeException e) {
            LOG.warn("node {}: sending on {} failed: {}", engine.selfShort, link, e.toString());
            close(link, null, "send failed: " + e);
            return false;
        }
        if (!taken) {
            if (c.isOpen()) {
                if (link.writable) {
                    link.writable = false;
                    link.unwritableSince = engine.now;
                }
            } else {
                close(link, null, "the connection is closed");
            }
        }
        return taken;
    }

    /** Sends a handshake frame; a connection that cannot take one is useless and closed. */
    private boolean sendControl(Link link, Frame frame) {
        if (sendOptional(link, frame)) {
            return true;
        }
        if (!link.isClosed()) {
            close(link, null, "its outbound buffer cannot take a handshake frame");
        }
        return false;
    }

    /**
     * Sends a Ping or Pong, which may be skipped when the connection's buffer is full: a busy connection is alive,
     * and the next ping interval tries again.
     */
    private boolean sendOptional(Link link, Frame frame) {
        ByteBuffer bytes;
        try {
            bytes = engine.codec().encode(frame);
        } catch (FrameException e) {
            throw new IllegalStateException("a control frame always encodes", e);
        }
        return send(link, bytes);
    }

    void onWritable(Link link) {
        if (link.isOpen() && !link.writable) {
            link.writable = true;
            Session s = link.session;
            if (s != null) {
                s.ackBlocked = false;
                engine.sessions.markReady(s);
            }
        }
    }

    /**
     * The transport closed a connection. A close for a failure is counted by its cause, like the engine's own
     * refusals (a frame the transport refused at its length prefix is OVERSIZE here too); an orderly close is not.
     */
    void onClosed(Link link, TransportException cause) {
        if (!link.isClosed()) {
            Refusal reason = refusalOf(link, cause);
            if (reason == null) {
                close(link, cause, cause == null ? "closed by the peer or the transport" : cause.getMessage());
            } else {
                refuse(link, reason, "the transport closed it: " + cause.getMessage(), true);
            }
        }
        link.protocol.forget(link);
    }

    /** @return the refusal a transport's close cause counts as, or {@code null} for an orderly close */
    static Refusal refusalOf(Link link, TransportException cause) {
        if (cause == null) {
            return null;
        }
        return switch (cause.error()) {
            case FRAME_TOO_LARGE -> Refusal.OVERSIZE;
            case MALFORMED -> Refusal.MALFORMED;
            case AUTHENTICATION_FAILED -> Refusal.AUTHENTICATION_FAILED;
            case TIMEOUT -> link.inHandshake() ? Refusal.HANDSHAKE_TIMEOUT : Refusal.STALLED;
            case IO, UNREACHABLE -> Refusal.LOST;
            case CLOSED, BAD_ADDRESS -> null;
        };
    }

    /** Closes a link for a protocol reason, counting it. */
    void violation(Link link, String what) {
        refuse(link, Refusal.MALFORMED, what, true);
    }

    /**
     * Counts and closes a link.
     *
     * @param failed whether the session should back off before dialling again
     */
    void refuse(Link link, Refusal reason, String why, boolean failed) {
        if (link.isClosed()) {
            return;
        }
        link.protocol.stats.refusals[reason.ordinal()]++;
        if (reason != Refusal.DIAL_FAILED && reason != Refusal.STALLED && reason != Refusal.LOST) {
            LOG.info("node {}: closing {}: {} ({})", engine.selfShort, link, reason, why);
        } else {
            LOG.debug("node {}: closing {}: {} ({})", engine.selfShort, link, reason, why);
        }
        boolean linger = !link.outbound && (reason == Refusal.DENIED || reason == Refusal.INCOMPATIBLE
                || reason == Refusal.OVER_CAPACITY);
        closeLink(link, linger, failed);
    }

    /** Closes a link in order (no refusal). */
    void close(Link link, TransportException cause, String why) {
        if (link.isClosed()) {
            return;
        }
        LOG.debug("node {}: closing {}: {}", engine.selfShort, link, why);
        closeLink(link, false, false);
    }

    private void closeLink(Link link, boolean linger, boolean failed) {
        boolean wasOpen = link.isOpen();
        link.state = Link.State.CLOSED;
        links.remove(link);
        fail(link.connectWaiter, AdminFailure.UNREACHABLE, "the connection to " + link.address + " closed during its handshake");
        link.connectWaiter = null;
        Connection c = link.connection;
        if (c != null) {
            if (linger) {
                lingering.put(c, engine.now + Math.min(REFUSAL_LINGER_NANOS, engine.settings().handshakeTimeoutMillis() * 1_000_000L));
            } else {
                try {
                    c.close();
                } catch (RuntimeException e) {
                    LOG.debug("node {}: closing {} threw {}", engine.selfShort, link, e.toString());
                }
            }
        }
        Session s = link.session;
        if (s == null) {
            return;
        }
        s.links.remove(link);
        if (s.active == link) {
            engine.sessions.reselect(s);
        }
        if (wasOpen && openLinks(s) == 0) {
            engine.peerDisconnected(s.peer);
        }
        TransportSettings settings = engine.settings();
        boolean stable = wasOpen && engine.now - link.openedAt >= settings.pingIntervalMillis() * 1_000_000L;
        if (stable) {
            s.backoff.reset();
            s.nextDialAt = engine.now; // a connection that worked for a while: dial again at once
        } else if (failed || wasOpen || link.outbound) {
            s.nextDialAt = engine.now + s.backoff.next(settings.redialMinMillis() * 1_000_000L,
                    settings.redialMaxMillis() * 1_000_000L, engine.random);
        }
        if (link.outbound && !wasOpen) {
            AddressBook.Entry entry = s.addresses.find(link.address);
            if (entry != null && !entry.refused) {
                entry.failures++;
            }
        }
    }

    /** The engine stops: closes everything. */
    void stop() {
        for (Link l : new ArrayList<>(links)) {
            close(l, null, "the transport engine stopped");
        }
        for (Connection c : lingering.keySet()) {
            c.close();
        }
        lingering.clear();
        for (PendingPing p : pings.values()) {
            fail(p.result, AdminFailure.NOT_RUNNING, "the transport engine stopped");
        }
        pings.clear();
    }

    /** A protocol went away: its links close, and their sessions move to other links or dial. */
    void closeAll(ProtocolHandle handle) {
        for (Link l : new ArrayList<>(links)) {
            if (l.protocol == handle) {
                close(l, null, "transport protocol " + handle.scheme + " was removed");
            }
        }
    }

    /** @return the number of open and handshaking links per scheme */
    Map<String, Integer> connectionsByScheme() {
        Map<String, Integer> out = new HashMap<>();
        for (Link l : links) {
            out.merge(l.scheme(), 1, Integer::sum);
        }
        return out;
    }

    static <T> void fail(CompletableFuture<T> waiter, AdminFailure failure, String message) {
        if (waiter != null) {
            waiter.completeExceptionally(new AdminException(failure, message));
        }
    }

}
