package io.hypha.transport.tls.internal;

import io.hypha.api.NodeId;
import io.hypha.api.transport.Connection;
import io.hypha.api.transport.ListeningEndpoint;
import io.hypha.api.transport.TransportCapabilities;
import io.hypha.api.transport.TransportContext;
import io.hypha.api.transport.TransportCredentials;
import io.hypha.api.transport.TransportError;
import io.hypha.api.transport.TransportException;
import io.hypha.api.transport.TransportProtocol;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code tls} transport protocol: TLS 1.3 over TCP with Netty's NIO transport. Each frame travels as a varint
 * length prefix and its bytes (docs/wire-protocol.md, section 2); both ends present node certificates and verify each
 * other's with {@link TransportCredentials} (section 1).
 *
 * <pre>
 *  listen(tls://host:port) ──▶ ServerBootstrap ──accept──▶ [SslHandler (server, client auth required) ─▶ TlsChannelHandler]
 *  dial(tls://host:port)   ──▶ Bootstrap ──connect───────▶ [SslHandler (client)                        ─▶ TlsChannelHandler]
 *                                                              one event loop per channel: every callback of a connection
 * </pre>
 *
 * <h2>Threads</h2>
 * One Netty event loop group of {@code ioThreads} threads serves every socket of this instance. All
 * {@link io.hypha.api.transport.ConnectionHandler} callbacks for a connection run on its channel's event loop: one at a
 * time, in order, and they must not block (a blocked callback stalls every connection on that loop). A dial's stage
 * completes on that event loop too, before any frame of the connection is delivered.
 *
 * <h2>Limits and refusals</h2>
 * Inbound connections beyond {@code maxConnections} are closed as they are accepted. A peer that sends garbage, a TLS
 * client without a node certificate, a handshake slower than the context's timeout, an oversize length prefix (refused
 * before its body is read) or a malformed one closes that connection only; each is counted by {@link CloseReason}
 * ({@link #counters()}) and logged (at INFO the 1st, 2nd, 4th, 8th... time per reason, else at DEBUG).
 *
 * <h2>Stopping</h2>
 * {@link #close()} (DS deactivation) closes the listening sockets and every connection (whose {@code onClosed} reports
 * {@link TransportError#CLOSED}), fails pending dials, and stops the event loops, each wait bounded by
 * {@code shutdownTimeoutMillis}.
 */
@Component(service = TransportProtocol.class, configurationPid = TlsTransport.PID,
        property = TransportProtocol.SCHEME + "=" + TlsTransport.SCHEME)
@Designate(ocd = TlsTransport.Config.class)
public final class TlsTransport implements TransportProtocol, AutoCloseable {
    /** Configuration PID. */
    public static final String PID = "io.hypha.transport.tls";
    /** The URI scheme served. */
    public static final String SCHEME = "tls";

    private static final Logger LOG = LoggerFactory.getLogger(TlsTransport.class);
    private static final TransportCapabilities CAPABILITIES = new TransportCapabilities(true, true,
            TransportCapabilities.Latency.LOW, TransportCapabilities.Privacy.ENCRYPTED);

    /** Configuration of the tls transport. */
    @ObjectClassDefinition(id = PID, name = "Hypha TLS transport",
            description = "TLS 1.3 over TCP (Netty NIO) between nodes that authenticate each other with node "
                    + "certificates. Listen addresses are configured in the Transport engine.")
    public @interface Config {
        /** @return event loop threads */
        @AttributeDefinition(name = "I/O threads",
                description = "Event loop threads shared by all sockets of this transport; each connection stays on "
                        + "one. One thread carries about a million small frames per second. 1 to 64. Default 1.")
        int ioThreads() default 1;

        /** @return TCP connect timeout */
        @AttributeDefinition(name = "Connect timeout (ms)",
                description = "How long a dial waits for the TCP connection before failing with TIMEOUT. The TLS "
                        + "handshake that follows has the Transport engine's handshake timeout. At least 1. Default "
                        + "5000.")
        int connectTimeoutMillis() default 5_000;

        /** @return high water mark */
        @AttributeDefinition(name = "Write buffer high water mark (bytes)",
                description = "Bytes queued on one connection and not yet on the socket, above which send refuses "
                        + "frames (the Transport engine keeps them). Bounds the memory of each connection: with "
                        + "concurrent senders it may be exceeded by one frame per sending thread. More than the low "
                        + "water mark. Default 1048576 (1 MiB).")
        int writeBufferHighWaterMark() default 1 << 20;

        /** @return low water mark */
        @AttributeDefinition(name = "Write buffer low water mark (bytes)",
                description = "Queued bytes below which a connection that refused a frame takes frames again and "
                        + "onWritable is called. At least 1. Default 262144 (256 KiB).")
        int writeBufferLowWaterMark() default 256 << 10;

        /** @return inbound connection limit */
        @AttributeDefinition(name = "Maximum inbound connections",
                description = "Inbound connections (handshaking or open) this transport keeps at once; one more is "
                        + "closed as soon as it is accepted, and counted (over_capacity). At least 1. Default 1024.")
        int maxConnections() default 1_024;

        /** @return shutdown quiet period */
        @AttributeDefinition(name = "Shutdown quiet period (ms)",
                description = "When the transport stops, its event loops end after this long without new tasks. "
                        + "Small, so that a bundle update is fast. At least 0. Default 10.")
        long shutdownQuietMillis() default 10L;

        /** @return shutdown timeout */
        @AttributeDefinition(name = "Shutdown timeout (ms)",
                description = "The longest the transport waits, when it stops, for its connections to close and then "
                        + "for its threads to end. At least the quiet period. Default 2000.")
        long shutdownTimeoutMillis() default 2_000L;
    }

    private final TlsSettings settings;
    private final String name;
    private final EventLoopGroup group;
    private final WriteBufferWaterMark waterMark;
    private final TlsCounters counters = new TlsCounters();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicInteger inbound = new AtomicInteger();
    private final Map<Channel, TlsChannelHandler> channels = new ConcurrentHashMap<>();
    private final Set<Channel> servers = ConcurrentHashMap.newKeySet();
    private final Set<CompletableFuture<Connection>> dials = ConcurrentHashMap.newKeySet();

    /**
     * Starts the event loops.
     *
     * @param credentials this node's credentials: the transport is offered only on a node that has them (each
     *                    listen and dial uses those of its context); they also name the node in logs and threads
     * @param config      the configuration
     * @throws IllegalArgumentException if the configuration is out of range (the component then stays inactive)
     */
    @Activate
    public TlsTransport(@Reference TransportCredentials credentials, Config config) {
        this(TlsSettings.of(config), nodeName(credentials));
    }

    /**
     * For tests and use without OSGi.
     *
     * @param settings the settings
     * @param name     names this node in logs and thread names
     */
    public TlsTransport(TlsSettings settings, String name) {
        this.settings = settings;
        this.name = name;
        this.waterMark = new WriteBufferWaterMark(settings.writeBufferLowWaterMark(), settings.writeBufferHighWaterMark());
        this.group = new NioEventLoopGroup(settings.ioThreads(), new DefaultThreadFactory("hypha-tls-" + name, true));
        LOG.info("Node {}: tls transport started ({} I/O thread(s), at most {} inbound connections)", name,
                settings.ioThreads(), settings.maxConnections());
    }

    private static String nodeName(TransportCredentials credentials) {
        try {
            return credentials.verifyPeer(new X509Certificate[] {credentials.certificate()}, null).shortForm();
        } catch (TransportException e) {
            throw new IllegalStateException("the node's own TLS certificate does not verify: " + e.getMessage(), e);
        }
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
        TlsAddress address;
        SslContext ssl;
        try {
            address = TlsAddress.parse(bindAddress, false);
            checkRunning();
            ssl = TlsContexts.server(context.credentials());
        } catch (TransportException e) {
            return CompletableFuture.failedFuture(e);
        }
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        accept(channel, ssl, context);
                    }
                });
        CompletableFuture<ListeningEndpoint> result = new CompletableFuture<>();
        try {
            // Resolving a host name may block: done on the event loop, never on the caller's thread.
            group.next().execute(() -> bind(bootstrap, address, result));
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(stopped(e));
        }
        return result;
    }

    private void bind(ServerBootstrap bootstrap, TlsAddress address, CompletableFuture<ListeningEndpoint> result) {
        InetSocketAddress socketAddress = new InetSocketAddress(address.host(), address.port());
        if (socketAddress.isUnresolved()) {
            result.completeExceptionally(new TransportException(TransportError.BAD_ADDRESS, "unknown host '"
                    + address.host() + "'", null));
            return;
        }
        bootstrap.bind(socketAddress).addListener((ChannelFuture bound) -> {
            if (!bound.isSuccess()) {
                result.completeExceptionally(new TransportException(TransportError.BAD_ADDRESS, "could not listen on "
                        + address.uri() + ": " + bound.cause().getMessage(), bound.cause()));
                return;
            }
            Channel server = bound.channel();
            servers.add(server);
            server.closeFuture().addListener(closed -> servers.remove(server));
            if (stopping.get()) {
                server.close();
                result.completeExceptionally(stopped(null));
                return;
            }
            URI uri = TlsAddress.uriOf((InetSocketAddress) server.localAddress());
            LOG.info("Node {}: tls transport listens on {}", name, uri);
            result.complete(new Endpoint(server, uri));
        });
    }

    /** Sets up an accepted channel, or closes it at once when the transport is full or stopping. */
    private void accept(SocketChannel channel, SslContext ssl, TransportContext context) {
        if (stopping.get()) {
            channel.close();
            return;
        }
        if (inbound.incrementAndGet() > settings.maxConnections()) {
            inbound.decrementAndGet();
            closedFor(CloseReason.OVER_CAPACITY, true, false, channel.remoteAddress(), null);
            channel.close();
            return;
        }
        channel.closeFuture().addListener(closed -> inbound.decrementAndGet());
        TlsChannelHandler handler = new TlsChannelHandler(this, context, null, null, null);
        track(channel, handler);
        channel.pipeline().addLast("tls", tlsHandler(ssl, channel, context)).addLast("flush", new FlushBatcher())
                .addLast("frames", handler);
    }

    @Override
    public CompletionStage<Connection> dial(URI address, NodeId expectedPeer, TransportContext context) {
        TlsAddress parsed;
        NodeId expected;
        SslContext ssl;
        try {
            parsed = TlsAddress.parse(address, true);
            if (expectedPeer != null && parsed.node() != null && !expectedPeer.equals(parsed.node())) {
                throw new TransportException(TransportError.BAD_ADDRESS, "'" + address + "' names node " + parsed.node()
                        + " but node " + expectedPeer + " is expected", null);
            }
            expected = expectedPeer != null ? expectedPeer : parsed.node();
            checkRunning();
            ssl = TlsContexts.client(context.credentials(), expected);
        } catch (TransportException e) {
            return CompletableFuture.failedFuture(e);
        }
        URI dialled = parsed.uri();
        CompletableFuture<Connection> result = new CompletableFuture<>();
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, settings.connectTimeoutMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        TlsChannelHandler handler = new TlsChannelHandler(TlsTransport.this, context, expected, result,
                                dialled);
                        track(channel, handler);
                        channel.pipeline().addLast("tls", tlsHandler(ssl, channel, context))
                                .addLast("flush", new FlushBatcher()).addLast("frames", handler);
                    }
                });
        dials.add(result);
        result.whenComplete((connection, failure) -> dials.remove(result));
        try {
            // Unresolved: Netty resolves the host on the event loop, so the caller never waits for DNS.
            bootstrap.connect(InetSocketAddress.createUnresolved(parsed.host(), parsed.port()))
                    .addListener((ChannelFuture connected) -> {
                        if (!connected.isSuccess()) {
                            result.completeExceptionally(connectFailure(dialled, connected.cause()));
                        }
                    });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(stopped(e));
        }
        if (stopping.get()) {
            result.completeExceptionally(stopped(null));
        }
        return result;
    }

    private static SslHandler tlsHandler(SslContext ssl, Channel channel, TransportContext context) {
        SslHandler handler = ssl.newHandler(channel.alloc());
        handler.setHandshakeTimeoutMillis(context.handshakeTimeoutMillis());
        return handler;
    }

    private static TransportException connectFailure(URI address, Throwable cause) {
        TransportError error;
        if (cause instanceof ConnectTimeoutException) {
            error = TransportError.TIMEOUT;
        } else if (cause instanceof ConnectException || cause instanceof NoRouteToHostException
                || cause instanceof UnknownHostException || cause instanceof UnresolvedAddressException) {
            error = TransportError.UNREACHABLE;
        } else if (cause instanceof ClosedChannelException || cause instanceof RejectedExecutionException) {
            error = TransportError.CLOSED;
        } else {
            error = TransportError.IO;
        }
        return new TransportException(error, "could not connect to " + address + ": " + cause.getMessage(), cause);
    }

    private void track(Channel channel, TlsChannelHandler handler) {
        channels.put(channel, handler);
        channel.closeFuture().addListener(closed -> channels.remove(channel));
    }

    private void checkRunning() throws TransportException {
        if (stopping.get()) {
            throw stopped(null);
        }
    }

    private static TransportException stopped(Throwable cause) {
        return new TransportException(TransportError.CLOSED, "the tls transport is stopped", cause);
    }

    /**
     * Counts and logs a connection closed for a failure.
     *
     * @param reason     why
     * @param handshake  whether it failed before the peer was authenticated
     * @param outbound   whether this side dialled
     * @param remote     the peer's socket address
     * @param cause      the failure, or {@code null}
     */
    void closedFor(CloseReason reason, boolean handshake, boolean outbound, SocketAddress remote, TransportException cause) {
        long count = counters.closed(reason);
        // Log the 1st, 2nd, 4th, 8th... occurrence per reason at INFO: a flood of bad peers cannot flood the log.
        boolean loud = Long.bitCount(count) == 1;
        if (loud && LOG.isInfoEnabled() || LOG.isDebugEnabled()) {
            String message = "Node {}: closed {} connection {} {}{}: {} ({} so far){}";
            Object[] args = {name, outbound ? "outbound" : "inbound", outbound ? "to" : "from", remote,
                handshake ? " during the handshake" : "", reason.name().toLowerCase(java.util.Locale.ROOT), count,
                cause == null ? "" : " - " + cause.getMessage()};
            if (loud) {
                LOG.info(message, args);
            } else {
                LOG.debug(message, args);
            }
        }
    }

    /** @return counters of connections established and closed by reason (the same as {@link #metrics()}) */
    public Map<String, Long> counters() {
        return counters.snapshot();
    }

    /**
     * Counters by dotted lower-case name: {@code connections.inbound}, {@code connections.outbound} and
     * {@code closed.<over_capacity|not_tls|authentication_failed|handshake_failed|...>}, one per {@link CloseReason}.
     * Shown by {@code hypha:transports}.
     */
    @Override
    public Map<String, Long> metrics() {
        return counters.snapshot();
    }

    /** @return the counters, for the channel handlers */
    TlsCounters counterSet() {
        return counters;
    }

    /** @return the name of this node in logs */
    String name() {
        return name;
    }

    /**
     * Stops: closes every listening socket and connection, fails pending dials and ends the event loops, each wait
     * bounded by {@code shutdownTimeoutMillis}. Idempotent.
     */
    @Deactivate
    @Override
    public void close() {
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.shutdownTimeoutMillis());
        List.copyOf(servers).forEach(Channel::close);
        List<ChannelFuture> closing = new ArrayList<>();
        channels.forEach((channel, handler) -> {
            handler.stop();
            closing.add(channel.closeFuture());
        });
        for (ChannelFuture future : closing) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !future.awaitUninterruptibly(left, TimeUnit.NANOSECONDS)) {
                LOG.warn("Node {}: tls connections did not close within {} ms; the event loops close them",
                        name, settings.shutdownTimeoutMillis());
                break;
            }
        }
        boolean terminated = group.shutdownGracefully(settings.shutdownQuietMillis(), settings.shutdownTimeoutMillis(),
                TimeUnit.MILLISECONDS).awaitUninterruptibly(settings.shutdownTimeoutMillis() + 500L);
        List.copyOf(dials).forEach(dial -> dial.completeExceptionally(stopped(null)));
        if (terminated) {
            LOG.info("Node {}: tls transport stopped", name);
        } else {
            LOG.warn("Node {}: tls transport's event loops did not end within {} ms", name, settings.shutdownTimeoutMillis());
        }
    }

    /** A bound server socket. */
    private final class Endpoint implements ListeningEndpoint {
        private final Channel server;
        private final URI address;

        Endpoint(Channel server, URI address) {
            this.server = server;
            this.address = address;
        }

        @Override
        public URI address() {
            return address;
        }

        /** Returns once the socket is closed (unless called on an event loop, which must not wait). */
        @Override
        public void close() {
            if (server.isOpen()) {
                ChannelFuture closed = server.close();
                if (!server.eventLoop().inEventLoop()) {
                    closed.awaitUninterruptibly(settings.shutdownTimeoutMillis());
                }
                LOG.info("Node {}: tls transport no longer listens on {}", name, address);
            }
        }

        @Override
        public String toString() {
            return "tls endpoint " + address;
        }
    }
}
