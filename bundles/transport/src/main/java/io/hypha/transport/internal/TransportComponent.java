package io.hypha.transport.internal;

import io.hypha.api.DeliveryFailure;
import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import java.util.Set;
import io.hypha.api.transport.NetworkListener;
import io.hypha.api.transport.Network;
import io.hypha.api.advert.TransportAddress;
import io.hypha.api.advert.AdvertDirectory;
import io.hypha.api.identity.NodeIdentity;
import io.hypha.api.router.LocalDelivery;
import io.hypha.api.router.RemoteGateway;
import io.hypha.api.transport.TransportCredentials;
import io.hypha.api.transport.TransportProtocol;
import io.hypha.transport.internal.engine.AgentRunner;
import io.hypha.transport.internal.engine.TransportEngine;
import java.net.URI;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Transport engine as a Declarative Services component: it registers the router's {@link RemoteGateway} (and the
 * console's {@link TransportAdmin}), collects {@link TransportProtocol} services from the whiteboard, and runs one
 * {@link TransportEngine} on its own thread ({@link AgentRunner}). Inbound messages go to {@link LocalDelivery}.
 *
 * <p>A configuration change ({@code io.hypha.transport}) is applied without restarting: sessions, connections and
 * buffered messages stay. Listen addresses are re-bound; the queue capacities ({@code handoffCapacity},
 * {@code inboundQueueCapacity}) take effect at the next start.
 */
@Component(service = {RemoteGateway.class, TransportAdmin.class}, configurationPid = TransportComponent.PID, immediate = true,
        property = Network.GATEWAY_PROPERTY + "=" + Network.TRANSPORT_GATEWAY)
@Designate(ocd = TransportComponent.Config.class)
public final class TransportComponent implements RemoteGateway, TransportAdmin {
    /** The configuration PID. */
    public static final String PID = "io.hypha.transport";

    private static final Logger LOG = LoggerFactory.getLogger(TransportComponent.class);
    /** How long removing a protocol waits for the engine to let go of it before the protocol shuts down. */
    private static final long REMOVE_WAIT_MILLIS = 2_000;
    private static final long STOP_WAIT_MILLIS = 5_000;

    /** The Transport engine's configuration. */
    @ObjectClassDefinition(id = PID, name = "Hypha transport engine",
            description = "Sessions to other nodes over the installed transport protocols: where to listen, limits, "
                    + "timeouts, flow control and acknowledgement batching.")
    public @interface Config {
        /** @return listen addresses */
        @AttributeDefinition(name = "Listen addresses",
                description = "Addresses to listen on, one per protocol and port, as scheme://host:port (port 0: any "
                        + "free port; the bound addresses are logged and shown by hypha:listen). An address whose scheme "
                        + "has no installed protocol waits for one. Changes re-bind at once. A single value may list "
                        + "several addresses separated by commas (as a .cfg file gives them).")
        String[] listen() default {"tls://127.0.0.1:0", "quic://127.0.0.1:0"};

        /** @return scheme preference */
        @AttributeDefinition(name = "Preferred schemes",
                description = "Schemes in order of preference (first is best): a session sends on its open connection "
                        + "of the best scheme, and dials addresses of better schemes first. Unlisted schemes come last.")
        String[] preferredSchemes() default {"quic", "tls"};

        /** @return connection bound */
        @AttributeDefinition(name = "Maximum connections", min = "1",
                description = "Connections, inbound and outbound, including those in their handshake (at least 1). Beyond "
                        + "it inbound handshakes are answered OVER_CAPACITY and no more peers are dialled.")
        int maxConnections() default TransportSettings.DEFAULT_MAX_CONNECTIONS;

        /** @return session bound */
        @AttributeDefinition(name = "Maximum peers", min = "1",
                description = "Remote nodes this node keeps a session with (at least 1). At the bound an idle session (no "
                        + "connection, nothing buffered) is forgotten for a new one; if none is idle, new peers are "
                        + "refused (OVER_CAPACITY).")
        int maxPeers() default TransportSettings.DEFAULT_MAX_PEERS;

