package io.hypha.transport.internal;

import io.hypha.wire.FrameCodec;
import io.hypha.wire.ProtocolVersions;
import java.net.URI;
import java.util.List;
import java.util.Objects;

/**
 * The Transport engine's bounds and timings, immutable and checked. {@link #defaults()} gives the documented defaults;
 * {@link #toBuilder()} changes some of them. The meaning of each is documented on the configuration
 * ({@code TransportComponent.Config}), which is the operator's view of the same values.
 *
 * @param listen                 addresses to listen on, one per protocol and port ({@code tls://127.0.0.1:0})
 * @param preferredSchemes       schemes in order of local preference (first is best) for choosing a connection
 * @param maxConnections         connections (inbound and outbound, including those still in their handshake)
 * @param maxPeers               sessions (remote nodes this node holds state for)
 * @param maxFrameSize           largest frame accepted and announced, in bytes
 * @param outboundBufferMessages messages queued or unacknowledged per peer before sending to it is refused
 * @param outboundBufferBytes    bytes (encoded) queued or unacknowledged per peer before sending to it is refused
 * @param sendWindowMessages     messages sent and not yet acknowledged per peer (flow control)
 * @param sendWindowBytes        bytes sent and not yet acknowledged per peer (flow control)
 * @param handoffCapacity        messages handed from senders to the engine thread and not yet taken by it
 * @param inboundQueueCapacity   slots of the allocation-free queue of received frames (beyond it they wait in an
 *                               overflow queue)
 * @param inboundBufferBytes     bytes of frames received and not yet handled by the engine thread (the hard bound)
 * @param handshakeTimeoutMillis how long opening a connection (dial, TLS, Hello/HelloReply) may take
 * @param idleTimeoutMillis      how long a connection this node dialled may carry no Data before it is closed
 *                               (unless it is the only connection of a permanent peer)
 * @param pingIntervalMillis     after this long without receiving anything on a connection, ping it
 * @param stallTimeoutMillis     after this long without receiving anything on a connection, close it as stalled
 * @param redialMinMillis        first delay before re-dialling after a failure
 * @param redialMaxMillis        longest delay between dials
 * @param ackEvery               acknowledge at least after this many delivered messages
 * @param ackDelayMillis         acknowledge at most this long after the first unacknowledged delivery
 * @param expiryCheckMillis      how often queued messages are checked for expiry while they cannot be sent
 * @param idleSpinMicros         how long the engine thread stays awake without work before it parks
 * @param inlineTurns            whether a sender or I/O thread runs the engine's turn itself while the engine thread
 *                               is parked (fewer thread hand-offs for sparse messages)
 * @param minVersion             lowest wire protocol version spoken
 * @param maxVersion             highest wire protocol version spoken
 */
