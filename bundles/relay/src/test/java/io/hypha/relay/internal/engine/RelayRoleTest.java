package io.hypha.relay.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import io.hypha.relay.internal.wire.Refusal;
import io.hypha.relay.internal.wire.RegisterStatus;
import io.hypha.relay.internal.wire.RelayCodec;
import io.hypha.relay.internal.wire.RelayMessage;
import io.hypha.relay.internal.wire.RelayMessage.Deliver;
import io.hypha.relay.internal.wire.RelayMessage.DeliverEntry;
import io.hypha.relay.internal.wire.RelayMessage.Delivered;
import io.hypha.relay.internal.wire.RelayMessage.Expired;
import io.hypha.relay.internal.wire.RelayMessage.Refused;
import io.hypha.relay.internal.wire.RelayMessage.RefusedEntry;
import io.hypha.relay.internal.wire.RelayMessage.Register;
import io.hypha.relay.internal.wire.RelayMessage.Registered;
import io.hypha.relay.internal.wire.RelayMessage.Store;
import io.hypha.relay.internal.wire.RelayMessage.StoreEntry;
import io.hypha.relay.internal.wire.RelayMessage.Stored;
import io.hypha.testkit.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay role on a real store: the test plays the sender S and the edge node E by sending the relay engine of R
 * what their relay engines would, and reading what R sends them.
 */
class RelayRoleTest {
    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock();
    private final Mesh mesh = new Mesh(clock);
    private final NodeId s = TestNode.randomId();
    private final NodeId e = TestNode.randomId();
    private final List<TestNode> started = new ArrayList<>();
    private TestNode r;

    private TestNode relay(long quota, int window) throws Exception {
        r = mesh.add(TestNode.start("r", clock, TestNode.relaySettings(quota, window), dir));
        started.add(r);
        return r;
    }

    @AfterEach
    void stop() {
        for (TestNode n : started) {
            n.harness.assertNoFailures();
            n.close();
        }
    }

    private void send(NodeId from, RelayMessage m) {
        r.harness.deliver(Messages.relay(from, r.id, m));
        mesh.pump();
    }

    /** @return what R sent to {@code node} since the last call, decoded, in order */
    private List<RelayMessage> sentTo(NodeId node) {
        List<RelayMessage> out = mesh.elsewhere.stream().filter(x -> node.equals(x.dst().node())).map(Messages::decode).toList();
        mesh.elsewhere.removeIf(x -> node.equals(x.dst().node()));
        return out;
    }

    /** @return what R sent to {@code node} of that type since the last call; other messages stay */
    private <T extends RelayMessage> List<T> sentTo(NodeId node, Class<T> type) {
        List<T> out = new ArrayList<>();
        mesh.elsewhere.removeIf(x -> {
            if (!node.equals(x.dst().node())) {
                return false;
            }
            RelayMessage m = Messages.decode(x);
            if (type.isInstance(m)) {
                out.add(type.cast(m));
                return true;
            }
            return false;
        });
        return out;
    }

    private StoreEntry entry(long ticket, long expiresAt) {
        return new StoreEntry(e, ticket, expiresAt, "app", ("note " + ticket).getBytes(), ("sealed " + ticket).getBytes());
    }

    private void store(long... tickets) {
        List<StoreEntry> entries = new ArrayList<>();
        for (long t : tickets) {
            entries.add(entry(t, Envelope.NEVER));
        }
        send(s, new Store(entries));
    }

    /** @return the tickets R answered stored to S (waiting for the commits) */
    private List<Long> awaitStored(int count) {
        List<Long> ids = new ArrayList<>();
        mesh.awaitUntil(count + " stored answers", () -> {
            for (Stored st : sentTo(s, Stored.class)) {
                for (long id : st.msgIds()) {
                    ids.add(id);
                }
            }
            return ids.size() >= count;
        });
        return ids;
    }

    private void register() {
        send(e, new Register());
    }

