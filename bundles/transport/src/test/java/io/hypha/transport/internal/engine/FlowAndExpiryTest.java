package io.hypha.transport.internal.engine;

import static io.hypha.transport.internal.engine.TestNodes.Q;
import static org.assertj.core.api.Assertions.assertThat;

import io.hypha.api.DeliveryFailure;
import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import io.hypha.transport.internal.Drop;
import io.hypha.transport.internal.Refusal;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Bounds (outbound buffer, window, inbound queue), refusals at the door, and message expiry on both sides. */
class FlowAndExpiryTest {
    private final TestNodes net = new TestNodes();

    private static List<Object> texts(int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(i -> (Object) ("m" + i)).toList();
    }

    private MemoryNetwork.MemoryConnection outboundSide(TestNodes.Node from) {
        return net.network.open().stream().filter(c -> c.handler instanceof ProtocolHandle h && h.engine == from.engine)
                .reduce((x, y) -> y).orElseThrow();
    }

    @Test
    void theOutboundBufferRefusesBeyondItsBoundUntilThePeerAcknowledges() {
        TestNodes.Node a = net.node("a", TestNodes.settings("a").outboundBufferMessages(10).build());
        TestNodes.Node b = net.node("b");
        a.install(Q);
        b.install(Q);
        a.connect(b, Q);
        MemoryNetwork.MemoryConnection c = outboundSide(a);
        c.hold = true;

        for (int i = 1; i <= 10; i++) {
            assertThat(a.engine.forward(a.message(b, "m" + i))).isNull();
        }
        assertThat(a.engine.forward(a.message(b, "m11"))).isEqualTo(DeliveryFailure.MAILBOX_FULL);
        net.pump();
        assertThat(a.engine.forward(a.message(b, "m11"))).as("in flight but unacknowledged still counts")
                .isEqualTo(DeliveryFailure.MAILBOX_FULL);
        assertThat(a.peer(b).unacked()).isEqualTo(10);
        assertThat(a.peer(b).drops().get(Drop.BUFFER_FULL)).isEqualTo(2);

        c.release();
        net.advance(Duration.ofMillis(20));
        assertThat(a.engine.forward(a.message(b, "m11"))).isNull();
        net.advance(Duration.ofMillis(20));
        assertThat(b.local.payloads()).isEqualTo(texts(1, 11));
        assertThat(a.snapshot().forwardRefusals().get(Drop.BUFFER_FULL)).isEqualTo(2);
    }

    @Test
    void theByteBoundRefusesLargeMessagesWhileSmallOnesFit() {
        TestNodes.Node a = net.node("a", TestNodes.settings("a").maxFrameSize(1 << 16).sendWindowBytes(1 << 16).outboundBufferBytes(100_000).build());
        TestNodes.Node b = net.node("b");
        a.install(Q);
        b.install(Q);
        a.connect(b, Q);
        outboundSide(a).hold = true;

        assertThat(a.engine.forward(a.message(b, new byte[60_000]))).isNull();
        assertThat(a.engine.forward(a.message(b, new byte[60_000]))).isEqualTo(DeliveryFailure.MAILBOX_FULL);
        assertThat(a.engine.forward(a.message(b, new byte[1000]))).isNull();
    }

    @Test
    void anAckThatFindsItsConnectionFullWaitsForItToBecomeWritableWithoutSpinning() {
        TestNodes.Node a = net.node("a");
        TestNodes.Node b = net.node("b");
        a.install(Q);
        b.install(Q);
        a.connect(b, Q);
        MemoryNetwork.MemoryConnection back = outboundSide(a).other;
        back.hold = true;
        back.capacity = 0;

        a.engine.forward(a.message(b, "m1"));
        net.advance(Duration.ofMillis(50));
        assertThat(b.local.payloads()).containsExactly("m1");
        assertThat(a.peer(b).unacked()).isEqualTo(1);
        assertThat(b.engine.doWork()).as("the blocked ack is not retried in a loop").isZero();

        back.release();
        net.advance(Duration.ofMillis(20));
        assertThat(a.peer(b).unacked()).isZero();
    }

