package io.hypha.relay.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.hypha.api.DeadLetter;
import io.hypha.api.DeliveryFailure;
import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import io.hypha.api.advert.NodeAdvert;
import io.hypha.relay.internal.wire.InnerEnvelope;
import io.hypha.relay.internal.wire.Refusal;
import io.hypha.relay.internal.wire.RelayCodec;
import io.hypha.relay.internal.wire.RelayMessage.Expired;
import io.hypha.relay.internal.wire.RelayMessage.ExpiredEntry;
import io.hypha.relay.internal.wire.RelayMessage.Refused;
import io.hypha.relay.internal.wire.RelayMessage.RefusedEntry;
import io.hypha.relay.internal.wire.RelayMessage.Store;
import io.hypha.relay.internal.wire.RelayMessage.StoreEntry;
import io.hypha.relay.internal.wire.RelayMessage.Stored;
import io.hypha.testkit.ManualClock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SenderRoleTest {
    private final ManualClock clock = new ManualClock();
    private final Mesh mesh = new Mesh(clock);
    private final NodeId edge = TestNode.randomId();
    private final NodeId r1 = TestNode.randomId();
    private final NodeId r2 = TestNode.randomId();
    private final NodeAdvert advert = Messages.advert(edge, r1, r2);
    private TestNode a;

    private TestNode start(RelaySettings.Sender sender) throws Exception {
        RelaySettings d = RelaySettings.defaults();
        a = mesh.add(TestNode.start("a", clock, new RelaySettings(sender, d.serve(), d.edge(), d.protocolTtl(), d.tick()), null));
        return a;
    }

    private static RelaySettings.Sender sender(int maxPending, int window) {
        RelaySettings.Sender d = RelaySettings.Sender.DEFAULTS;
        return new RelaySettings.Sender(maxPending, d.maxPendingBytes(), d.maxMessageBytes(), window, d.batchMessages(),
                d.batchBytes(), d.resendAfter(), d.resendGrace(), d.failoverAfter(), d.expiryGrace(), d.maxPendingAge(),
                d.retryDelay());
    }

    @AfterEach
    void stop() {
        if (a != null) {
            a.harness.assertNoFailures();
            a.close();
        }
    }

    private Envelope message(String text) {
        return Messages.app(a.id, edge, text, clock.millis() + 60_000);
    }

    /** @return the store messages sent to {@code relay} since the last call, their entries in order */
    private List<StoreEntry> storesTo(NodeId relay) {
        List<StoreEntry> entries = mesh.elsewhere.stream().filter(e -> relay.equals(e.dst().node()) && RelayCodec.STORE.equals(e.type()))
                .flatMap(e -> ((Store) Messages.decode(e)).entries().stream()).toList();
        mesh.elsewhere.removeIf(e -> relay.equals(e.dst().node()));
        return entries;
    }

    private Envelope storeEnvelopeTo(NodeId relay) {
        return mesh.elsewhere.stream().filter(e -> relay.equals(e.dst().node()) && RelayCodec.STORE.equals(e.type()))
                .findFirst().orElseThrow();
    }

    private void answer(NodeId relay, io.hypha.relay.internal.wire.RelayMessage m) {
        a.harness.deliver(Messages.relay(relay, a.id, m));
        mesh.pump();
    }

    @Test
    void handsAMessageForAnEdgeToItsFirstRelaySealedForTheEdgeAndForgetsItOnceStored() throws Exception {
        start(RelaySettings.Sender.DEFAULTS);
        Envelope m = message("hello edge");

        assertThat(a.engine.forward(m, advert)).isNull();
        mesh.pump();

        List<StoreEntry> entries = storesTo(r1);
        assertThat(entries).hasSize(1);
        StoreEntry e = entries.get(0);
        assertThat(e.edge()).isEqualTo(edge);
        assertThat(e.srcEngine()).isEqualTo("app");
        assertThat(e.expiresAt()).isEqualTo(m.expiresAt());
        FakeSealer edgeSealer = new FakeSealer(edge);
        InnerEnvelope inner = InnerEnvelope.decode(edgeSealer.openFrom(a.id, e.sealed()), a.id);
        assertThat(inner.ticket()).isEqualTo(e.msgId());
        assertThat(inner.envelope().type()).isEqualTo("app.msg");
        assertThat(inner.envelope().src()).isEqualTo(EngineAddress.of(a.id, "app"));
        assertThat(Messages.text(inner.envelope())).isEqualTo("hello edge");
        assertThat(mesh.snapshot(a).sender().pendingMessages()).isEqualTo(1);

        answer(r1, new Stored(new long[] {e.msgId()}));

        assertThat(mesh.snapshot(a).sender().pendingMessages()).isZero();
        assertThat(mesh.snapshot(a).sender().confirmed()).isEqualTo(1);
        assertThat(a.local.undeliverable()).isEmpty();
    }

    @Test
    void prefersAConnectedRelayOfTheAdvert() throws Exception {
        start(RelaySettings.Sender.DEFAULTS);
        a.network.connected.add(r2);
        a.engine.network(a.network);
        mesh.pump();

        a.engine.forward(message("via r2"), advert);
        mesh.pump();

        assertThat(storesTo(r1)).isEmpty();
        assertThat(storesTo(r2)).hasSize(1);
    }

    @Test
    void refusesAtOnceWithMailboxFullWhenItHoldsAsManyAsItMay() throws Exception {
        start(sender(2, 4096));

        assertThat(a.engine.forward(message("1"), advert)).isNull();
        assertThat(a.engine.forward(message("2"), advert)).isNull();
        assertThat(a.engine.forward(message("3"), advert)).isEqualTo(DeliveryFailure.MAILBOX_FULL);
        mesh.pump();
        List<StoreEntry> entries = storesTo(r1);
        answer(r1, new Stored(new long[] {entries.get(0).msgId()}));

        assertThat(a.engine.forward(message("4"), advert)).as("room again once the relay stored one").isNull();
    }

    @Test
    void refusesWhatItCannotCarry() throws Exception {
        start(RelaySettings.Sender.DEFAULTS);
        Envelope object = Envelope.builder().src(EngineAddress.of(a.id, "app")).dst(EngineAddress.of(edge, "inbox"))
                .type("t").payload(new Object()).build();
        Envelope toRelayEngine = Envelope.builder().dst(EngineAddress.of(edge, RelayEngine.NAME)).type("t").build();
        Envelope expired = Messages.app(a.id, edge, "late", clock.millis() - 1);

        assertThat(a.engine.forward(message("x"), Messages.advert(edge))).as("no relays").isEqualTo(DeliveryFailure.NO_ROUTE);
        assertThat(a.engine.forward(message("x"), Messages.advert(r1, r2))).as("another node's advert").isEqualTo(DeliveryFailure.NO_ROUTE);
        assertThat(a.engine.forward(object, advert)).isEqualTo(DeliveryFailure.NO_ROUTE);
        assertThat(a.engine.forward(toRelayEngine, advert)).isEqualTo(DeliveryFailure.NO_ROUTE);
        assertThat(a.engine.forward(expired, advert)).isEqualTo(DeliveryFailure.EXPIRED);
        mesh.pump();
        assertThat(mesh.elsewhere).isEmpty();
    }

    @Test
    void keepsMessagesBeyondTheWindowUntilAnswersFreeItInOrder() throws Exception {
        start(sender(100, 2));
        for (int i = 1; i <= 5; i++) {
            a.engine.forward(message("m" + i), advert);
        }
        mesh.pump();
        List<StoreEntry> first = storesTo(r1);
        assertThat(first).hasSize(2);

        answer(r1, new Stored(new long[] {first.get(0).msgId(), first.get(1).msgId()}));
        List<StoreEntry> second = storesTo(r1);

        assertThat(second).hasSize(2);
        assertThat(second.get(0).msgId()).isGreaterThan(first.get(1).msgId());
        assertThat(mesh.snapshot(a).sender().unsent()).isEqualTo(1);
    }

    @Test
    void reportsQuotaFullAndExpiredRefusalsToTheSendingEngine() throws Exception {
        start(RelaySettings.Sender.DEFAULTS);
        Envelope full = message("full");
        Envelope late = message("late");
        Envelope storeFull = message("store full");
        a.engine.forward(full, advert);
        a.engine.forward(late, advert);
        a.engine.forward(storeFull, advert);
        mesh.pump();
        List<StoreEntry> entries = storesTo(r1);

        answer(r1, new Refused(List.of(new RefusedEntry(entries.get(0).msgId(), Refusal.QUOTA_FULL),
                new RefusedEntry(entries.get(1).msgId(), Refusal.EXPIRED),
                new RefusedEntry(entries.get(2).msgId(), Refusal.STORE_FULL))));

        assertThat(a.local.undeliverable()).extracting(DeadLetter::envelope).containsExactly(full, late, storeFull);
        assertThat(a.local.undeliverable()).extracting(DeadLetter::failure)
                .containsExactly(DeliveryFailure.QUOTA_FULL, DeliveryFailure.EXPIRED, DeliveryFailure.QUOTA_FULL);
        assertThat(mesh.snapshot(a).sender().pendingMessages()).isZero();
        assertThat(mesh.snapshot(a).sender().refused()).containsEntry(Refusal.QUOTA_FULL, 1L).containsEntry(Refusal.STORE_FULL, 1L);
    }

    @Test
    void triesTheNextRelayWhenOneRefusesOrCannotBeReachedAndReportsNoRouteWhenNoneIsLeft() throws Exception {
        start(RelaySettings.Sender.DEFAULTS);
        Envelope m = message("wandering");
        a.engine.forward(m, advert);
        mesh.pump();
        StoreEntry atR1 = storesTo(r1).get(0);

        answer(r1, new Refused(List.of(new RefusedEntry(atR1.msgId(), Refusal.NOT_SERVING))));
        Envelope toR2 = storeEnvelopeTo(r2);
        assertThat(((Store) Messages.decode(toR2)).entries().get(0).msgId()).isEqualTo(atR1.msgId());
        assertThat(a.local.undeliverable()).isEmpty();

        a.harness.undeliverable(toR2, DeliveryFailure.NO_ROUTE);
        mesh.pump();

        assertThat(a.local.undeliverable()).singleElement().satisfies(l -> {
            assertThat(l.envelope()).isEqualTo(m);
            assertThat(l.failure()).isEqualTo(DeliveryFailure.NO_ROUTE);
        });
        assertThat(mesh.snapshot(a).sender().failovers()).isEqualTo(1);
    }

    @Test
    void aRefusalFromARelayTheMessageNoLongerWaitsForIsStale() throws Exception {
        start(RelaySettings.Sender.DEFAULTS);
        a.engine.forward(message("m"), advert);
        mesh.pump();
        StoreEntry e = storesTo(r1).get(0);

        answer(r2, new Refused(List.of(new RefusedEntry(e.msgId(), Refusal.QUOTA_FULL))));
        answer(r1, new Stored(new long[] {424242L}));

        assertThat(a.local.undeliverable()).isEmpty();
        assertThat(mesh.snapshot(a).drops()).containsEntry(Drop.STALE, 2L);
        assertThat(mesh.snapshot(a).sender().pendingMessages()).isEqualTo(1);
    }

    @Test
    void resendsUnconfirmedMessagesWhenTheRelayReconnectsAndTheyStayUnanswered() throws Exception {
        start(RelaySettings.Sender.DEFAULTS);
        a.network.connected.add(r1);
        a.engine.network(a.network);
        mesh.pump();
        a.engine.forward(message("1"), advert);
        a.engine.forward(message("2"), advert);
        mesh.pump();
        List<StoreEntry> first = storesTo(r1);
        answer(r1, new Stored(new long[] {first.get(0).msgId()}));

        a.engine.peerDisconnected(r1);
        a.engine.peerConnected(r1);
        mesh.pump();
        assertThat(storesTo(r1)).as("not at once: the transport may still deliver it").isEmpty();
        mesh.advance(RelaySettings.Sender.DEFAULTS.resendGrace().plusMillis(300));

        assertThat(storesTo(r1)).extracting(StoreEntry::msgId).containsExactly(first.get(1).msgId());
        assertThat(mesh.snapshot(a).sender().resent()).isEqualTo(1);
    }

    @Test
    void movesMessagesToTheNextRelayWhenTheirRelayStaysAway() throws Exception {
        start(RelaySettings.Sender.DEFAULTS);
        a.network.connected.add(r1);
        a.engine.network(a.network);
        mesh.pump();
        a.engine.forward(message("m"), advert);
        mesh.pump();
        StoreEntry e = storesTo(r1).get(0);

        a.engine.peerDisconnected(r1);
        mesh.pump();
        mesh.advance(RelaySettings.Sender.DEFAULTS.failoverAfter().minusSeconds(1));
        assertThat(storesTo(r2)).as("not before failoverAfter").isEmpty();
        mesh.advance(Duration.ofSeconds(2));

        assertThat(storesTo(r2)).extracting(StoreEntry::msgId).containsExactly(e.msgId());
    }

    @Test
    void reportsExpiredOnceWhenARelayExpiresAStoredMessageAndIgnoresNotesItDidNotSeal() throws Exception {
        start(RelaySettings.Sender.DEFAULTS);
        Envelope m = message("too late for the edge");
        a.engine.forward(m, advert);
        mesh.pump();
        StoreEntry e = storesTo(r1).get(0);
        answer(r1, new Stored(new long[] {e.msgId()}));
        byte[] forgedNote = new FakeSealer(r1).sealFrom(a.id, new byte[] {1, 2, 3});

        Expired report = new Expired(edge, List.of(new ExpiredEntry(e.msgId(), "app", e.note())));
        answer(r1, report);
        answer(r1, report);
        answer(r1, new Expired(edge, List.of(new ExpiredEntry(e.msgId(), "app", forgedNote))));

        assertThat(a.local.undeliverable()).singleElement().satisfies(l -> {
            assertThat(l.failure()).isEqualTo(DeliveryFailure.EXPIRED);
            assertThat(l.envelope().type()).isEqualTo(m.type());
            assertThat(l.envelope().src()).isEqualTo(m.src());
            assertThat(l.envelope().dst()).isEqualTo(m.dst());
            assertThat(l.envelope().id()).isEqualTo(m.id());
            assertThat(l.envelope().expiresAt()).isEqualTo(m.expiresAt());
        });
        assertThat(mesh.snapshot(a).drops()).containsEntry(Drop.UNSEALABLE, 1L);
    }

    @Test
    void reportsMessagesThatExpireBeforeARelayTakesThem() throws Exception {
        start(sender(100, 1));
        a.engine.forward(message("first"), advert);
        Envelope waiting = Messages.app(a.id, edge, "waits behind the window", clock.millis() + 2_000);
        a.engine.forward(waiting, advert);
        mesh.pump();
        assertThat(storesTo(r1)).hasSize(1);

        mesh.advance(Duration.ofSeconds(3));

        assertThat(a.local.undeliverable()).singleElement().satisfies(l -> {
            assertThat(l.envelope()).isEqualTo(waiting);
            assertThat(l.failure()).isEqualTo(DeliveryFailure.EXPIRED);
        });
    }

    @Test
    void triesTheSameRelayAgainLaterWhenTheTransportBufferIsFull() throws Exception {
        start(RelaySettings.Sender.DEFAULTS);
        a.engine.forward(message("1"), advert);
        mesh.pump();
        Envelope store = storeEnvelopeTo(r1);
        long ticket = ((Store) Messages.decode(store)).entries().get(0).msgId();
        mesh.elsewhere.clear();

        a.harness.undeliverable(store, DeliveryFailure.MAILBOX_FULL);
        mesh.pump();
        assertThat(storesTo(r1)).isEmpty();
        mesh.advance(RelaySettings.Sender.DEFAULTS.retryDelay().plusMillis(300));

        assertThat(storesTo(r1)).extracting(StoreEntry::msgId).containsExactly(ticket);
        assertThat(a.local.undeliverable()).isEmpty();
    }

    @Test
    void reportsEveryHeldMessageWhenTheEngineStops() throws Exception {
        start(RelaySettings.Sender.DEFAULTS);
        a.engine.forward(message("1"), advert);
        a.engine.forward(message("2"), advert);
        mesh.pump();

        a.harness.stop();

        assertThat(a.local.undeliverable(DeliveryFailure.NO_ROUTE)).isEqualTo(2);
        assertThat(a.engine.forward(message("3"), advert)).isEqualTo(DeliveryFailure.NO_ROUTE);
    }
}
