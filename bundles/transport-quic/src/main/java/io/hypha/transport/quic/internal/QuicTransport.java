package io.hypha.transport.quic.internal;

import io.hypha.api.NodeId;
import io.hypha.api.transport.Connection;
import io.hypha.api.transport.ListeningEndpoint;
import io.hypha.api.transport.TransportCapabilities;
import io.hypha.api.transport.TransportCapabilities.Latency;
import io.hypha.api.transport.TransportCapabilities.Privacy;
import io.hypha.api.transport.TransportContext;
import io.hypha.api.transport.TransportError;
import io.hypha.api.transport.TransportException;
import io.hypha.api.transport.TransportProtocol;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code quic} {@link TransportProtocol}: QUIC (RFC 9000) with kwik 0.10.9. One QUIC connection per dial, one
 * bidirectional stream per connection carrying varint-length-prefixed frames (docs/wire-protocol.md section 2).
 *
 * <h2>Authentication</h2>
 * The listener presents the node certificate in the QUIC TLS handshake and the dialler verifies it with
 * {@link io.hypha.api.transport.TransportCredentials#verifyPeer}. kwik's TLS engine cannot request a client
 * certificate, so the dialler proves its identity in the stream's first frames ({@link ClientAuth}); the listener
 * announces a connection only after that proof.
 *
 * <h2>kwik's stall</h2>
 * kwik can strand written bytes in a stream's send buffer (STALL.md). Each stream is kicked by the {@link Watchdog}
 * while bytes may wait, and a connection whose writes make no progress for {@code stallTimeoutMillis} is closed with
 * {@link TransportError#TIMEOUT}, so the session layer resends on a new connection.
 *
 * <h2>Threads</h2>
 * Per connection: a reader (callbacks {@code onConnected}, {@code onFrame}, {@code onClosed}) and a writer
 * ({@code onWritable}), never overlapping; kwik's own threads; one watchdog thread per instance.
 */
@Component(service = TransportProtocol.class, configurationPid = QuicTransport.PID,
        property = TransportProtocol.SCHEME + "=" + QuicTransport.SCHEME)
@Designate(ocd = QuicTransport.Config.class)
public final class QuicTransport implements TransportProtocol, AutoCloseable {
    /** Configuration PID. */
    public static final String PID = "io.hypha.transport.quic";
    /** The URI scheme served. */
    public static final String SCHEME = "quic";
    /** The QUIC ALPN protocol id (docs/wire-protocol.md 1.1). */
    static final String ALPN = "hypha";

    private static final Logger LOG = LoggerFactory.getLogger(QuicTransport.class);
    private static final TransportCapabilities CAPABILITIES = new TransportCapabilities(true, true, Latency.LOW, Privacy.ENCRYPTED);

    /** Configuration of the QUIC transport. */
    @ObjectClassDefinition(id = PID, name = "Hypha QUIC transport",
            description = "QUIC with kwik: connection limits, flow-control windows, timeouts, and the stall workaround.")
    public @interface Config {
        /** @return idle timeout in milliseconds */
        @AttributeDefinition(name = "Idle timeout (ms)", description = "A QUIC connection with no packets for this "
                + "long is closed (QUIC max_idle_timeout). The session layer pings live connections more often. "
                + "At least 1000. Default 30000.")
        long idleTimeoutMillis() default 30_000L;

        /** @return stream receive window */
        @AttributeDefinition(name = "Stream window (bytes)", description = "How many bytes a peer may send on the "
                + "frame stream beyond what this node has read (QUIC initial_max_stream_data). Bounds the memory one "
                + "connection takes for received data. At least 65536. Default 1048576.")
        long maxStreamData() default 1_048_576L;

        /** @return connection receive window */
        @AttributeDefinition(name = "Connection window (bytes)", description = "QUIC initial_max_data: like the "
                + "stream window, for the whole connection. At least the stream window. Default 2097152.")
        long maxConnectionData() default 2_097_152L;

        /** @return connection limit */
        @AttributeDefinition(name = "Maximum connections", description = "Open connections plus handshakes in "
                + "progress, inbound and outbound together; more are refused. 1 to 100000. Default 1024.")
        int maxConnections() default 1024;

        /** @return connect timeout in milliseconds */
        @AttributeDefinition(name = "Connect timeout (ms)", description = "How long a dial waits for the QUIC "
                + "handshake (also bounded by the Transport engine's handshake timeout). At least 100. Default 5000.")
        long connectTimeoutMillis() default 5_000L;

        /** @return outbound buffer bound in bytes */
        @AttributeDefinition(name = "Outbound buffer (bytes)", description = "Frames queued per connection and not "
                + "yet handed to QUIC; when full, send returns false until onWritable. At least 65536. "
                + "Default 4194304.")
        long outboundBufferBytes() default 4_194_304L;

        /** @return stall timeout in milliseconds */
        @AttributeDefinition(name = "Stall timeout (ms)", description = "A connection whose writes make no progress "
                + "for this long (the peer stopped reading, or QUIC stalled) is closed so the session resends on a "
                + "new one. Not much below a few seconds: under packet loss QUIC's probe timeout backs off "
                + "exponentially and a healthy connection can pause for a second or two. At least 100. Default 5000.")
        long stallTimeoutMillis() default 5_000L;

        /** @return kick period in milliseconds */
        @AttributeDefinition(name = "Kick period (ms)", description = "Watchdog period: how often a stream that may "
                + "hold bytes kwik forgot to send is kicked (STALL.md), and stalls and handshake deadlines are "
                + "checked. 1 to 1000. Default 10.")
        long kickIntervalMillis() default 10L;

        /** @return kick window in milliseconds */
        @AttributeDefinition(name = "Kick window (ms)", description = "How long after its last write a stream goes "
                + "on being kicked (always while a write blocks). 0 to 60000. Default 1000.")
        long kickWindowMillis() default 1_000L;
    }

    /**
     * The configuration, checked.
     *
     * @param idleTimeoutMillis    QUIC idle timeout
     * @param maxStreamData        stream receive window
     * @param maxConnectionData    connection receive window
     * @param maxConnections       open connections plus handshakes
     * @param connectTimeoutMillis QUIC handshake timeout of a dial
     * @param outboundBufferBytes  bound of each connection's outbound queue
     * @param stallTimeoutMillis   no progress for this long closes a connection
     * @param kickIntervalMillis   watchdog period
     * @param kickWindowMillis     how long after a write a stream is kicked
     */
    public record Settings(long idleTimeoutMillis, long maxStreamData, long maxConnectionData, int maxConnections,
                           long connectTimeoutMillis, long outboundBufferBytes, long stallTimeoutMillis,
                           long kickIntervalMillis, long kickWindowMillis) {
        /** The defaults of {@link Config}. */
        public static final Settings DEFAULTS = new Settings(30_000L, 1_048_576L, 2_097_152L, 1024, 5_000L,
                4_194_304L, 5_000L, 10L, 1_000L);

        /** @throws IllegalArgumentException if a value is out of its documented range */
        public Settings {
            check(idleTimeoutMillis >= 1000, "idleTimeoutMillis must be at least 1000");
            check(maxStreamData >= 65_536, "maxStreamData must be at least 65536");
            check(maxConnectionData >= maxStreamData, "maxConnectionData must be at least maxStreamData");
            check(maxConnections >= 1 && maxConnections <= 100_000, "maxConnections must be 1 to 100000");
            check(connectTimeoutMillis >= 100, "connectTimeoutMillis must be at least 100");
            check(outboundBufferBytes >= 65_536, "outboundBufferBytes must be at least 65536");
            check(stallTimeoutMillis >= 100, "stallTimeoutMillis must be at least 100");
            check(kickIntervalMillis >= 1 && kickIntervalMillis <= 1000, "kickIntervalMillis must be 1 to 1000");
            check(kickWindowMillis >= 0 && kickWindowMillis <= 60_000, "kickWindowMillis must be 0 to 60000");
        }

        /** @return the settings of a configuration */
        public static Settings of(Config c) {
            return new Settings(c.idleTimeoutMillis(), c.maxStreamData(), c.maxConnectionData(), c.maxConnections(),
                    c.connectTimeoutMillis(), c.outboundBufferBytes(), c.stallTimeoutMillis(), c.kickIntervalMillis(),
                    c.kickWindowMillis());
        }

        long stallTimeoutNanos() {
            return TimeUnit.MILLISECONDS.toNanos(stallTimeoutMillis);
        }

        long kickWindowNanos() {
            return TimeUnit.MILLISECONDS.toNanos(kickWindowMillis);
        }

        private static void check(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }

    private final Settings settings;
    private final Watchdog watchdog;
    private final SecureRandom random = new SecureRandom();
    private final Set<QuicEndpoint> endpoints = ConcurrentHashMap.newKeySet();
    private final Set<QuicFrameConnection> connections = ConcurrentHashMap.newKeySet();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    /** Open connections plus handshakes in progress. */
    private final AtomicInteger slots = new AtomicInteger();
    private final QuicCounters counters = new QuicCounters();
    private final Object lifecycle = new Object();
    /** Guarded by lifecycle. */
    private boolean stopped;

    /** @param config the component configuration */
    @Activate
    public QuicTransport(Config config) {
        this(Settings.of(config));
    }

    /** @param settings the settings (tests and non-OSGi use) */
    public QuicTransport(Settings settings) {
        this.settings = settings;
        // kwik prints a warning to System.out for every client that skips its own certificate check; the node
        // identity check here replaces that check (PeerTrustManager), so the warning is only noise.
        if (System.getProperty("tech.kwik.core.no-security-warnings") == null) {
            System.setProperty("tech.kwik.core.no-security-warnings", "true");
        }
        this.watchdog = new Watchdog("hypha-quic-watchdog", settings.kickIntervalMillis());
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
            Target target = parse(bindAddress, true);
            synchronized (lifecycle) {
                if (stopped) {
                    throw new TransportException(TransportError.CLOSED, "the QUIC transport stopped", null);
                }
                QuicEndpoint endpoint = new QuicEndpoint(this, target.host, target.socketAddress(), context);
                endpoints.add(endpoint);
                return CompletableFuture.completedFuture(endpoint);
            }
        } catch (TransportException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletionStage<Connection> dial(URI address, NodeId expectedPeer, TransportContext context) {
        CompletableFuture<Connection> result = new CompletableFuture<>();
        try {
            Target target = parse(address, false);
            NodeId expected = expectedPeer != null ? expectedPeer : target.node;
            synchronized (lifecycle) {
                if (stopped) {
                    throw new TransportException(TransportError.CLOSED, "the QUIC transport stopped", null);
                }
                if (!acquire()) {
                    throw new TransportException(TransportError.IO, "the QUIC connection limit of "
                            + settings.maxConnections + " is reached", null);
                }
                Thread thread = new Thread(new DialHandshake(this, target.host, target.port, expected, context, result),
                        "hypha-quic-reader to " + target.host + ":" + target.port);
                thread.setDaemon(true);
                track(thread);
                thread.start();
            }
        } catch (TransportException e) {
            result.completeExceptionally(e);
        }
        return result;
    }

    /** Stops: closes every endpoint and connection, and waits for this transport's threads to end. */
    @Deactivate
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (stopped) {
                return;
            }
            stopped = true;
        }
        List.copyOf(connections).forEach(QuicFrameConnection::shutdown);
        List.copyOf(endpoints).forEach(QuicEndpoint::shutdown);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (Thread t : List.copyOf(threads)) {
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        watchdog.close();
        LOG.info("QUIC transport stopped");
    }

    // ---------------------------------------------------------------- for the internals

    Settings settings() {
        return settings;
    }

    Watchdog watchdog() {
        return watchdog;
    }

    SecureRandom random() {
        return random;
    }

    /** @return whether a connection slot was free (and is now taken) */
    boolean acquire() {
        while (true) {
            int used = slots.get();
            if (used >= settings.maxConnections) {
                return false;
            }
            if (slots.compareAndSet(used, used + 1)) {
                return true;
            }
        }
    }

    /** A handshake that held a slot failed. */
    void released() {
        slots.decrementAndGet();
    }

    /**
     * An inbound connection was refused before it was authenticated; counted for metrics.
     *
     * @param code what the peer was told (or, for a silent dialler, {@link CloseCode#HANDSHAKE_TIMEOUT})
     */
    void refused(CloseCode code) {
        counters.refused(code);
    }

    /** @param error why this side closed an established connection; counted for metrics */
    void closedFor(TransportError error) {
        counters.closed(error);
    }

    /** @return whether the transport still runs (the connection is then registered and watched) */
    boolean adopt(QuicFrameConnection connection) {
        synchronized (lifecycle) {
            if (stopped) {
                return false;
            }
            connections.add(connection);
            watchdog.add(connection);
            counters.established(connection.isOutbound());
            return true;
        }
    }

    /** A connection closed: its slot is free. */
    void ended(QuicFrameConnection connection) {
        watchdog.remove(connection);
        if (connections.remove(connection)) {
            released();
            TransportException cause = connection.closeCause();
            if (cause != null && cause.error() != TransportError.CLOSED) {
                closedFor(cause.error()); // a failure, not an orderly close or a shutdown
            }
        }
    }

    /** Remembers a thread of this transport, so that {@link #close} can wait for it. */
    void track(Thread thread) {
        threads.removeIf(t -> t.getState() == Thread.State.TERMINATED);
        threads.add(thread);
    }

    /** @return connections refused so far (failed authentication, over capacity, handshake timeout) */
    long refusedCount() {
        return counters.refusedTotal();
    }

    /**
     * Counters by dotted lower-case name: {@code connections.inbound}, {@code connections.outbound},
     * {@code refused.<authentication_failed|unavailable|malformed|handshake_timeout|...>} (inbound connections refused
     * before authentication) and {@code closed.<timeout|frame_too_large|malformed|io|...>} (established connections
     * this side closed for a failure).
     */
    @Override
    public Map<String, Long> metrics() {
        return counters.snapshot();
    }

    /** @return open connections plus handshakes in progress */
    int slotsInUse() {
        return slots.get();
    }

    // ---------------------------------------------------------------- addresses

    /** A parsed address: host as written in the URI, port, and the node id in the user info if any. */
    private record Target(String host, int port, NodeId node) {
        InetSocketAddress socketAddress() throws TransportException {
            try {
                return new InetSocketAddress(InetAddress.getByName(host), port);
            } catch (UnknownHostException e) {
                throw new TransportException(TransportError.BAD_ADDRESS, "unknown host " + host, e);
            }
        }
    }

    private static Target parse(URI address, boolean listening) throws TransportException {
        if (address == null || !SCHEME.equalsIgnoreCase(address.getScheme())) {
            throw new TransportException(TransportError.BAD_ADDRESS, "not a " + SCHEME + ":// address: " + address, null);
        }
        String host = address.getHost();
        int port = address.getPort();
        if (host == null || port < (listening ? 0 : 1) || port > 65_535) {
            throw new TransportException(TransportError.BAD_ADDRESS, "a " + SCHEME + " address needs a host and a port: "
                    + address, null);
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        NodeId node = null;
        if (address.getUserInfo() != null) {
            try {
                node = NodeId.parse(address.getUserInfo());
            } catch (IllegalArgumentException e) {
                throw new TransportException(TransportError.BAD_ADDRESS, "not a node id: " + address.getUserInfo(), e);
            }
        }
        return new Target(host, port, node);
    }

    /** @return a host as it is written in a URI (IPv6 literals in brackets) */
    static String uriHost(String host) {
        return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    @Override
    public String toString() {
        return "QUIC transport (" + connections.size() + " connections, " + endpoints.size() + " endpoints)";
    }
}