    @Test
    void refusesMessagesForEdgesThatNeverRegistered() throws Exception {
        relay(100, 16);

        store(1, 2);

        assertThat(sentTo(s, Refused.class)).singleElement().satisfies(ref -> assertThat(ref.entries())
                .containsExactly(new RefusedEntry(1, Refusal.UNKNOWN_EDGE), new RefusedEntry(2, Refusal.UNKNOWN_EDGE)));
        assertThat(r.store.totalMessages()).isZero();
    }

    @Test
    void aNodeThatDoesNotServeRefusesStoresAndRegistrations() throws Exception {
        r = mesh.add(TestNode.start("r", clock, RelaySettings.defaults(), null));
        started.add(r);

        register();
        store(7);

        assertThat(sentTo(e)).singleElement().isEqualTo(new Registered(RegisterStatus.NOT_SERVING, 0, 0, 0));
        assertThat(sentTo(s, Refused.class).get(0).entries()).containsExactly(new RefusedEntry(7, Refusal.NOT_SERVING));
        assertThat(mesh.snapshot(r).relay()).isNull();
    }

    @Test
    void answersStoredAfterTheCommitForwardsInOrderAndDeletesOnlyWhatTheEdgeAcknowledged() throws Exception {
        relay(100, 16);
        register();
        assertThat(sentTo(e, Registered.class)).singleElement()
                .satisfies(reg -> assertThat(reg.status()).isEqualTo(RegisterStatus.OK));

        store(11, 12, 13);
        assertThat(awaitStored(3)).containsExactly(11L, 12L, 13L);
        assertThat(r.store.totalMessages()).isEqualTo(3);
        assertThat(sentTo(e, Deliver.class)).as("forwarded at once to the online edge").isNotEmpty();

        r.engine.peerDisconnected(e); // gone before it acknowledged: nothing deleted
        mesh.pump();
        register(); // back: R forwards from its store again

        List<DeliverEntry> delivered = sentTo(e, Deliver.class).stream().flatMap(d -> d.entries().stream()).toList();
        assertThat(delivered).extracting(DeliverEntry::seq).containsExactly(1L, 2L, 3L);
        assertThat(delivered).extracting(d -> new String(d.sealed())).containsExactly("sealed 11", "sealed 12", "sealed 13");
        assertThat(delivered).extracting(DeliverEntry::srcNode).containsOnly(s);

        send(e, new Delivered(2));
        mesh.awaitUntil("two acknowledged messages deleted", () -> r.store.totalMessages() == 1);
        send(e, new Delivered(3));
        mesh.awaitUntil("the store empty", () -> r.store.totalMessages() == 0);
        RelaySnapshot.RelayView view = mesh.snapshot(r).relay();
        assertThat(view.stored()).isEqualTo(3);
        assertThat(view.acked()).isEqualTo(3);
        assertThat(view.forwarded()).isGreaterThanOrEqualTo(3);
        assertThat(view.edges()).singleElement().satisfies(row -> {
            assertThat(row.edge()).isEqualTo(e);
            assertThat(row.online()).isTrue();
            assertThat(row.messages()).isZero();
        });
    }

    @Test
    void forwardsAtMostTheWindowAndMoreAsTheEdgeAcknowledges() throws Exception {
        relay(100, 4);
        register();
        sentTo(e);

        store(LongStream.rangeClosed(1, 10).toArray());
        awaitStored(10);
        List<Long> first = sentTo(e, Deliver.class).stream().flatMap(d -> d.entries().stream()).map(DeliverEntry::seq).toList();
        assertThat(first).containsExactly(1L, 2L, 3L, 4L);

        send(e, new Delivered(3));
        List<Long> second = sentTo(e, Deliver.class).stream().flatMap(d -> d.entries().stream()).map(DeliverEntry::seq).toList();

        assertThat(second).containsExactly(5L, 6L, 7L);
    }

    @Test
    void stopsForwardingWhenTheEdgeGoesAwayAndStartsOverWhenItRegistersAgain() throws Exception {
        relay(100, 16);
        register();
        sentTo(e);
        r.engine.peerDisconnected(e);
        mesh.pump();

        store(1, 2);
        awaitStored(2);
        assertThat(sentTo(e, Deliver.class)).isEmpty();

        register();
        assertThat(sentTo(e, Deliver.class).stream().flatMap(d -> d.entries().stream()).map(DeliverEntry::seq))
                .containsExactly(1L, 2L);
    }

