package io.hypha.transport.internal.engine;

import io.hypha.api.NodeId;
import io.hypha.api.transport.Connection;
import io.hypha.api.transport.ConnectionHandler;
import io.hypha.api.transport.ListeningEndpoint;
import io.hypha.api.transport.TransportCapabilities;
import io.hypha.api.transport.TransportContext;
import io.hypha.api.transport.TransportError;
import io.hypha.api.transport.TransportException;
import io.hypha.api.transport.TransportProtocol;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * An in-memory network for engine tests: transports whose connections deliver frames synchronously, on the sender's
 * thread, and can be told to lose, hold (delay), duplicate, block or break. A connection is ordered, as TCP or a QUIC
 * stream is; reordering only happens across connections. Dialling, listening and sending may happen on several
 * threads (each engine's own), but the fault switches are meant for tests that drive every node from one thread.
 */
public final class MemoryNetwork {
    private final Map<URI, Listener> listeners = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<MemoryConnection> connections = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicInteger ports = new java.util.concurrent.atomic.AtomicInteger(1000);
    /** While set, dials never complete (their stage stays pending): handshake timeouts. */
    boolean dialsHang;
    /** While set, dials fail as unreachable. */
    boolean dialsFail;
    /** If not -1, the dialling side of the next connection delivers this many frames, then holds (one shot). */
    int holdNextAfter = -1;
    /** The clock dial times are recorded with. */
    java.util.function.LongSupplier clock = () -> 0;

    private record Listener(NodeId node, TransportContext context, MemoryTransport transport) {
    }

    /** @return every connection ever opened, oldest first */
    List<MemoryConnection> connections() {
        return connections;
    }

    /** @return the open connections, oldest first */
    public List<MemoryConnection> open() {
        return connections.stream().filter(MemoryConnection::isOpen).toList();
    }

    /**
     * Opens a connection to a listener with a hand-made client side: the test sends raw frames and reads what comes
     * back.
     *
     * @param address       a bound address
     * @param claimedPeer   the identity the listener sees (as if TLS had authenticated it)
     * @return the client side
     */
    RawClient rawDial(URI address, NodeId claimedPeer) {
        Listener l = listeners.get(address);
        if (l == null) {
            throw new IllegalArgumentException("nothing listens on " + address);
        }
        RawClient client = new RawClient();
        MemoryConnection c = new MemoryConnection(l.node, address, true, client, Integer.MAX_VALUE);
        MemoryConnection s = new MemoryConnection(claimedPeer, URI.create(address.getScheme() + "://raw:1"), false,
                l.context.handler(), l.transport.maxFrame);
        c.other = s;
        s.other = c;
        connections.add(c);
        l.context.handler().onConnected(s);
        client.connection = c;
        return client;
    }

    /** A test's own end of a connection: records frames and the close. */
    static final class RawClient implements ConnectionHandler {
        MemoryConnection connection;
        final List<byte[]> frames = new ArrayList<>();
        boolean closed;

        boolean send(byte[] frame) {
            return connection.send(ByteBuffer.wrap(frame));
        }

        @Override
        public void onConnected(Connection c) {
        }

        @Override
        public void onFrame(Connection c, ByteBuffer frame) {
            byte[] b = new byte[frame.remaining()];
            frame.get(b);
            frames.add(b);
        }

        @Override
        public void onWritable(Connection c) {
        }

        @Override
        public void onClosed(Connection c, TransportException cause) {
            closed = true;
        }
    }

    /** One transport protocol of one node on this network. */
    public final class MemoryTransport implements TransportProtocol {
        final String scheme;
        final NodeId node;
        int maxFrame = Integer.MAX_VALUE;
        final List<URI> bound = new ArrayList<>();
        /** When each dial was made, by {@link MemoryNetwork#clock}. */
        final List<Long> dialTimes = new ArrayList<>();
        /** What {@link #metrics()} gives; {@code null}: it throws. */
        java.util.Map<String, Long> metrics = java.util.Map.of();

        /**
         * @param scheme the scheme it serves
         * @param node   the node it belongs to (the identity its peers see)
         */
        public MemoryTransport(String scheme, NodeId node) {
            this.scheme = scheme;
            this.node = node;
        }

        @Override
        public String scheme() {
            return scheme;
        }

        @Override
        public java.util.Map<String, Long> metrics() {
            if (metrics == null) {
                throw new IllegalStateException("metrics broke");
            }
            return metrics;
        }

        @Override
        public TransportCapabilities capabilities() {
            return new TransportCapabilities(true, true, TransportCapabilities.Latency.LOW, TransportCapabilities.Privacy.ENCRYPTED);
        }

        @Override
        public CompletionStage<ListeningEndpoint> listen(URI bindAddress, TransportContext context) {
            maxFrame = context.maxFrameSize();
            URI uri = bindAddress.getPort() == 0
                    ? URI.create(bindAddress.getScheme() + "://" + bindAddress.getHost() + ":" + ports.getAndIncrement()) : bindAddress;
            if (listeners.containsKey(uri)) {
                return CompletableFuture.failedFuture(new TransportException(TransportError.BAD_ADDRESS, uri + " is in use", null));
            }
            listeners.put(uri, new Listener(node, context, this));
            bound.add(uri);
            return CompletableFuture.completedFuture(new ListeningEndpoint() {
                @Override
                public URI address() {
                    return uri;
                }

                @Override
                public void close() {
                    listeners.remove(uri);
                    bound.remove(uri);
                }
            });
        }

        @Override
        public CompletionStage<Connection> dial(URI address, NodeId expectedPeer, TransportContext context) {
            dialTimes.add(clock.getAsLong());
            if (dialsHang) {
                return new CompletableFuture<>();
            }
            Listener l = listeners.get(address);
            if (l == null || dialsFail || !l.transport.scheme.equals(scheme)) {
                return CompletableFuture.failedFuture(new TransportException(TransportError.UNREACHABLE,
                        "nothing listens on " + address, null));
            }
            if (expectedPeer != null && !expectedPeer.equals(l.node)) {
                return CompletableFuture.failedFuture(new TransportException(TransportError.AUTHENTICATION_FAILED,
                        address + " is node " + l.node.shortForm(), null));
            }
            maxFrame = context.maxFrameSize();
            MemoryConnection client = new MemoryConnection(l.node, address, true, context.handler(), maxFrame);
            MemoryConnection server = new MemoryConnection(node, URI.create(scheme + "://" + node.shortForm() + ":"
                    + ports.getAndIncrement()), false, l.context.handler(), l.transport.maxFrame);
            client.other = server;
            server.other = client;
            client.transport = this;
            server.transport = l.transport;
            client.holdAfter = holdNextAfter;
            holdNextAfter = -1;
            connections.add(client);
            l.context.handler().onConnected(server);
            return CompletableFuture.completedFuture(client);
        }

        /** Simulates the protocol's bundle stopping: every connection of it closes, with the listeners. */
        public void shutDown() {
            for (MemoryConnection c : new ArrayList<>(connections)) {
                if (c.transport == this || (c.other != null && c.other.transport == this)) {
                    c.breakWith(new TransportException(TransportError.CLOSED, "the transport stopped", null));
                }
            }
            for (URI uri : new ArrayList<>(bound)) {
                listeners.remove(uri);
            }
            bound.clear();
        }
    }

    /** One side of a connection; {@link #other} is the peer's side. */
    public static final class MemoryConnection implements Connection {
        final NodeId peer;
        final URI remote;
        final boolean outbound;
        final ConnectionHandler handler;
        final int maxFrame;
        MemoryConnection other;
        MemoryTransport transport;
        private volatile boolean open = true;
        /** Frames sent by this side and not delivered yet (while holding). */
        private final Deque<byte[]> held = new ArrayDeque<>();
        /** Frames this side still delivers before it loses every later one (a connection dying silently); -1: no loss. */
        int deliverThenLose = -1;
        /** Keep frames this side sends until {@link #release()}. */
        boolean hold;
        /** If not -1, deliver this many more frames, then start holding. */
        int holdAfter = -1;
        /** Deliver every frame this side sends twice. */
        boolean duplicate;
        /** While holding, refuse frames beyond this many held ones. */
        int capacity = Integer.MAX_VALUE;
        private boolean refused;
        int framesSent;

        MemoryConnection(NodeId peer, URI remote, boolean outbound, ConnectionHandler handler, int maxFrame) {
            this.peer = peer;
            this.remote = remote;
            this.outbound = outbound;
            this.handler = handler;
            this.maxFrame = maxFrame;
        }

        @Override
        public NodeId peer() {
            return peer;
        }

        @Override
        public URI remoteAddress() {
            return remote;
        }

        @Override
        public boolean outbound() {
            return outbound;
        }

        @Override
        public boolean send(ByteBuffer frame) {
            if (frame.remaining() > maxFrame) {
                throw new IllegalArgumentException("frame of " + frame.remaining() + " bytes, maximum " + maxFrame);
            }
            if (!open) {
                return false;
            }
            if (holdAfter == 0) {
                hold = true;
                holdAfter = -1;
            } else if (holdAfter > 0) {
                holdAfter--;
            }
            if (hold && held.size() >= capacity) {
                refused = true;
                return false;
            }
            byte[] copy = new byte[frame.remaining()];
            frame.get(copy);
            framesSent++;
            if (deliverThenLose == 0) {
                return true; // lost, as is everything after it: an ordered connection never skips a frame
            }
            if (deliverThenLose > 0) {
                deliverThenLose--;
            }
            if (hold) {
                held.add(copy);
                return true;
            }
            deliver(copy);
            return true;
        }

        private void deliver(byte[] frame) {
            if (other.open) {
                other.handler.onFrame(other, ByteBuffer.wrap(frame));
                if (duplicate && other.open) {
                    other.handler.onFrame(other, ByteBuffer.wrap(frame));
                }
            }
        }

        /** Delivers the held frames, stops holding, and announces writability if a send was refused. */
        void release() {
            hold = false;
            while (!held.isEmpty() && open) {
                deliver(held.poll());
            }
            if (refused && open) {
                refused = false;
                handler.onWritable(this);
            }
        }

        /** @return how many frames are held */
        int held() {
            return held.size();
        }

        /** Closes both sides with a cause (a broken connection): held frames are lost. */
        void breakWith(TransportException cause) {
            if (!open) {
                return;
            }
            open = false;
            held.clear();
            other.open = false;
            handler.onClosed(this, cause);
            other.handler.onClosed(other, cause);
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() {
            if (!open) {
                return;
            }
            open = false;
            other.open = false;
            held.clear();
            handler.onClosed(this, null);
            other.handler.onClosed(other, null);
        }

        @Override
        public String toString() {
            return "mem[" + (outbound ? "to " : "from ") + remote + "]";
        }
    }
}
