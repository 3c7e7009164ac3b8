package io.hypha.transport.internal.engine;

import static io.hypha.transport.internal.engine.TestNodes.Q;
import static io.hypha.transport.internal.engine.TestNodes.T;
import static org.assertj.core.api.Assertions.assertThat;

import io.hypha.api.DeliveryFailure;
import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.transport.TransportError;
import io.hypha.api.transport.TransportException;
import io.hypha.transport.internal.Drop;
import io.hypha.transport.internal.Refusal;
import io.hypha.transport.internal.TransportSnapshot.PeerState;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Sessions above connections: per-peer FIFO and exactly-once delivery through connection loss, duplicates,
 * reordering across connections, a change of transport scheme, and restarts of either node.
 */
class SessionDeliveryTest {
    private final TestNodes net = new TestNodes();

    private static TransportException broken() {
        return new TransportException(TransportError.IO, "connection reset", null);
    }

    private static List<Object> texts(int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(i -> (Object) ("m" + i)).toList();
    }

    private void send(TestNodes.Node from, TestNodes.Node to, int first, int last) {
        for (int i = first; i <= last; i++) {
            assertThat(from.engine.forward(from.message(to, "m" + i))).as("message %d accepted", i).isNull();
        }
    }

    /** @return {@code from}'s side of its newest open connection to {@code to} over {@code scheme} */
    private MemoryNetwork.MemoryConnection link(TestNodes.Node from, TestNodes.Node to, String scheme) {
        MemoryNetwork.MemoryConnection found = null;
        for (MemoryNetwork.MemoryConnection c : net.network.open()) {
            for (MemoryNetwork.MemoryConnection side : List.of(c, c.other)) {
                if (side.handler instanceof ProtocolHandle h && h.engine == from.engine && h.scheme.equals(scheme)
                        && side.peer.equals(to.id)) {
                    found = side;
                }
            }
        }
        if (found == null) {
            throw new AssertionError("no open " + scheme + " connection from " + from + " to " + to);
        }
        return found;
    }

    @Test
    void messagesFlowBothWaysInOrderWithTheirEnvelopeFields() {
        TestNodes.Node a = net.node("a");
        TestNodes.Node b = net.node("b");
        a.install(Q);
        b.install(Q);
        a.connect(b, Q);

        Envelope request = Envelope.builder().src(EngineAddress.of(a.id, "client")).dst(EngineAddress.of(b.id, "echo"))
                .id(41).type("echo.request").payload(new byte[] {1, 2, 3}).expiresAt(net.time.millis() + 60_000).build();
        assertThat(a.engine.forward(request)).isNull();
        net.pump();

        assertThat(b.local.delivered).hasSize(1);
        Envelope got = b.local.delivered.get(0);
        assertThat(got.src()).isEqualTo(EngineAddress.of(a.id, "client"));
        assertThat(got.dst()).isEqualTo(EngineAddress.local("echo"));
        assertThat(got.id()).isEqualTo(41);
        assertThat(got.expiresAt()).isEqualTo(request.expiresAt());
        assertThat((byte[]) got.payload()).containsExactly(1, 2, 3);

        Envelope reply = Envelope.builder().src(EngineAddress.of(b.id, "echo")).dst(got.src()).id(7).inReplyTo(41)
                .type("echo.reply").payload("ok").build();
        assertThat(b.engine.forward(reply)).isNull();
        send(a, b, 1, 100);
        net.pump();

        assertThat(a.local.delivered).extracting(Envelope::inReplyTo).containsExactly(41L);
        assertThat(b.local.payloads().subList(1, 101)).isEqualTo(texts(1, 100));
        assertThat(a.peer(b).unacked()).as("everything acknowledged").isZero();
        assertThat(a.peer(b).queued()).isZero();
    }

    @Test
    void aConnectionThatLosesFramesAndBreaksHasEverythingResentOnTheNextExactlyOnceInOrder() {
        TestNodes.Node a = net.node("a");
        TestNodes.Node b = net.node("b");
        a.install(Q);
        b.install(Q);
        a.connect(b, Q);
        send(a, b, 1, 10);
        net.pump();
        MemoryNetwork.MemoryConnection first = link(a, b, Q);
        first.deliverThenLose = 3;

        send(a, b, 11, 30);
        net.pump();
        assertThat(b.local.payloads()).isEqualTo(texts(1, 13));
        first.breakWith(broken());
        net.advanceUntil(() -> b.local.delivered.size() >= 30, Duration.ofSeconds(5));
        net.advance(Duration.ofMillis(100));

        assertThat(b.local.payloads()).isEqualTo(texts(1, 30));
        assertThat(net.network.open()).hasSize(1).doesNotContain(first);
        assertThat(a.peer(b).unacked()).isZero();
    }