    @Test
    void theSendWindowBoundsWhatIsInFlightAndTheRestWaitsQueued() {
        TestNodes.Node a = net.node("a", TestNodes.settings("a").sendWindowMessages(4).build());
        TestNodes.Node b = net.node("b");
        a.install(Q);
        b.install(Q);
        a.connect(b, Q);
        MemoryNetwork.MemoryConnection c = outboundSide(a);
        c.hold = true;

        for (int i = 1; i <= 10; i++) {
            a.engine.forward(a.message(b, "m" + i));
        }
        net.pump();
        assertThat(c.held()).isEqualTo(4);
        assertThat(a.peer(b).unacked()).isEqualTo(4);
        assertThat(a.peer(b).queued()).isEqualTo(6);

        c.release();
        net.advance(Duration.ofMillis(100));
        assertThat(b.local.payloads()).isEqualTo(texts(1, 10));
    }

    @Test
    void aBurstBeyondTheInboundRingWaitsInItsSpillQueueWithoutClosingTheConnection() {
        TestNodes.Node a = net.node("a", TestNodes.settings("a").sendWindowMessages(64).build());
        TestNodes.Node b = net.node("b", TestNodes.settings("b").inboundQueueCapacity(16).build());
        a.install(Q);
        b.install(Q);
        a.connect(b, Q);

        for (int i = 1; i <= 200; i++) {
            a.engine.forward(a.message(b, "m" + i));
        }
        net.advance(Duration.ofMillis(100));

        assertThat(b.local.payloads()).isEqualTo(texts(1, 200));
        assertThat(b.protocol(Q).refusals().get(Refusal.INBOUND_OVERFLOW)).isZero();
        assertThat(net.network.connections()).hasSize(1);
    }

    @Test
    void aConnectionThatOverflowsTheReceiversByteBudgetIsClosedAndTheSessionStillDeliversEverything() {
        TestNodes.Node a = net.node("a", TestNodes.settings("a").sendWindowMessages(64).build());
        TestNodes.Node b = net.node("b", TestNodes.settings("b").maxFrameSize(1 << 16).inboundBufferBytes(1 << 16)
                .sendWindowBytes(1 << 16).outboundBufferBytes(1 << 16).build());
        TestNodes.Node c = net.node("c");
        a.install(Q);
        b.install(Q);
        c.install(Q);
        a.connect(b, Q);
        c.connect(b, Q);

        for (int i = 1; i <= 200; i++) {
            a.engine.forward(a.message(b, ("m" + i + " ").repeat(300)));
        }
        net.advanceUntil(() -> b.local.delivered.size() >= 200, Duration.ofSeconds(60));
        c.engine.forward(c.message(b, "from c"));
        net.advance(Duration.ofMillis(50));

        List<Object> fromA = b.local.delivered.stream().filter(e -> e.src().node().equals(a.id)).map(Envelope::payload).toList();
        assertThat(fromA).isEqualTo(IntStream.rangeClosed(1, 200).mapToObj(i -> (Object) ("m" + i + " ").repeat(300)).toList());
        assertThat(b.protocol(Q).refusals().get(Refusal.INBOUND_OVERFLOW)).isPositive();
        assertThat(b.local.payloads()).contains("from c");
    }

    @Test
    void messagesToUnknownNodesUnsupportedPayloadsAndOversizeMessagesAreRefusedAtTheDoor() {
        TestNodes.Node a = net.node("a");
        TestNodes.Node b = net.node("b");
        a.install(Q);
        b.install(Q);
        a.connect(b, Q);
        byte[] key = new byte[NodeId.LENGTH];
        key[5] = 5;
        Envelope toStranger = Envelope.builder().dst(EngineAddress.of(NodeId.of(key), "x")).type("t").build();

        assertThat(a.engine.forward(toStranger)).isEqualTo(DeliveryFailure.NO_ROUTE);
        assertThat(a.engine.forward(a.message(b, List.of("not bytes")))).isEqualTo(DeliveryFailure.NO_ROUTE);
        assertThat(a.engine.forward(a.message(b, new byte[a.engine.settings().maxFrameSize()]))).isEqualTo(DeliveryFailure.NO_ROUTE);
        assertThat(a.engine.forward(a.message(b, null))).isNull();
        net.pump();

        assertThat(a.snapshot().forwardRefusals())
                .containsEntry(Drop.NO_ROUTE, 1L).containsEntry(Drop.UNSUPPORTED_PAYLOAD, 1L).containsEntry(Drop.TOO_LARGE, 1L);
        assertThat(b.local.delivered).singleElement().satisfies(e -> assertThat(e.payload()).isNull());
    }