        /** @return frame bound */
        @AttributeDefinition(name = "Maximum frame size (bytes)", min = "65536", max = "67108864",
                description = "Largest frame this node accepts and announces in its handshake, in bytes (65536 to 64 MiB). "
                        + "A message whose frame is larger than this or than the peer announced is refused (NO_ROUTE). "
                        + "Also the frame limit given to transport protocols.")
        int maxFrameSize() default TransportSettings.DEFAULT_MAX_FRAME_SIZE;

        /** @return per-peer message bound */
        @AttributeDefinition(name = "Outbound buffer per peer (messages)", min = "1", max = "268435456",
                description = "Messages to one peer that are queued or sent but not yet acknowledged (1 to 2^28). When it "
                        + "is reached, sending to that peer is refused with MAILBOX_FULL until the peer acknowledges.")
        int outboundBufferMessages() default TransportSettings.DEFAULT_OUTBOUND_BUFFER_MESSAGES;

        /** @return per-peer byte bound */
        @AttributeDefinition(name = "Outbound buffer per peer (bytes)", min = "65536",
                description = "Encoded bytes of the messages to one peer that are queued or not yet acknowledged (at least "
                        + "the maximum frame size). When it is reached, sending to that peer is refused with MAILBOX_FULL.")
        long outboundBufferBytes() default TransportSettings.DEFAULT_OUTBOUND_BUFFER_BYTES;

        /** @return in-flight message bound */
        @AttributeDefinition(name = "Send window (messages)", min = "1",
                description = "Messages sent to one peer and not yet acknowledged (flow control, at least 1): more wait in "
                        + "the buffer. Bounds what a receiver has to hold; keep it below the receiver's inbound queue.")
        int sendWindowMessages() default TransportSettings.DEFAULT_SEND_WINDOW_MESSAGES;

        /** @return in-flight byte bound */
        @AttributeDefinition(name = "Send window (bytes)", min = "65536",
                description = "Encoded bytes sent to one peer and not yet acknowledged (at least the maximum frame size).")
        long sendWindowBytes() default TransportSettings.DEFAULT_SEND_WINDOW_BYTES;

        /** @return hand-off bound */
        @AttributeDefinition(name = "Hand-off capacity (messages)", min = "2", max = "16777216",
                description = "Messages handed by senders to the engine thread and not yet taken by it (2 to 2^24, rounded "
                        + "up to a power of two). When full, sending is refused with MAILBOX_FULL. Takes effect at the "
                        + "next start.")
        int handoffCapacity() default TransportSettings.DEFAULT_HANDOFF_CAPACITY;

        /** @return inbound queue bound */
        @AttributeDefinition(name = "Inbound queue capacity (frames)", min = "2", max = "16777216",
                description = "Slots of the allocation-free queue of frames received and not yet handled by the engine "
                        + "thread (2 to 2^24, rounded up to a power of two). Beyond it, frames wait in order in an overflow "
                        + "queue that allocates; the hard bound is the inbound buffer. Takes effect at the next start.")
        int inboundQueueCapacity() default TransportSettings.DEFAULT_INBOUND_QUEUE_CAPACITY;

        /** @return inbound byte bound */
        @AttributeDefinition(name = "Inbound buffer (bytes)", min = "65536",
                description = "Bytes of frames received and not yet handled by the engine thread, counting 128 bytes of "
                        + "overhead per frame (at least the maximum frame size). A connection whose frame would exceed it is "
                        + "closed (INBOUND_OVERFLOW) and its peer resends on its next one. With the engines' mailboxes, this "
                        + "bounds the memory a sender can make this node use.")
        long inboundBufferBytes() default TransportSettings.DEFAULT_INBOUND_BUFFER_BYTES;

        /** @return handshake timeout */
        @AttributeDefinition(name = "Handshake timeout (ms)", min = "1",
                description = "How long opening a connection may take, from the dial (or accept) to the HelloReply, in "
                        + "milliseconds. Also the limit transport protocols give their TLS handshakes.")
        long handshakeTimeoutMillis() default TransportSettings.DEFAULT_HANDSHAKE_TIMEOUT_MILLIS;

        /** @return idle timeout */
        @AttributeDefinition(name = "Idle timeout (ms)", min = "1",
                description = "A connection this node dialled that carried no Data for this long is closed (ephemeral), "
                        + "unless it is the one connection of a permanent peer (hypha:connect) or messages wait for it.")
        long idleTimeoutMillis() default TransportSettings.DEFAULT_IDLE_TIMEOUT_MILLIS;