    @Test
    void aStalledConnectionIsClosedAfterTheStallTimeoutAndItsMessagesResent() {
        TestNodes.Node a = net.node("a", TestNodes.settings("a").pingIntervalMillis(500).stallTimeoutMillis(2000).build());
        TestNodes.Node b = net.node("b", TestNodes.settings("b").pingIntervalMillis(500).stallTimeoutMillis(2000).build());
        a.install(Q);
        b.install(Q);
        a.connect(b, Q);
        MemoryNetwork.MemoryConnection stalled = link(a, b, Q);
        stalled.deliverThenLose = 0;
        stalled.other.deliverThenLose = 0;

        send(a, b, 1, 5);
        net.advance(Duration.ofMillis(1900));
        assertThat(b.local.delivered).isEmpty();
        net.advanceUntil(() -> b.local.delivered.size() == 5, Duration.ofSeconds(5));

        assertThat(b.local.payloads()).isEqualTo(texts(1, 5));
        assertThat(stalled.isOpen()).isFalse();
        assertThat(a.protocol(Q).refusals().get(Refusal.STALLED)).isEqualTo(1);
    }

    @Test
    void aConnectionThatStaysUnwritableIsClosedAsStalledAndTheSessionMovesOn() {
        TestNodes.Node a = net.node("a", TestNodes.settings("a").pingIntervalMillis(500).stallTimeoutMillis(2000).build());
        // b keeps pinging, so a keeps receiving on the wedged connection: only its refusal to take frames shows.
        TestNodes.Node b = net.node("b", TestNodes.settings("b").pingIntervalMillis(100).stallTimeoutMillis(60_000).build());
        a.install(Q);
        a.install(T);
        b.install(Q);
        b.install(T);
        a.connect(b, T);
        a.connect(b, Q);
        MemoryNetwork.MemoryConnection wedged = link(a, b, Q);
        wedged.hold = true;
        wedged.capacity = 2; // takes two frames, then refuses and never announces writability

        send(a, b, 1, 10);
        net.advance(Duration.ofMillis(1900));
        assertThat(b.local.delivered).isEmpty();
        net.advanceUntil(() -> b.local.delivered.size() == 10, Duration.ofSeconds(3));

        assertThat(b.local.payloads()).isEqualTo(texts(1, 10));
        assertThat(wedged.isOpen()).isFalse();
        assertThat(a.protocol(Q).refusals().get(Refusal.STALLED)).isEqualTo(1);
        assertThat(a.peer(b).scheme()).isEqualTo(T);
    }

    @Test
    void duplicatedFramesAreDeliveredOnceAndCounted() {
        TestNodes.Node a = net.node("a");
        TestNodes.Node b = net.node("b");
        a.install(Q);
        b.install(Q);
        a.connect(b, Q);
        link(a, b, Q).duplicate = true;

        send(a, b, 1, 50);
        net.advance(Duration.ofMillis(50));

        assertThat(b.local.payloads()).isEqualTo(texts(1, 50));
        assertThat(b.peer(a).drops().get(Drop.DUPLICATE)).isEqualTo(50);
        assertThat(b.protocol(Q).drops().get(Drop.DUPLICATE)).isEqualTo(50);
        assertThat(a.peer(b).unacked()).isZero();
    }

    /**
     * A session moves to a better connection while the old one still holds frames: whichever connection's frames
     * arrive first, the receiver delivers every message once, in order.
     */
    @ParameterizedTest(name = "old connection released first: {0}")
    @ValueSource(booleans = {true, false})
    void framesReorderedAcrossConnectionsAreDeliveredOnceInOrder(boolean oldFirst) {
        TestNodes.Node a = net.node("a");
        TestNodes.Node b = net.node("b");
        a.install(Q);
        a.install(T);
        b.install(Q);
        b.install(T);
        a.connect(b, T);
        MemoryNetwork.MemoryConnection old = link(a, b, T);
        old.hold = true;
        send(a, b, 1, 5);
        net.pump();
        assertThat(old.held()).isEqualTo(5);

        net.network.holdNextAfter = 1; // the Hello goes through, the Data waits
        a.connect(b, Q); // preferred: the session moves there and resends 1..5
        MemoryNetwork.MemoryConnection better = link(a, b, Q);
        assertThat(b.local.delivered).isEmpty();
        send(a, b, 6, 10);
        net.pump();
        assertThat(better.held()).isEqualTo(10);
        if (oldFirst) {
            old.release();
            net.pump();
            assertThat(b.local.payloads()).isEqualTo(texts(1, 5));
            better.release();
        } else {
            better.release();
            net.pump();
            assertThat(b.local.payloads()).isEqualTo(texts(1, 10));
            old.release();
        }
        net.advance(Duration.ofMillis(50));

        assertThat(b.local.payloads()).isEqualTo(texts(1, 10));
        assertThat(b.peer(a).drops().get(Drop.DUPLICATE)).isEqualTo(5);
        assertThat(a.peer(b).unacked()).isZero();
        assertThat(a.peer(b).scheme()).isEqualTo(Q);
    }