public record TransportSettings(
        List<URI> listen,
        List<String> preferredSchemes,
        int maxConnections,
        int maxPeers,
        int maxFrameSize,
        int outboundBufferMessages,
        long outboundBufferBytes,
        int sendWindowMessages,
        long sendWindowBytes,
        int handoffCapacity,
        int inboundQueueCapacity,
        long inboundBufferBytes,
        long handshakeTimeoutMillis,
        long idleTimeoutMillis,
        long pingIntervalMillis,
        long stallTimeoutMillis,
        long redialMinMillis,
        long redialMaxMillis,
        int ackEvery,
        long ackDelayMillis,
        long expiryCheckMillis,
        long idleSpinMicros,
        boolean inlineTurns,
        int minVersion,
        int maxVersion) {

    /** Default {@link #listen()}: TLS and QUIC on loopback, free ports. */
    public static final List<String> DEFAULT_LISTEN = List.of("tls://127.0.0.1:0", "quic://127.0.0.1:0");
    /** Default {@link #preferredSchemes()}. */
    public static final List<String> DEFAULT_PREFERRED_SCHEMES = List.of("quic", "tls");
    /** Default {@link #maxConnections()}. */
    public static final int DEFAULT_MAX_CONNECTIONS = 1024;
    /** Default {@link #maxPeers()}. */
    public static final int DEFAULT_MAX_PEERS = 4096;
    /** Default {@link #maxFrameSize()}: 1 MiB. */
    public static final int DEFAULT_MAX_FRAME_SIZE = 1 << 20;
    /** Largest {@link #maxFrameSize()} accepted: 64 MiB. */
    public static final int MAX_MAX_FRAME_SIZE = 64 << 20;
    /** Default {@link #outboundBufferMessages()}. */
    public static final int DEFAULT_OUTBOUND_BUFFER_MESSAGES = 100_000;
    /** Default {@link #outboundBufferBytes()}: 64 MiB. */
    public static final long DEFAULT_OUTBOUND_BUFFER_BYTES = 64L << 20;
    /** Largest {@link #outboundBufferMessages()} accepted (ring indexes are ints). */
    public static final int MAX_OUTBOUND_BUFFER_MESSAGES = 1 << 28;
    /** Default {@link #sendWindowMessages()}. */
    public static final int DEFAULT_SEND_WINDOW_MESSAGES = 16_384;
    /** Default {@link #sendWindowBytes()}: 8 MiB. */
    public static final long DEFAULT_SEND_WINDOW_BYTES = 8L << 20;
    /** Default {@link #handoffCapacity()}. */
    public static final int DEFAULT_HANDOFF_CAPACITY = 65_536;
    /** Default {@link #inboundQueueCapacity()}. */
    public static final int DEFAULT_INBOUND_QUEUE_CAPACITY = 65_536;
    /** Largest queue capacity accepted. */
    public static final int MAX_QUEUE_CAPACITY = 1 << 24;
    /** Default {@link #inboundBufferBytes()}: 32 MiB. */
    public static final long DEFAULT_INBOUND_BUFFER_BYTES = 32L << 20;
    /** Default {@link #handshakeTimeoutMillis()}. */
    public static final long DEFAULT_HANDSHAKE_TIMEOUT_MILLIS = 10_000;
    /** Default {@link #idleTimeoutMillis()}. */
    public static final long DEFAULT_IDLE_TIMEOUT_MILLIS = 60_000;
    /** Default {@link #pingIntervalMillis()}. */
    public static final long DEFAULT_PING_INTERVAL_MILLIS = 2_000;
    /** Default {@link #stallTimeoutMillis()}. */
    public static final long DEFAULT_STALL_TIMEOUT_MILLIS = 8_000;
    /** Default {@link #redialMinMillis()}. */
    public static final long DEFAULT_REDIAL_MIN_MILLIS = 200;
    /** Default {@link #redialMaxMillis()}. */
    public static final long DEFAULT_REDIAL_MAX_MILLIS = 30_000;
    /** Default {@link #ackEvery()}. */
    public static final int DEFAULT_ACK_EVERY = 64;
    /** Default {@link #ackDelayMillis()}. */
    public static final long DEFAULT_ACK_DELAY_MILLIS = 10;
    /** Default {@link #expiryCheckMillis()}. */
    public static final long DEFAULT_EXPIRY_CHECK_MILLIS = 500;
    /** Default {@link #idleSpinMicros()}. */
    public static final long DEFAULT_IDLE_SPIN_MICROS = 20;

    /** Checks every bound, naming the first one out of range. */
    public TransportSettings {
        listen = List.copyOf(Objects.requireNonNull(listen, "listen"));
        preferredSchemes = List.copyOf(Objects.requireNonNull(preferredSchemes, "preferredSchemes"));
        for (URI uri : listen) {
            if (uri.getScheme() == null || uri.getHost() == null || uri.getPort() < 0) {
                throw new IllegalArgumentException("listen address '" + uri + "' must be scheme://host:port (port 0: any free port)");
            }
        }
        check(maxConnections >= 1, "maxConnections", maxConnections, ">= 1");
        check(maxPeers >= 1, "maxPeers", maxPeers, ">= 1");
        check(maxFrameSize >= FrameCodec.MIN_MAX_FRAME_SIZE && maxFrameSize <= MAX_MAX_FRAME_SIZE, "maxFrameSize",
                maxFrameSize, FrameCodec.MIN_MAX_FRAME_SIZE + ".." + MAX_MAX_FRAME_SIZE);
        check(outboundBufferMessages >= 1 && outboundBufferMessages <= MAX_OUTBOUND_BUFFER_MESSAGES,
                "outboundBufferMessages", outboundBufferMessages, "1..2^28");
        check(outboundBufferBytes >= maxFrameSize, "outboundBufferBytes", outboundBufferBytes, ">= maxFrameSize");
        check(sendWindowMessages >= 1, "sendWindowMessages", sendWindowMessages, ">= 1");
        check(sendWindowBytes >= maxFrameSize, "sendWindowBytes", sendWindowBytes, ">= maxFrameSize");
        check(handoffCapacity >= 2 && handoffCapacity <= MAX_QUEUE_CAPACITY, "handoffCapacity", handoffCapacity, "2..2^24");
        check(inboundQueueCapacity >= 2 && inboundQueueCapacity <= MAX_QUEUE_CAPACITY, "inboundQueueCapacity",
                inboundQueueCapacity, "2..2^24");
        check(inboundBufferBytes >= maxFrameSize, "inboundBufferBytes", inboundBufferBytes, ">= maxFrameSize");
        check(handshakeTimeoutMillis >= 1, "handshakeTimeoutMillis", handshakeTimeoutMillis, ">= 1");
        check(idleTimeoutMillis >= 1, "idleTimeoutMillis", idleTimeoutMillis, ">= 1");
        check(pingIntervalMillis >= 1, "pingIntervalMillis", pingIntervalMillis, ">= 1");
        check(stallTimeoutMillis > pingIntervalMillis, "stallTimeoutMillis", stallTimeoutMillis, "> pingIntervalMillis");
        check(redialMinMillis >= 0, "redialMinMillis", redialMinMillis, ">= 0");
        check(redialMaxMillis >= redialMinMillis, "redialMaxMillis", redialMaxMillis, ">= redialMinMillis");
        check(ackEvery >= 1, "ackEvery", ackEvery, ">= 1");
        check(ackDelayMillis >= 0, "ackDelayMillis", ackDelayMillis, ">= 0");
        check(expiryCheckMillis >= 1, "expiryCheckMillis", expiryCheckMillis, ">= 1");
        check(idleSpinMicros >= 0 && idleSpinMicros <= 1_000_000, "idleSpinMicros", idleSpinMicros, "0..1000000");
        check(ProtocolVersions.isValidRange(minVersion, maxVersion), "minVersion..maxVersion", minVersion, "1 <= min <= max");
    }

    /** @return the documented defaults */
    public static TransportSettings defaults() {
        return new Builder().build();
    }

    /** @return a builder starting from these settings */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** @return a builder starting from the defaults */
    public static Builder builder() {
        return new Builder();
    }

    private static void check(boolean ok, String name, long value, String range) {
        if (!ok) {
            throw new IllegalArgumentException("transport setting " + name + " must be " + range + ", got " + value);
        }
    }

    /** Builds {@link TransportSettings}; not thread-safe. */
    public static final class Builder {
        private List<URI> listen = DEFAULT_LISTEN.stream().map(URI::create).toList();
        private List<String> preferredSchemes = DEFAULT_PREFERRED_SCHEMES;
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private int maxPeers = DEFAULT_MAX_PEERS;
        private int maxFrameSize = DEFAULT_MAX_FRAME_SIZE;
        private int outboundBufferMessages = DEFAULT_OUTBOUND_BUFFER_MESSAGES;
        private long outboundBufferBytes = DEFAULT_OUTBOUND_BUFFER_BYTES;
        private int sendWindowMessages = DEFAULT_SEND_WINDOW_MESSAGES;
        private long sendWindowBytes = DEFAULT_SEND_WINDOW_BYTES;
        private int handoffCapacity = DEFAULT_HANDOFF_CAPACITY;
        private int inboundQueueCapacity = DEFAULT_INBOUND_QUEUE_CAPACITY;
        private long inboundBufferBytes = DEFAULT_INBOUND_BUFFER_BYTES;
        private long handshakeTimeoutMillis = DEFAULT_HANDSHAKE_TIMEOUT_MILLIS;
        private long idleTimeoutMillis = DEFAULT_IDLE_TIMEOUT_MILLIS;
        private long pingIntervalMillis = DEFAULT_PING_INTERVAL_MILLIS;
        private long stallTimeoutMillis = DEFAULT_STALL_TIMEOUT_MILLIS;
        private long redialMinMillis = DEFAULT_REDIAL_MIN_MILLIS;
        private long redialMaxMillis = DEFAULT_REDIAL_MAX_MILLIS;
        private int ackEvery = DEFAULT_ACK_EVERY;
        private long ackDelayMillis = DEFAULT_ACK_DELAY_MILLIS;
        private long expiryCheckMillis = DEFAULT_EXPIRY_CHECK_MILLIS;
        private long idleSpinMicros = DEFAULT_IDLE_SPIN_MICROS;
        private boolean inlineTurns = true;
        private int minVersion = ProtocolVersions.MIN_SUPPORTED;
        private int maxVersion = ProtocolVersions.MAX_SUPPORTED;

        private Builder() {
        }

        private Builder(TransportSettings s) {
            listen = s.listen;
            preferredSchemes = s.preferredSchemes;
            maxConnections = s.maxConnections;
            maxPeers = s.maxPeers;
            maxFrameSize = s.maxFrameSize;
            outboundBufferMessages = s.outboundBufferMessages;
            outboundBufferBytes = s.outboundBufferBytes;
            sendWindowMessages = s.sendWindowMessages;
            sendWindowBytes = s.sendWindowBytes;
            handoffCapacity = s.handoffCapacity;
            inboundQueueCapacity = s.inboundQueueCapacity;
            inboundBufferBytes = s.inboundBufferBytes;
            handshakeTimeoutMillis = s.handshakeTimeoutMillis;
            idleTimeoutMillis = s.idleTimeoutMillis;
            pingIntervalMillis = s.pingIntervalMillis;
            stallTimeoutMillis = s.stallTimeoutMillis;
            redialMinMillis = s.redialMinMillis;
            redialMaxMillis = s.redialMaxMillis;
            ackEvery = s.ackEvery;
            ackDelayMillis = s.ackDelayMillis;
            expiryCheckMillis = s.expiryCheckMillis;
            idleSpinMicros = s.idleSpinMicros;
            inlineTurns = s.inlineTurns;
            minVersion = s.minVersion;
            maxVersion = s.maxVersion;
        }

        /** @param v see {@link TransportSettings#listen()} @return this builder */
        public Builder listen(List<URI> v) { listen = v; return this; }
        /** @param v see {@link TransportSettings#preferredSchemes()} @return this builder */
        public Builder preferredSchemes(List<String> v) { preferredSchemes = v; return this; }
        /** @param v see {@link TransportSettings#maxConnections()} @return this builder */
        public Builder maxConnections(int v) { maxConnections = v; return this; }
        /** @param v see {@link TransportSettings#maxPeers()} @return this builder */
        public Builder maxPeers(int v) { maxPeers = v; return this; }
        /** @param v see {@link TransportSettings#maxFrameSize()} @return this builder */
        public Builder maxFrameSize(int v) { maxFrameSize = v; return this; }
        /** @param v see {@link TransportSettings#outboundBufferMessages()} @return this builder */
        public Builder outboundBufferMessages(int v) { outboundBufferMessages = v; return this; }
        /** @param v see {@link TransportSettings#outboundBufferBytes()} @return this builder */
        public Builder outboundBufferBytes(long v) { outboundBufferBytes = v; return this; }
        /** @param v see {@link TransportSettings#sendWindowMessages()} @return this builder */
        public Builder sendWindowMessages(int v) { sendWindowMessages = v; return this; }
        /** @param v see {@link TransportSettings#sendWindowBytes()} @return this builder */
        public Builder sendWindowBytes(long v) { sendWindowBytes = v; return this; }
        /** @param v see {@link TransportSettings#handoffCapacity()} @return this builder */
        public Builder handoffCapacity(int v) { handoffCapacity = v; return this; }
        /** @param v see {@link TransportSettings#inboundQueueCapacity()} @return this builder */
        public Builder inboundQueueCapacity(int v) { inboundQueueCapacity = v; return this; }
        /** @param v see {@link TransportSettings#inboundBufferBytes()} @return this builder */
        public Builder inboundBufferBytes(long v) { inboundBufferBytes = v; return this; }
        /** @param v see {@link TransportSettings#handshakeTimeoutMillis()} @return this builder */
        public Builder handshakeTimeoutMillis(long v) { handshakeTimeoutMillis = v; return this; }
        /** @param v see {@link TransportSettings#idleTimeoutMillis()} @return this builder */
        public Builder idleTimeoutMillis(long v) { idleTimeoutMillis = v; return this; }
        /** @param v see {@link TransportSettings#pingIntervalMillis()} @return this builder */
        public Builder pingIntervalMillis(long v) { pingIntervalMillis = v; return this; }
        /** @param v see {@link TransportSettings#stallTimeoutMillis()} @return this builder */
        public Builder stallTimeoutMillis(long v) { stallTimeoutMillis = v; return this; }
        /** @param v see {@link TransportSettings#redialMinMillis()} @return this builder */
        public Builder redialMinMillis(long v) { redialMinMillis = v; return this; }
        /** @param v see {@link TransportSettings#redialMaxMillis()} @return this builder */
        public Builder redialMaxMillis(long v) { redialMaxMillis = v; return this; }
        /** @param v see {@link TransportSettings#ackEvery()} @return this builder */
        public Builder ackEvery(int v) { ackEvery = v; return this; }
        /** @param v see {@link TransportSettings#ackDelayMillis()} @return this builder */
        public Builder ackDelayMillis(long v) { ackDelayMillis = v; return this; }
        /** @param v see {@link TransportSettings#expiryCheckMillis()} @return this builder */
        public Builder expiryCheckMillis(long v) { expiryCheckMillis = v; return this; }
        /** @param v see {@link TransportSettings#idleSpinMicros()} @return this builder */
        public Builder idleSpinMicros(long v) { idleSpinMicros = v; return this; }
        /** @param v see {@link TransportSettings#inlineTurns()} @return this builder */
        public Builder inlineTurns(boolean v) { inlineTurns = v; return this; }
        /** @param min lowest version @param max highest version @return this builder */
        public Builder versions(int min, int max) { minVersion = min; maxVersion = max; return this; }

        /** @return the settings @throws IllegalArgumentException if a bound is out of range */
        public TransportSettings build() {
            return new TransportSettings(listen, preferredSchemes, maxConnections, maxPeers, maxFrameSize,
                    outboundBufferMessages, outboundBufferBytes, sendWindowMessages, sendWindowBytes, handoffCapacity,
                    inboundQueueCapacity, inboundBufferBytes, handshakeTimeoutMillis, idleTimeoutMillis,
                    pingIntervalMillis, stallTimeoutMillis, redialMinMillis, redialMaxMillis, ackEvery, ackDelayMillis,
                    expiryCheckMillis, idleSpinMicros, inlineTurns, minVersion, maxVersion);
        }
    }
}