        /** @return ping interval */
        @AttributeDefinition(name = "Ping interval (ms)", min = "1",
                description = "A connection on which nothing arrived for this long is pinged, which also measures its RTT.")
        long pingIntervalMillis() default TransportSettings.DEFAULT_PING_INTERVAL_MILLIS;

        /** @return stall timeout */
        @AttributeDefinition(name = "Stall timeout (ms)", min = "2",
                description = "A connection on which nothing arrived for this long, pings included, is closed as stalled "
                        + "(must exceed the ping interval); its session resends what was not acknowledged elsewhere.")
        long stallTimeoutMillis() default TransportSettings.DEFAULT_STALL_TIMEOUT_MILLIS;

        /** @return first redial delay */
        @AttributeDefinition(name = "Redial backoff minimum (ms)", min = "0",
                description = "Delay before dialling a peer again after a failed dial or a short-lived connection; it "
                        + "doubles with each failure (with jitter). A connection that had been stable is re-dialled at once.")
        long redialMinMillis() default TransportSettings.DEFAULT_REDIAL_MIN_MILLIS;

        /** @return longest redial delay */
        @AttributeDefinition(name = "Redial backoff maximum (ms)", min = "0",
                description = "Longest delay between dials of a peer (at least the minimum).")
        long redialMaxMillis() default TransportSettings.DEFAULT_REDIAL_MAX_MILLIS;

        /** @return ack batch */
        @AttributeDefinition(name = "Acknowledge every (messages)", min = "1",
                description = "A receiver acknowledges at the latest after this many delivered messages (at least 1).")
        int ackEvery() default TransportSettings.DEFAULT_ACK_EVERY;

        /** @return ack delay */
        @AttributeDefinition(name = "Acknowledgement delay (ms)", min = "0",
                description = "A receiver acknowledges at the latest this long after the first unacknowledged delivery.")
        long ackDelayMillis() default TransportSettings.DEFAULT_ACK_DELAY_MILLIS;

        /** @return expiry check period */
        @AttributeDefinition(name = "Expiry check (ms)", min = "1",
                description = "How often messages waiting to be sent are checked for expiry; expired ones are dropped and "
                        + "reported to their sender as EXPIRED.")
        long expiryCheckMillis() default TransportSettings.DEFAULT_EXPIRY_CHECK_MILLIS;

        /** @return spin window */
        @AttributeDefinition(name = "Idle spin (µs)", min = "0", max = "1000000",
                description = "How long the engine thread stays awake without work before it sleeps, in microseconds "
                        + "(0 to 1000000). Longer lowers the latency of sparse messages at the cost of CPU while idle; under "
                        + "load the thread never sleeps. Takes effect at the next start.")
        long idleSpinMicros() default TransportSettings.DEFAULT_IDLE_SPIN_MICROS;

        /** @return inline turns */
        @AttributeDefinition(name = "Inline turns",
                description = "Whether a sending thread or a transport's I/O thread runs the engine's work itself while the "
                        + "engine thread sleeps (it never waits for it), instead of waking it: fewer thread hand-offs, so "
                        + "lower latency for sparse messages. Under load it changes nothing. Takes effect at the next start.")
        boolean inlineTurns() default true;
    }

    private final TransportEngine engine;
    private final AgentRunner runner;

    /**
     * Starts the engine and its thread.
     *
     * @param config      the configuration
     * @param identity    this node
     * @param credentials this node's TLS credentials, handed to protocols
     * @param local       where inbound messages go
     */
    @Activate
    public TransportComponent(Config config, @Reference NodeIdentity identity, @Reference TransportCredentials credentials,
                              @Reference LocalDelivery local) {
        NodeId self = identity.id();
        TransportSettings settings = settings(config);
        this.engine = new TransportEngine(settings, self, credentials, local, InstantSource.system(), System::nanoTime,
                new SplittableRandom(new SecureRandom().nextLong()));
        this.runner = new AgentRunner(engine, "hypha-transport-" + self.shortForm(), settings.idleSpinMicros() * 1000);
        runner.start();
        LOG.info("node {}: transport engine started (listen {})", self.shortForm(), settings.listen());
    }

