package io.hypha.relay.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.hypha.api.DeliveryFailure;
import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import io.hypha.relay.internal.engine.RelaySettings.RelayTarget;
import io.hypha.relay.internal.wire.InnerEnvelope;
import io.hypha.relay.internal.wire.RegisterStatus;
import io.hypha.relay.internal.wire.RelayMessage;
import io.hypha.relay.internal.wire.RelayMessage.Deliver;
import io.hypha.relay.internal.wire.RelayMessage.DeliverEntry;
import io.hypha.relay.internal.wire.RelayMessage.Delivered;
import io.hypha.relay.internal.wire.RelayMessage.Register;
import io.hypha.relay.internal.wire.RelayMessage.Registered;
import io.hypha.testkit.ManualClock;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The edge role: the test plays the relay R (and, through its sealer, the sender A). */
class EdgeRoleTest {
    private final ManualClock clock = new ManualClock();
    private final Mesh mesh = new Mesh(clock);
    private final NodeId relayId = TestNode.randomId();
    private final NodeId a = TestNode.randomId();
    private final FakeSealer aSealer = new FakeSealer(a);
    private TestNode e;
    private long nextTicket = 100;

    @BeforeEach
    void start() throws Exception {
        RelaySettings d = RelaySettings.defaults();
        RelayTarget target = new RelayTarget(relayId, URI.create("tls://" + relayId + "@127.0.0.1:4001"));
        e = mesh.add(TestNode.start("e", clock, new RelaySettings(d.sender(), d.serve(), d.edge().withRelays(List.of(target)),
                d.protocolTtl(), d.tick()), null));
    }

    @AfterEach
    void stop() {
        e.harness.assertNoFailures();
        e.close();
    }

    private List<RelayMessage> sentToRelay() {
        List<RelayMessage> out = mesh.elsewhere.stream().filter(x -> relayId.equals(x.dst().node())).map(Messages::decode).toList();
        mesh.elsewhere.removeIf(x -> relayId.equals(x.dst().node()));
        return out;
    }

    private void fromRelay(NodeId from, RelayMessage m) {
        e.harness.deliver(Messages.relay(from, e.id, m));
        mesh.pump();
    }

    private void connectAndRegister() {
        e.engine.network(e.network);
        mesh.pump();
        e.network.lastDial().complete(relayId);
        mesh.pump();
        fromRelay(relayId, new Registered(RegisterStatus.OK, 100, 1 << 20, 1 << 16));
        sentToRelay();
    }

    /** @return an entry as the relay forwards it: {@code text} sealed by A for E */
    private DeliverEntry entry(long seq, String text) {
        return entry(seq, text, nextTicket++);
    }

    private DeliverEntry entry(long seq, String text, long ticket) {
        Envelope inner = Envelope.builder().src(EngineAddress.of(a, "app")).dst(EngineAddress.of(e.id, "inbox")).id(seq)
                .type("app.msg").payload(text.getBytes()).build();
        return new DeliverEntry(seq, a, aSealer.sealFrom(e.id, InnerEnvelope.encode(ticket, inner)));
    }

    private List<String> deliveredTexts() {
        return e.local.delivered().stream().map(Messages::text).toList();
    }

    @Test
    void dialsItsRelayOnceTheNetworkIsThereAndRegistersAfterEveryConnection() {
        mesh.pump();
        assertThat(e.network.dialled).as("no network yet").isEmpty();

        e.engine.network(e.network);
        mesh.pump();
        assertThat(e.network.dialled).singleElement().satisfies(u -> assertThat(u.getUserInfo()).isEqualTo(relayId.toString()));
        e.network.lastDial().complete(relayId);
        mesh.pump();
        assertThat(sentToRelay()).singleElement().isInstanceOf(Register.class);
        fromRelay(relayId, new Registered(RegisterStatus.OK, 100, 1 << 20, 1 << 16));

        e.engine.peerDisconnected(relayId);
        e.engine.peerConnected(relayId);
        mesh.pump();

        assertThat(sentToRelay()).singleElement().isInstanceOf(Register.class);
        RelaySnapshot.RelayRow row = mesh.snapshot(e).edge().relays().get(0);
        assertThat(row.state()).isEqualTo("REGISTERING");
    }