    @Test
    void refusesWithQuotaFullBeyondTheEdgesQuota() throws Exception {
        relay(2, 16);
        register();

        store(1, 2, 3);

        assertThat(awaitStored(2)).containsExactly(1L, 2L);
        List<RefusedEntry> refused = new ArrayList<>();
        mesh.awaitUntil("a refusal", () -> {
            sentTo(s, Refused.class).forEach(ref -> refused.addAll(ref.entries()));
            return !refused.isEmpty();
        });
        assertThat(refused).containsExactly(new RefusedEntry(3, Refusal.QUOTA_FULL));
        assertThat(mesh.snapshot(r).relay().refused()).containsEntry(Refusal.QUOTA_FULL, 1L);
    }

    @Test
    void expiresMessagesAndReportsEachToItsSenderWithItsNote() throws Exception {
        relay(100, 16);
        register();
        r.engine.peerDisconnected(e);
        mesh.pump();
        long soon = clock.millis() + 5_000;
        send(s, new Store(List.of(entry(1, soon), entry(2, Envelope.NEVER))));
        awaitStored(2);

        mesh.advance(Duration.ofSeconds(7));
        List<Expired> reports = new ArrayList<>();
        mesh.awaitAdvancing("the expiry report", () -> {
            reports.addAll(sentTo(s, Expired.class));
            return !reports.isEmpty();
        });

        assertThat(reports).singleElement().satisfies(x -> {
            assertThat(x.edge()).isEqualTo(e);
            assertThat(x.entries()).singleElement().satisfies(en -> {
                assertThat(en.msgId()).isEqualTo(1);
                assertThat(en.srcEngine()).isEqualTo("app");
                assertThat(new String(en.note())).isEqualTo("note 1");
            });
        });
        assertThat(r.store.totalMessages()).isEqualTo(1);
        assertThat(mesh.snapshot(r).relay().expired()).isEqualTo(1);
    }

    @Test
    void aRestartedRelayStillTakesMessagesForEdgesRegisteredBeforeAndStillHoldsWhatItStored() throws Exception {
        relay(100, 16);
        register();
        store(1);
        awaitStored(1);
        sentTo(e);
        r.close();

        TestNode again = mesh.add(r.restart());
        started.add(again);
        r = again;
        store(2);
        awaitStored(1);
        register();

        assertThat(sentTo(e, Deliver.class).stream().flatMap(d -> d.entries().stream()).map(DeliverEntry::seq))
                .containsExactly(1L, 2L);
    }

    @Test
    void dropsAcknowledgementsFromNodesThatAreNotRegisteredAndMalformedMessages() throws Exception {
        relay(100, 16);
        register();
        store(1);
        awaitStored(1);
        NodeId stranger = TestNode.randomId();

        send(stranger, new Delivered(1));
        r.harness.deliver(Envelope.builder().src(io.hypha.api.EngineAddress.of(s, RelayEngine.NAME))
                .dst(io.hypha.api.EngineAddress.of(r.id, RelayEngine.NAME)).type(RelayCodec.STORE).payload(new byte[] {1, 5}).build());
        r.harness.deliver(Envelope.builder().dst(io.hypha.api.EngineAddress.of(r.id, RelayEngine.NAME)).type(RelayCodec.REGISTER)
                .payload(new byte[] {1}).build());
        r.harness.deliver(Envelope.builder().src(io.hypha.api.EngineAddress.of(s, "console"))
                .dst(io.hypha.api.EngineAddress.of(r.id, RelayEngine.NAME)).type("text").payload("hello").build());
        mesh.pump();

        assertThat(r.store.totalMessages()).isEqualTo(1);
        assertThat(mesh.snapshot(r).drops()).containsEntry(Drop.NOT_REGISTERED, 1L).containsEntry(Drop.MALFORMED, 1L)
                .containsEntry(Drop.NO_SENDER, 1L).containsEntry(Drop.UNKNOWN_TYPE, 1L);
    }
}