    /** @param config the changed configuration, applied without a restart */
    @Modified
    void modified(Config config) {
        engine.updateSettings(settings(config));
    }

    /** Stops the engine: held messages are reported undeliverable, connections closed. */
    @Deactivate
    void deactivate() {
        if (!runner.stop(STOP_WAIT_MILLIS)) {
            LOG.warn("node {}: the transport engine thread did not stop within {} ms", engine.self().shortForm(), STOP_WAIT_MILLIS);
        }
    }

    /** @param protocol a protocol that appeared */
    @Reference(service = TransportProtocol.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            unbind = "removeProtocol")
    void addProtocol(TransportProtocol protocol) {
        engine.addProtocol(protocol);
    }

    /**
     * Waits (briefly) until the engine let go of the protocol, so that its sessions moved before it shuts down.
     *
     * @param protocol a protocol going away
     */
    void removeProtocol(TransportProtocol protocol) {
        try {
            engine.removeProtocol(protocol).toCompletableFuture().get(REMOVE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("node {}: the transport engine did not release protocol {} in time: {}", engine.self().shortForm(),
                    protocol.scheme(), e.toString());
        }
    }

    /** Turns the configuration into settings; invalid values fall back to the defaults, with an error logged. */
    static TransportSettings settings(Config c) {
        try {
            return new TransportSettings(
                    items(c.listen()).stream().map(URI::create).toList(),
                    items(c.preferredSchemes()), c.maxConnections(), c.maxPeers(), c.maxFrameSize(),
                    c.outboundBufferMessages(), c.outboundBufferBytes(), c.sendWindowMessages(), c.sendWindowBytes(),
                    c.handoffCapacity(), c.inboundQueueCapacity(), c.inboundBufferBytes(), c.handshakeTimeoutMillis(),
                    c.idleTimeoutMillis(), c.pingIntervalMillis(), c.stallTimeoutMillis(), c.redialMinMillis(),
                    c.redialMaxMillis(), c.ackEvery(), c.ackDelayMillis(), c.expiryCheckMillis(), c.idleSpinMicros(),
                    c.inlineTurns(),
                    TransportSettings.defaults().minVersion(), TransportSettings.defaults().maxVersion());
        } catch (IllegalArgumentException e) {
            LOG.error("configuration {} is invalid ({}); using the defaults", PID, e.getMessage());
            return TransportSettings.defaults();
        }
    }

    /**
     * The items of a multi-valued property. A {@code .cfg} file (FileInstall) gives one string, so each value is also
     * split on commas; items are trimmed and empty ones dropped.
     */
    static List<String> items(String[] values) {
        if (values == null) {
            return List.of();
        }
        return Arrays.stream(values).filter(Objects::nonNull).flatMap(v -> Arrays.stream(v.split(",")))
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    // ------------------------------------------------------------------ RemoteGateway, TransportAdmin

    @Override
    public DeliveryFailure forward(Envelope envelope) {
        return engine.forward(envelope);
    }

    @Override
    public NodeId self() {
        return engine.self();
    }

    @Override
    public List<URI> listening() {
        return engine.listening();
    }

    @Override
    public CompletionStage<ConnectResult> connect(URI address) {
        return engine.connect(address);
    }

    @Override
    public CompletionStage<PingResult> ping(NodeId node) {
        return engine.ping(node);
    }

    @Override
    public CompletionStage<TransportSnapshot> snapshot() {
        return engine.snapshot();
    }

    @Override
    public boolean knows(NodeId node) {
        return engine.knows(node);
    }

    @Override
    public Set<NodeId> connectedPeers() {
        return engine.connectedPeers();
    }

    @Override
    public CompletionStage<Void> learnAdvertised(NodeId node, List<TransportAddress> addresses) {
        return engine.learnAdvertised(node, addresses);
    }

    @Override
    public void addListener(NetworkListener listener) {
        engine.addListener(listener);
    }

    @Override
    public void removeListener(NetworkListener listener) {
        engine.removeListener(listener);
    }

    @Override
    public void useAdverts(AdvertDirectory directory) {
        engine.useAdverts(directory);
    }
}