    @Test
    void dialsAgainAfterAFailedDialWithBackoff() {
        e.engine.network(e.network);
        mesh.pump();
        e.network.lastDial().completeExceptionally(new IllegalStateException("connection refused"));
        mesh.pump();
        assertThat(mesh.snapshot(e).edge().relays().get(0).state()).isEqualTo("DISCONNECTED");

        mesh.advance(RelaySettings.Edge.NONE.reconnectMin().plusMillis(500));

        assertThat(e.network.dialled).hasSize(2);
    }

    @Test
    void opensDeliversInOrderAndAcknowledgesCumulatively() {
        connectAndRegister();

        fromRelay(relayId, new Deliver(List.of(entry(1, "one"), entry(2, "two"), entry(3, "three"))));

        assertThat(deliveredTexts()).containsExactly("one", "two", "three");
        Envelope first = e.local.delivered().get(0);
        assertThat(first.src()).isEqualTo(EngineAddress.of(a, "app"));
        assertThat(first.dst()).isEqualTo(EngineAddress.local("inbox"));
        assertThat(sentToRelay()).containsExactly(new Delivered(3));
        assertThat(mesh.snapshot(e).edge().delivered()).isEqualTo(3);
    }

    @Test
    void dropsDuplicatesBySequenceNumberAndBySendersTicketButAcknowledgesThem() {
        connectAndRegister();
        DeliverEntry one = entry(1, "one", 7);
        fromRelay(relayId, new Deliver(List.of(one)));

        fromRelay(relayId, new Deliver(List.of(one)));                        // the same seq again
        fromRelay(relayId, new Deliver(List.of(entry(2, "one again", 7))));   // the sender sent it again (new seq)
        fromRelay(relayId, new Deliver(List.of(entry(3, "three"))));

        assertThat(deliveredTexts()).containsExactly("one", "three");
        assertThat(mesh.snapshot(e).edge().duplicates()).isEqualTo(2);
        assertThat(sentToRelay()).containsExactly(new Delivered(1), new Delivered(2), new Delivered(3));
    }

    @Test
    void acknowledgesButNeverDeliversWhatDoesNotOpenOrIsNoEnvelope() {
        connectAndRegister();
        NodeId forger = TestNode.randomId();
        byte[] forged = new FakeSealer(forger).sealFrom(e.id, new byte[] {1, 2, 3});
        byte[] garbage = aSealer.sealFrom(e.id, new byte[] {9, 9});

        fromRelay(relayId, new Deliver(List.of(new DeliverEntry(1, a, forged), new DeliverEntry(2, a, garbage), entry(3, "ok"))));

        assertThat(deliveredTexts()).containsExactly("ok");
        assertThat(sentToRelay()).containsExactly(new Delivered(3));
        RelaySnapshot snap = mesh.snapshot(e);
        assertThat(snap.edge().unsealable()).isEqualTo(2);
        assertThat(snap.drops()).containsEntry(Drop.UNSEALABLE, 1L).containsEntry(Drop.MALFORMED, 1L);
    }

    @Test
    void holdsBackUnacknowledgedWhileTheLocalMailboxIsFullAndTriesAgain() {
        connectAndRegister();
        e.local.refuseWith = DeliveryFailure.MAILBOX_FULL;

        fromRelay(relayId, new Deliver(List.of(entry(1, "one"), entry(2, "two"))));
        assertThat(deliveredTexts()).isEmpty();
        assertThat(sentToRelay()).isEmpty();

        e.local.refuseWith = null;
        mesh.advance(RelaySettings.Edge.NONE.deliveryRetry().plusMillis(5));

        assertThat(deliveredTexts()).containsExactly("one", "two");
        assertThat(sentToRelay()).containsExactly(new Delivered(2));
    }

