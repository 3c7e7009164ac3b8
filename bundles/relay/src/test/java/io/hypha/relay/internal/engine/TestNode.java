package io.hypha.relay.internal.engine;

import io.hypha.api.NodeId;
import io.hypha.relay.store.RelayStore;
import io.hypha.relay.store.RelayStoreSettings;
import io.hypha.testkit.EngineHarness;
import io.hypha.testkit.ManualClock;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;

/**
 * One node's relay engine under test, hosted by an {@link EngineHarness} with fakes around it: sealer, local delivery,
 * network. A serving node opens a real {@link RelayStore} in a directory of the test.
 */
final class TestNode implements AutoCloseable {
    final String name;
    final NodeId id;
    final ManualClock clock;
    final FakeSealer sealer;
    final FakeLocal local = new FakeLocal();
    final FakeNetwork network;
    final RelaySettings settings;
    final Path dir;
    final RelayStore store;
    final RelayEngine engine;
    final EngineHarness harness;

    private TestNode(String name, NodeId id, ManualClock clock, RelaySettings settings, Path dir) throws Exception {
        this.name = name;
        this.id = id;
        this.clock = clock;
        this.sealer = new FakeSealer(id);
        this.network = new FakeNetwork(id);
        this.settings = settings;
        this.dir = dir;
        RegisteredEdges registry = dir == null ? null : new RegisteredEdges(dir);
        Map<NodeId, Long> registered = registry == null ? Map.of() : registry.load();
        this.store = settings.serve().serve() && dir != null ? RelayStore.open(dir, settings.serve().store(), clockOf(clock)) : null;
        this.engine = new RelayEngine(id, settings, clock, sealer, local, store, null, registry, registered, Runnable::run);
        this.harness = EngineHarness.builder(RelayEngine.NAME, engine).node(id).clock(clock).start();
    }

    /** @return a node id made of random bytes (the fake sealer needs no curve point) */
    static NodeId randomId() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return NodeId.of(key);
    }

    static TestNode start(String name, ManualClock clock, RelaySettings settings, Path dir) throws Exception {
        return new TestNode(name, randomId(), clock, settings, dir);
    }

    /** Starts this node again on its directory, as after a crash: same id, new engine, store reopened. */
    TestNode restart() throws Exception {
        return new TestNode(name, id, clock, settings, dir);
    }

    /** @return settings of a serving relay with small, test-friendly bounds */
    static RelaySettings relaySettings(long quotaMessages, int forwardWindow) {
        RelaySettings d = RelaySettings.defaults();
        RelayStoreSettings store = new RelayStoreSettings(quotaMessages, 64L << 20, 256L << 20, 64 * 1024,
                java.time.Duration.ofDays(1), RelayStoreSettings.Durability.WRITE, 1024);
        RelaySettings.Serve serve = new RelaySettings.Serve(true, store, 100, java.time.Duration.ofDays(1), forwardWindow, 4,
                64 * 1024, java.time.Duration.ofSeconds(1), 1024);
        return new RelaySettings(d.sender(), serve, d.edge(), d.protocolTtl(), d.tick());
    }

    /** A {@link Clock} over the test's manual clock, for the store. */
    static Clock clockOf(ManualClock clock) {
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return clock.instant();
            }
        };
    }

    /** Stops the engine and closes the store, as a clean shutdown does. */
    @Override
    public void close() {
        if (!harness.isStopped()) {
            harness.stop();
        }
        if (store != null) {
            store.close();
        }
    }

    /** Drops the engine without stopping it and closes the store file handle, as a kill does (nothing more is written). */
    void crash() {
        if (store != null) {
            store.close();
        }
    }

    @Override
    public String toString() {
        return name + "(" + id.shortForm() + ")";
    }
}