    @Test
    void aMessageLargerThanThePeerAcceptsIsDroppedAndReportedToItsSender() {
        TestNodes.Node a = net.node("a", TestNodes.settings("a").maxFrameSize(1 << 20).build());
        TestNodes.Node b = net.node("b", TestNodes.settings("b").maxFrameSize(1 << 16).build());
        a.install(Q);
        b.install(Q);
        a.connect(b, Q);
        // The memory transport enforces the dialler's own limit, like a real one; b announced 64 KiB.
        Envelope big = a.message(b, new byte[100_000]);

        assertThat(a.engine.forward(big)).isNull();
        a.engine.forward(a.message(b, "after"));
        net.pump();

        assertThat(a.local.failures).singleElement().satisfies(f -> {
            assertThat(f.envelope()).isSameAs(big);
            assertThat(f.failure()).isEqualTo(DeliveryFailure.NO_ROUTE);
            assertThat(f.detail()).contains("65536");
        });
        assertThat(b.local.payloads()).containsExactly("after");
        assertThat(a.peer(b).drops().get(Drop.TOO_LARGE)).isEqualTo(1);
    }

    @Test
    void messagesThatExpireBeforeTheyCanBeSentAreDroppedAndReportedAsExpired() {
        TestNodes.Node a = net.node("a", TestNodes.settings("a").expiryCheckMillis(100).build());
        TestNodes.Node b = net.node("b", TestNodes.settings("b").listen(List.of(java.net.URI.create(Q + "://b:7001"))).build());
        a.install(Q);
        b.install(Q);
        a.connect(b, Q);
        b.engine.removeProtocol(b.transport(Q));
        b.transport(Q).shutDown();
        net.pump();
        long now = net.time.millis();
        Envelope soon = a.message(b, "soon", now + 1000);
        Envelope later = a.message(b, "later", now + 60_000);
        Envelope never = a.message(b, "never");
        a.engine.forward(soon);
        a.engine.forward(later);
        a.engine.forward(never);

        net.advance(Duration.ofMillis(900));
        assertThat(a.local.failures).isEmpty();
        net.advance(Duration.ofMillis(300));

        assertThat(a.local.failures).singleElement().satisfies(f -> {
            assertThat(f.envelope()).isSameAs(soon);
            assertThat(f.failure()).isEqualTo(DeliveryFailure.EXPIRED);
        });
        assertThat(a.peer(b).queued()).isEqualTo(2);
        assertThat(a.peer(b).drops().get(Drop.EXPIRED)).isEqualTo(1);

        b.install(Q);
        net.advanceUntil(() -> b.local.delivered.size() == 2, Duration.ofMinutes(2));
        assertThat(b.local.payloads()).containsExactly("later", "never");
    }

    @Test
    void aDataFrameThatArrivesExpiredIsNotDeliveredButCountedAsReceived() {
        TestNodes.Node a = net.node("a");
        TestNodes.Node b = net.node("b");
        a.install(Q);
        b.install(Q);
        a.connect(b, Q);
        MemoryNetwork.MemoryConnection c = outboundSide(a);
        c.hold = true;
        a.engine.forward(a.message(b, "stale", net.time.millis() + 100));
        a.engine.forward(a.message(b, "fresh"));
        net.pump();

        net.advance(Duration.ofMillis(200));
        c.release();
        net.advance(Duration.ofMillis(50));

        assertThat(b.local.payloads()).containsExactly("fresh");
        assertThat(b.local.failures).singleElement().satisfies(f -> assertThat(f.failure()).isEqualTo(DeliveryFailure.EXPIRED));
        assertThat(b.peer(a).drops().get(Drop.EXPIRED)).isEqualTo(1);
        assertThat(a.peer(b).unacked()).as("the expired one is acknowledged too").isZero();
    }
}