    @Test
    void dropsUnacknowledgedWhatARelaySendsBeyondTheHoldAndRegistersAgainToGetIt() throws Exception {
        RelaySettings d = RelaySettings.defaults();
        RelaySettings.Edge small = new RelaySettings.Edge(List.of(new RelayTarget(relayId,
                URI.create("tls://" + relayId + "@127.0.0.1:4001"))), 100, Duration.ofMillis(500), Duration.ofSeconds(30),
                Duration.ofMillis(20), 2);
        e.close();
        e = mesh.add(TestNode.start("e", clock, new RelaySettings(d.sender(), d.serve(), small, d.protocolTtl(), d.tick()), null));
        connectAndRegister();
        e.local.refuseWith = DeliveryFailure.MAILBOX_FULL;

        fromRelay(relayId, new Deliver(List.of(entry(1, "one"), entry(2, "two"), entry(3, "three"), entry(4, "four"))));
        e.local.refuseWith = null;
        mesh.advance(Duration.ofMillis(25));

        assertThat(deliveredTexts()).containsExactly("one", "two");
        assertThat(sentToRelay()).containsExactly(new Delivered(2), new Register());
        assertThat(mesh.snapshot(e).drops()).containsEntry(Drop.HELD_FULL, 2L);
    }

    @Test
    void deadLettersHereWhatNoLocalEngineTakesAndAcknowledgesIt() {
        connectAndRegister();
        e.local.refuseWith = DeliveryFailure.NO_SUCH_ENGINE;

        fromRelay(relayId, new Deliver(List.of(entry(1, "nobody home"))));

        assertThat(e.local.undeliverable(DeliveryFailure.NO_SUCH_ENGINE)).isEqualTo(1);
        assertThat(sentToRelay()).containsExactly(new Delivered(1));
    }

    @Test
    void ignoresDeliveriesAndAnswersFromNodesThatAreNotItsRelays() {
        connectAndRegister();
        NodeId stranger = TestNode.randomId();

        fromRelay(stranger, new Deliver(List.of(entry(1, "sneaky"), entry(2, "sneakier"))));
        fromRelay(stranger, new Registered(RegisterStatus.OK, 1, 1, 1));

        assertThat(deliveredTexts()).isEmpty();
        assertThat(mesh.elsewhere).isEmpty();
        assertThat(mesh.snapshot(e).drops()).containsEntry(Drop.NOT_A_RELAY, 3L);
    }

    @Test
    void aRefusedRegistrationIsShownAndAskedAgainLater() {
        e.engine.network(e.network);
        mesh.pump();
        e.network.lastDial().complete(relayId);
        mesh.pump();
        sentToRelay();

        fromRelay(relayId, new Registered(RegisterStatus.NOT_SERVING, 0, 0, 0));
        RelaySnapshot.RelayRow row = mesh.snapshot(e).edge().relays().get(0);
        assertThat(row.state()).isEqualTo("REFUSED");
        assertThat(row.detail()).contains("NOT_SERVING");

        mesh.advance(RelaySettings.Edge.NONE.reconnectMax().plusSeconds(1));
        assertThat(sentToRelay()).singleElement().isInstanceOf(Register.class);
    }

    @Test
    void registersAgainWhenARegistrationStaysUnanswered() {
        e.engine.network(e.network);
        mesh.pump();
        e.network.lastDial().complete(relayId);
        mesh.pump();
        List<RelayMessage> first = new ArrayList<>(sentToRelay());

        mesh.advance(RelaySettings.DEFAULT_PROTOCOL_TTL.plus(Duration.ofSeconds(1)));
        e.network.lastDial().complete(relayId);
        mesh.pump();

        assertThat(first).singleElement().isInstanceOf(Register.class);
        assertThat(e.network.dialled).hasSize(2);
        assertThat(sentToRelay()).singleElement().isInstanceOf(Register.class);
    }
}
