package io.hypha.transport.internal.engine;

import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import io.hypha.transport.internal.TransportSettings;
import io.hypha.transport.internal.TransportSnapshot;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;

/**
 * Engines on a {@link MemoryNetwork}, all driven from the test thread with one {@link ManualTime}: {@link #pump()}
 * runs every engine's loop until none has work left, {@link #advance} moves time and pumps.
 */
final class TestNodes {
    /** The two in-memory schemes, in order of preference: a "quic-like" one and a "tls-like" one. */
    static final String Q = "memq";
    static final String T = "memt";

    final MemoryNetwork network = new MemoryNetwork();
    final ManualTime time = new ManualTime();
    final List<Node> nodes = new ArrayList<>();
    private final SplittableRandom random = new SplittableRandom(42);

    TestNodes() {
        network.clock = time::nanoTime;
    }

    /** One node: its engine, what it delivered, and its transports. */
    final class Node {
        final String name;
        final NodeId id;
        final RecordingDelivery local = new RecordingDelivery();
        final TransportEngine engine;
        final List<MemoryNetwork.MemoryTransport> transports = new ArrayList<>();

        final TransportSettings settings;

        Node(String name, TransportSettings settings, NodeId id) {
            this.name = name;
            this.settings = settings;
            this.id = id;
            this.engine = new TransportEngine(settings, id, null, local, time, time, random.split());
        }

        /** Installs a transport of that scheme (its listen address is in the settings) and pumps. */
        MemoryNetwork.MemoryTransport install(String scheme) {
            MemoryNetwork.MemoryTransport t = network.new MemoryTransport(scheme, id);
            transports.add(t);
            engine.addProtocol(t);
            pump();
            return t;
        }

        MemoryNetwork.MemoryTransport transport(String scheme) {
            return transports.stream().filter(t -> t.scheme.equals(scheme)).reduce((a, b) -> b).orElseThrow();
        }

        /** @return its bound address of that scheme */
        URI address(String scheme) {
            return engine.listening().stream().filter(u -> u.getScheme().equals(scheme)).findFirst().orElseThrow();
        }

        /** Connects to another node's address of that scheme, asserting success. */
        void connect(Node other, String scheme) {
            CompletionStage<?> r = engine.connect(other.address(scheme));
            await(r);
            r.toCompletableFuture().join();
        }

        Envelope message(Node to, Object payload) {
            return message(to, payload, Envelope.NEVER);
        }

        Envelope message(Node to, Object payload, long expiresAt) {
            return Envelope.builder().src(EngineAddress.of(id, "src")).dst(EngineAddress.of(to.id, "sink"))
                    .id(local.nextMessageId()).type("t").payload(payload).expiresAt(expiresAt).build();
        }

        TransportSnapshot snapshot() {
            CompletionStage<TransportSnapshot> s = engine.snapshot();
            await(s);
            return s.toCompletableFuture().join();
        }

        TransportSnapshot.PeerInfo peer(Node other) {
            return snapshot().peers().stream().filter(p -> p.node().equals(other.id)).findFirst().orElseThrow();
        }

        TransportSnapshot.ProtocolInfo protocol(String scheme) {
            return snapshot().protocols().stream().filter(p -> p.scheme().equals(scheme)).findFirst().orElseThrow();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** @return the settings tests start from: both memory schemes on the node's own host, preference Q then T */
    static TransportSettings.Builder settings(String host) {
        return TransportSettings.builder()
                .listen(List.of(URI.create(Q + "://" + host + ":0"), URI.create(T + "://" + host + ":0")))
                .preferredSchemes(List.of(Q, T))
                .handoffCapacity(1 << 16)
                .inboundQueueCapacity(1 << 16);
    }

    Node node(String name) {
        return node(name, settings(name).build());
    }

    Node node(String name, TransportSettings settings) {
        byte[] key = new byte[NodeId.LENGTH];
        random.nextBytes(key);
        Node n = new Node(name, settings, NodeId.of(key));
        nodes.add(n);
        return n;
    }

    /**
     * Simulates a process restart: the old engine stops (its transports go down with it) and a new engine with the
     * same node id and settings starts, with the given transports installed. It forgets everything.
     */
    Node restart(Node old, String... schemes) {
        old.engine.close();
        pump();
        old.transports.forEach(MemoryNetwork.MemoryTransport::shutDown);
        nodes.remove(old);
        Node n = new Node(old.name, old.settings, old.id);
        nodes.add(n);
        for (String scheme : schemes) {
            n.install(scheme);
        }
        return n;
    }

    /** Runs every engine until none has work left; fails if they never settle. */
    void pump() {
        for (int round = 0; round < 100_000; round++) {
            int work = 0;
            for (Node n : nodes) {
                work += n.engine.doWork();
            }
            if (work == 0) {
                return;
            }
        }
        throw new AssertionError("the engines never settled");
    }

    /** Moves time in steps of at most 5 ms (the engines' tick), pumping at each. */
    void advance(Duration d) {
        long left = d.toNanos();
        while (left > 0) {
            long step = Math.min(left, 5_000_000L);
            time.advance(Duration.ofNanos(step));
            left -= step;
            pump();
        }
        pump();
    }

    /** Pumps and moves time until {@code condition} holds, for at most {@code max} of simulated time. */
    void advanceUntil(BooleanSupplier condition, Duration max) {
        pump();
        long left = max.toNanos();
        while (!condition.getAsBoolean()) {
            if (left <= 0) {
                throw new AssertionError("condition not met within " + max + " of simulated time");
            }
            time.advance(Duration.ofMillis(5));
            left -= 5_000_000L;
            pump();
        }
    }

    /** Pumps until the stage completes (in simulated time, up to a minute). */
    void await(CompletionStage<?> stage) {
        CompletableFuture<?> f = stage.toCompletableFuture();
        advanceUntil(f::isDone, Duration.ofMinutes(1));
    }
}
