package io.hypha.testkit.transport;

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
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link TransportProtocol} inside one JVM, for testing what sits above transports (the Transport engine, its
 * sessions) without sockets: scheme {@code mem}, addresses {@code mem://host:port}. It passes the
 * {@link TransportProtocolContract}, so code that works over it meets the same rules as over a real transport.
 *
 * <pre>
 *  MemoryTransport a ──dial(mem://127.0.0.1:40001)──▶ Network ──▶ MemoryTransport b's endpoint
 *       │ its own thread: every callback of a's connections        │ its own thread: b's callbacks
 *       └──── send: copy ──▶ queued on b's thread ──▶ onFrame ─────┘
 * </pre>
 *
 * <h2>What it does like a real transport</h2>
 * Authentication: each side's credentials verify the other's certificate ({@code verifyPeer}, the expected node
 * for the dialler); a refusal on either side fails the dial with {@link TransportError#AUTHENTICATION_FAILED} and
 * the listener announces nothing. Frames arrive whole and in order; a frame above the receiver's maximum closes the
 * connection with {@link TransportError#FRAME_TOO_LARGE}. Bytes sent and not yet delivered are bounded by the
 * {@code highWaterMark}: {@code send} then returns {@code false} and {@code onWritable} follows once they fall to the
 * {@code lowWaterMark}. Each instance runs all callbacks of its connections on one thread of its own.
 *
 * <h2>What it does not</h2>
 * No encryption and no proof of key possession (certificates are exchanged in memory). No handshake timeout, no
 * connection limit.
 *
 * <h2>Failure injection</h2>
 * {@link #dropConnections()} breaks every connection of this instance as a network failure would
 * ({@link TransportError#IO} on both sides), to test resending on the next connection.
 */
public final class MemoryTransport implements TransportProtocol, AutoCloseable {
    /** The URI scheme served. */
    public static final String SCHEME = "mem";
    /** The default {@code highWaterMark}: 1 MiB. */
    public static final int DEFAULT_HIGH_WATER_MARK = 1 << 20;
    /** The default {@code lowWaterMark}: 256 KiB. */
    public static final int DEFAULT_LOW_WATER_MARK = 256 << 10;

    private static final Logger LOG = LoggerFactory.getLogger(MemoryTransport.class);
    private static final TransportCapabilities CAPABILITIES = new TransportCapabilities(true, true,
            TransportCapabilities.Latency.LOW, TransportCapabilities.Privacy.ENCRYPTED);

    /**
     * Where {@link MemoryTransport}s find each other's endpoints: instances made with the same network can connect.
     * Thread-safe.
     */
    public static final class Network {
        private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();
        private final AtomicInteger nextPort = new AtomicInteger(40_000);

        private int port() {
            return nextPort.incrementAndGet();
        }
    }

    private final Network network;
    private final String name;
    private final int highWaterMark;
    private final int lowWaterMark;
    private final ExecutorService loop;
    private final Set<Side> connections = ConcurrentHashMap.newKeySet();
    private final Set<Endpoint> endpoints = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean stopped = new AtomicBoolean();

    /**
     * A transport with the default water marks.
     *
     * @param network the network it joins
     * @param name    names it in thread names and logs
     */
    public MemoryTransport(Network network, String name) {
        this(network, name, DEFAULT_HIGH_WATER_MARK, DEFAULT_LOW_WATER_MARK);
    }

    /**
     * @param network       the network it joins
     * @param name          names it in thread names and logs
     * @param highWaterMark bytes in flight on a connection (sent, not yet delivered) at which send refuses frames
     * @param lowWaterMark  bytes in flight at or below which onWritable follows a refusal
     * @throws IllegalArgumentException unless {@code 0 <= lowWaterMark < highWaterMark}
     */
    public MemoryTransport(Network network, String name, int highWaterMark, int lowWaterMark) {
        if (lowWaterMark < 0 || highWaterMark <= lowWaterMark) {
            throw new IllegalArgumentException("need 0 <= lowWaterMark < highWaterMark, got " + lowWaterMark + " and "
                    + highWaterMark);
        }
        this.network = Objects.requireNonNull(network, "network");
        this.name = Objects.requireNonNull(name, "name");
        this.highWaterMark = highWaterMark;
        this.lowWaterMark = lowWaterMark;
        this.loop = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "hypha-mem-" + name);
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public String scheme() {
        return SCHEME;
    }

    @Override
    public TransportCapabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public CompletionStage<ListeningEndpoint> listen(URI bindAddress, TransportContext context) {
        try {
            checkScheme(bindAddress, false);
            checkRunning();
        } catch (TransportException e) {
            return CompletableFuture.failedFuture(e);
        }
        int port = bindAddress.getPort() == 0 ? network.port() : bindAddress.getPort();
        URI address = uri(bindAddress.getHost(), port);
        Endpoint endpoint = new Endpoint(this, context, address);
        if (network.endpoints.putIfAbsent(key(address), endpoint) != null) {
            return CompletableFuture.failedFuture(new TransportException(TransportError.BAD_ADDRESS, address
                    + " is already bound", null));
        }
        endpoints.add(endpoint);
        return CompletableFuture.completedFuture(endpoint);
    }

    @Override
    public CompletionStage<Connection> dial(URI address, NodeId expectedPeer, TransportContext context) {
        CompletableFuture<Connection> result = new CompletableFuture<>();
        try {
            checkScheme(address, true);
            checkRunning();
            loop.execute(() -> connect(address, expectedPeer, context, result));
        } catch (TransportException e) {
            result.completeExceptionally(e);
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(stopped());
        }
        return result;
    }

    /** On this instance's thread: finds the endpoint, authenticates both ways, makes both sides. */
    private void connect(URI address, NodeId expectedPeer, TransportContext context, CompletableFuture<Connection> result) {
        Endpoint endpoint = network.endpoints.get(key(address));
        if (endpoint == null || endpoint.owner.stopped.get()) {
            result.completeExceptionally(new TransportException(TransportError.UNREACHABLE, "nothing listens on "
                    + address, null));
            return;
        }
        NodeId listener;
        NodeId dialler;
        try {
            listener = context.credentials().verifyPeer(new X509Certificate[] {endpoint.context.credentials().certificate()},
                    expectedPeer);
            dialler = endpoint.context.credentials().verifyPeer(new X509Certificate[] {context.credentials().certificate()},
                    null);
        } catch (TransportException e) {
            result.completeExceptionally(new TransportException(TransportError.AUTHENTICATION_FAILED, e.getMessage(), e));
            return;
        }
        Side out = new Side(this, context, listener, uri(address.getHost(), address.getPort()), true);
        Side in = new Side(endpoint.owner, endpoint.context, dialler, uri("127.0.0.1", network.port()), false);
        out.other = in;
        in.other = out;
        connections.add(out);
        endpoint.owner.connections.add(in);
        // onConnected is queued on the listener's thread before the dial completes here, on the dialler's thread: a
        // frame the dialler sends at once is queued behind it, and one the listener sends from onConnected is queued
        // behind this task.
        if (!endpoint.owner.run(in::connected)) {
            connections.remove(out);
            result.completeExceptionally(new TransportException(TransportError.UNREACHABLE, "the listener stopped", null));
            return;
        }
        if (!result.complete(out)) {
            out.close();
        }
    }

    /**
     * Breaks every connection of this instance as a network failure would: both sides get {@code onClosed} with
     * {@link TransportError#IO}.
     */
    public void dropConnections() {
        for (Side side : List.copyOf(connections)) {
            TransportException cause = new TransportException(TransportError.IO, "the connection was dropped", null);
            side.closeWith(cause, cause);
        }
    }

    /**
     * Stops: closes the endpoints and every connection ({@code onClosed} with {@link TransportError#CLOSED} here, an
     * orderly close at the peer), then ends the thread after the queued callbacks. Idempotent.
     */
    @Override
    public void close() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        List.copyOf(endpoints).forEach(Endpoint::close);
        for (Side side : List.copyOf(connections)) {
            side.closeWith(new TransportException(TransportError.CLOSED, "the transport stopped", null), null);
        }
        loop.shutdown();
        try {
            if (!loop.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("Memory transport {}: callbacks still running 5 s after close", name);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** @return whether the task was queued on this instance's thread (false once it stopped) */
    private boolean run(Runnable task) {
        try {
            loop.execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    private void checkRunning() throws TransportException {
        if (stopped.get()) {
            throw stopped();
        }
    }

    private static TransportException stopped() {
        return new TransportException(TransportError.CLOSED, "the memory transport is stopped", null);
    }

    private static void checkScheme(URI address, boolean dial) throws TransportException {
        if (address == null || !SCHEME.equalsIgnoreCase(address.getScheme()) || address.getHost() == null
                || address.getPort() < 0 || dial && address.getPort() == 0) {
            throw new TransportException(TransportError.BAD_ADDRESS, "'" + address + "' is not a " + SCHEME
                    + "://host:port address" + (dial ? " with a port" : ""), null);
        }
    }

    private static String key(URI address) {
        return address.getHost() + ":" + address.getPort();
    }

    private static URI uri(String host, int port) {
        try {
            return new URI(SCHEME, null, host, port, null, null, null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Override
    public String toString() {
        return "MemoryTransport[" + name + "]";
    }

    /** A bound address. */
    private static final class Endpoint implements ListeningEndpoint {
        final MemoryTransport owner;
        final TransportContext context;
        final URI address;

        Endpoint(MemoryTransport owner, TransportContext context, URI address) {
            this.owner = owner;
            this.context = context;
            this.address = address;
        }

        @Override
        public URI address() {
            return address;
        }

        @Override
        public void close() {
            owner.network.endpoints.remove(key(address), this);
            owner.endpoints.remove(this);
        }
    }

    /** One end of a connection; its callbacks run on its owner's thread. */
    private static final class Side implements Connection {
        final MemoryTransport owner;
        final TransportContext context;
        final ConnectionHandler handler;
        final NodeId peer;
        final URI remote;
        final boolean outbound;
        /** Bytes this side sent that the other has not consumed yet. */
        final AtomicLong inFlight = new AtomicLong();
        final AtomicBoolean writableWanted = new AtomicBoolean();
        final AtomicBoolean closed = new AtomicBoolean();
        volatile Side other;
        /** Owner's thread only. */
        boolean closedReported;
        /** Owner's thread only: a frame was refused; nothing more is delivered. */
        boolean refusing;

        Side(MemoryTransport owner, TransportContext context, NodeId peer, URI remote, boolean outbound) {
            this.owner = owner;
            this.context = context;
            this.handler = context.handler();
            this.peer = peer;
            this.remote = remote;
            this.outbound = outbound;
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
            int length = frame.remaining();
            if (length > context.maxFrameSize()) {
                throw new IllegalArgumentException("a frame of " + length + " bytes is larger than the maximum of "
                        + context.maxFrameSize());
            }
            if (closed.get()) {
                return false;
            }
            if (inFlight.get() >= owner.highWaterMark) {
                writableWanted.set(true);
                released(0);
                return false;
            }
            byte[] copy = new byte[length];
            frame.get(copy);
            inFlight.addAndGet(length);
            Side receiver = other;
            if (!receiver.owner.run(() -> receiver.receive(copy, this))) {
                inFlight.addAndGet(-length);
                return false;
            }
            return true;
        }

        /** Receiver's thread. */
        private void receive(byte[] frame, Side sender) {
            try {
                if (closedReported || refusing) {
                    return;
                }
                if (frame.length > context.maxFrameSize()) {
                    refusing = true;
                    closeWith(new TransportException(TransportError.FRAME_TOO_LARGE, "a frame of " + frame.length
                            + " bytes is larger than the maximum of " + context.maxFrameSize(), null), null);
                    return;
                }
                handler.onFrame(this, ByteBuffer.wrap(frame).asReadOnlyBuffer());
            } catch (RuntimeException e) {
                LOG.warn("Memory transport {}: the connection handler failed in onFrame", owner.name, e);
            } finally {
                sender.released(frame.length);
            }
        }

        /** Any thread: {@code length} bytes were consumed by the peer. */
        private void released(long length) {
            if (inFlight.addAndGet(-length) <= owner.lowWaterMark && writableWanted.compareAndSet(true, false)) {
                owner.run(() -> {
                    if (!closedReported) {
                        handler.onWritable(this);
                    }
                });
            }
        }

        /** Owner's thread. Announced even if already closed: onClosed is queued behind, and must follow it. */
        private void connected() {
            try {
                handler.onConnected(this);
            } catch (RuntimeException e) {
                LOG.warn("Memory transport {}: the connection handler failed in onConnected", owner.name, e);
            }
        }

        @Override
        public boolean isOpen() {
            return !closed.get();
        }

        @Override
        public void close() {
            closeWith(null, null);
        }

        /** Any thread: closes both sides, each reporting on its own thread after the frames queued before. */
        void closeWith(TransportException here, TransportException there) {
            Side peerSide = other;
            if (closed.compareAndSet(false, true)) {
                peerSide.closed.set(true);
                owner.run(() -> reportClosed(here));
                peerSide.owner.run(() -> peerSide.reportClosed(there));
            }
        }

        private void reportClosed(TransportException cause) {
            if (closedReported) {
                return;
            }
            closedReported = true;
            owner.connections.remove(this);
            try {
                handler.onClosed(this, cause);
            } catch (RuntimeException e) {
                LOG.warn("Memory transport {}: the connection handler failed in onClosed", owner.name, e);
            }
        }
    }
}
