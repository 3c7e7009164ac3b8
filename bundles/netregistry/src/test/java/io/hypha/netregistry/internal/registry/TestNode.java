package io.hypha.netregistry.internal.registry;

import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import io.hypha.identity.internal.Ed25519NodeKey;
import io.hypha.netregistry.test.FakeNetwork;
import io.hypha.netregistry.test.Keys;
import io.hypha.testkit.EngineHarness;
import io.hypha.testkit.ManualClock;
import io.hypha.wire.advert.ProtobufAdvertCodec;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * One node's registry under test: a real key and codec, a {@link FakeNetwork}, a store in a directory of the test's,
 * and the engine hosted in an {@link EngineHarness} sharing the test's clock.
 */
final class TestNode {
    final Ed25519NodeKey key;
    final NodeId id;
    final FakeNetwork network;
    final ProtobufAdvertCodec codec = Keys.codec();
    final ManualClock clock;
    final Path dir;
    RegistrySettings settings;
    NetRegistry registry;
    EngineHarness harness;

    TestNode(int seedByte, Path dir, ManualClock clock, RegistrySettings settings) {
        this.key = Keys.key(seedByte);
        this.id = key.id();
        this.network = new FakeNetwork(id);
        this.clock = clock;
        this.dir = dir;
        this.settings = settings;
    }

    /** @param port the TLS port it listens on @return this node, listening */
    TestNode listening(int port) {
        network.listening(List.of(URI.create("tls://127.0.0.1:" + port)));
        return this;
    }

    /** Opens the store, builds the registry and starts the engine. */
    TestNode start() throws AdvertStoreException {
        registry = new NetRegistry(settings, key, codec, network, AdvertStore.open(dir), clock, new Random(7));
        harness = EngineHarness.builder(RegistryProtocol.ENGINE, registry).node(id).clock(clock).start();
        return this;
    }

    /** Stops the engine and closes the store, as the node going down does. */
    void stop() {
        if (!harness.isStopped()) {
            harness.stop();
        }
        registry.close();
    }

    /** @return this node's registry address */
    EngineAddress address() {
        return EngineAddress.of(id, RegistryProtocol.ENGINE);
    }

    /** Delivers a message from another node's registry. */
    Envelope receive(NodeId from, String type, Object payload) {
        return harness.deliver(EngineAddress.of(from, RegistryProtocol.ENGINE), type, payload);
    }

    /** Runs what the engine handed to its turn (schedule(0)). */
    void runDue() {
        harness.runDue();
    }

    /**
     * Carries messages between two registries until neither sends more: requests and pushes go to the other's engine,
     * replies complete the other's pending requests. What goes to a third node stays in the outbox.
     */
    static void pump(TestNode a, TestNode b) {
        boolean moved = true;
        while (moved) {
            moved = carry(a, b) | carry(b, a);
        }
    }

    private static boolean carry(TestNode from, TestNode to) {
        List<Envelope> all = from.harness.takeSent();
        for (Envelope e : all) {
            if (!to.id.equals(e.dst().node())) {
                continue; // addressed to a node not in this pair: dropped
            }
            Envelope request = e.isReply() ? to.harness.pendingRequests().stream().filter(r -> r.id() == e.inReplyTo())
                    .findFirst().orElse(null) : null;
            if (request != null) {
                to.harness.reply(request, e.type(), e.payload());
            } else {
                to.harness.deliver(e.toBuilder().inReplyTo(Envelope.NO_REQUEST).build()); // a push, or a late answer
            }
        }
        return !all.isEmpty();
    }
}