    @Test
    void afterAReconnectOverAnotherSchemeEverythingUnacknowledgedIsResent() {
        TestNodes.Node a = net.node("a");
        TestNodes.Node b = net.node("b");
        a.install(Q);
        a.install(T);
        b.install(Q);
        b.install(T);
        a.connect(b, T);
        a.connect(b, Q);
        link(a, b, T).close(); // only the Q connection is left; the T address stays known
        net.pump();
        assertThat(a.peer(b).scheme()).isEqualTo(Q);
        MemoryNetwork.MemoryConnection q = link(a, b, Q);
        q.deliverThenLose = 0;
        send(a, b, 1, 20);
        net.pump();

        // b's Q transport goes away: the connection breaks and Q addresses of b become unreachable.
        b.engine.removeProtocol(b.transport(Q));
        b.transport(Q).shutDown();
        net.advanceUntil(() -> b.local.delivered.size() == 20, Duration.ofSeconds(10));
        net.advance(Duration.ofMillis(100));

        assertThat(b.local.payloads()).isEqualTo(texts(1, 20));
        assertThat(a.peer(b).scheme()).isEqualTo(T);
        assertThat(a.peer(b).unacked()).isZero();
    }

    @Test
    void removingTheActiveTransportMidStreamMovesTheSessionToAnotherWithoutLoss() {
        TestNodes.Node a = net.node("a");
        TestNodes.Node b = net.node("b");
        MemoryNetwork.MemoryTransport aq = a.install(Q);
        a.install(T);
        b.install(Q);
        b.install(T);
        a.connect(b, T);
        a.connect(b, Q);
        MemoryNetwork.MemoryConnection q = link(a, b, Q);
        send(a, b, 1, 100);
        net.pump();
        q.hold = true; // what follows is in flight when the transport goes
        send(a, b, 101, 300);
        net.pump();

        a.engine.removeProtocol(aq);
        aq.shutDown();
        net.pump();
        send(a, b, 301, 400);
        net.advance(Duration.ofMillis(100));

        assertThat(b.local.payloads()).isEqualTo(texts(1, 400));
        assertThat(a.peer(b).scheme()).isEqualTo(T);
        assertThat(a.snapshot().protocols()).filteredOn(p -> p.scheme().equals(Q)).singleElement()
                .satisfies(p -> assertThat(p.installed()).isFalse());

        // The protocol returns (a bundle update): the session moves back to its preferred scheme.
        a.install(Q);
        a.connect(b, Q);
        send(a, b, 401, 450);
        net.advance(Duration.ofMillis(100));
        assertThat(b.local.payloads()).isEqualTo(texts(1, 450));
        assertThat(a.peer(b).scheme()).isEqualTo(Q);
    }

    @Test
    void aRestartedReceiverGetsWhatItHadNotReceived() {
        TestNodes.Node a = net.node("a");
        TestNodes.Node b = net.node("b", TestNodes.settings("b").listen(List.of(URI.create(Q + "://b:7001"))).build());
        a.install(Q);
        b.install(Q);
        a.connect(b, Q);
        send(a, b, 1, 5);
        net.advance(Duration.ofMillis(50));
        link(a, b, Q).hold = true;
        send(a, b, 6, 8);
        net.pump();

        TestNodes.Node b2 = net.restart(b, Q);
        net.advanceUntil(() -> b2.local.delivered.size() == 3, Duration.ofSeconds(10));

        assertThat(b.local.payloads()).isEqualTo(texts(1, 5));
        assertThat(b2.local.payloads()).isEqualTo(texts(6, 8));
        assertThat(a.peer(b2).state()).isEqualTo(PeerState.CONNECTED);
    }

    @Test
    void aRestartedSenderStartsANewEpochWhoseMessagesAreNotTakenForDuplicates() {
        TestNodes.Node a = net.node("a");
        TestNodes.Node b = net.node("b");
        a.install(Q);
        b.install(Q);
        a.connect(b, Q);
        send(a, b, 1, 5);
        net.advance(Duration.ofMillis(50));

        TestNodes.Node a2 = net.restart(a, Q);
        a2.connect(b, Q);
        send(a2, b, 6, 8);
        net.advance(Duration.ofMillis(50));

        assertThat(b.local.payloads()).isEqualTo(texts(1, 8));
        assertThat(b.peer(a2).drops().get(Drop.DUPLICATE)).isZero();
    }

    @Test
    void messagesHeldWhenTheEngineStopsAreReportedToTheirSenders() {
        TestNodes.Node a = net.node("a");
        TestNodes.Node b = net.node("b");
        a.install(Q);
        b.install(Q);
        a.connect(b, Q);
        link(a, b, Q).hold = true;
        send(a, b, 1, 3);
        net.pump();

        a.engine.close();
        net.pump();

        assertThat(a.local.failures).extracting(RecordingDelivery.Failure::failure).containsOnly(DeliveryFailure.NO_ROUTE).hasSize(3);
        assertThat(a.engine.isStopped()).isTrue();
        assertThat(a.engine.forward(a.message(b, "late"))).isEqualTo(DeliveryFailure.NO_ROUTE);
    }
}
