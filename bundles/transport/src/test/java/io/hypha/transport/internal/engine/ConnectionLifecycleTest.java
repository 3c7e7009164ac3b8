package io.hypha.transport.internal.engine;

import static io.hypha.transport.internal.engine.TestNodes.Q;
import static io.hypha.transport.internal.engine.TestNodes.T;
import static org.assertj.core.api.Assertions.assertThat;

import io.hypha.api.NodeId;
import io.hypha.api.transport.TransportError;
import io.hypha.api.transport.TransportException;
import io.hypha.transport.internal.Refusal;
import io.hypha.transport.internal.TransportSnapshot.PeerState;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Ephemeral and permanent connections, re-dialling, bad peers, and configuration changes. */
class ConnectionLifecycleTest {
    private final TestNodes net = new TestNodes();

    @Test
    void aPeerKnownByAddressIsDialledOnDemandAndItsIdleConnectionClosed() {
        TestNodes.Node a = net.node("a", TestNodes.settings("a").idleTimeoutMillis(10_000).build());
        TestNodes.Node b = net.node("b");
        MemoryNetwork.MemoryTransport aq = a.install(Q);
        b.install(Q);
        a.engine.learnAddress(b.id, b.address(Q), 10);
        net.pump();
        assertThat(aq.dialTimes).as("nothing to send: no dial").isEmpty();

        a.engine.forward(a.message(b, "hello"));
        net.pump();
        assertThat(b.local.payloads()).containsExactly("hello");
        assertThat(a.peer(b).permanent()).isFalse();

        net.advance(Duration.ofMillis(9_900));
        assertThat(a.peer(b).state()).isEqualTo(PeerState.CONNECTED);
        net.advance(Duration.ofMillis(200));
        assertThat(a.peer(b).state()).isEqualTo(PeerState.DISCONNECTED);
        assertThat(net.network.open()).isEmpty();

        a.engine.forward(a.message(b, "again"));
        net.pump();
        assertThat(b.local.payloads()).containsExactly("hello", "again");
        assertThat(aq.dialTimes).hasSize(2);
    }

    @Test
    void aPermanentPeerStaysConnectedWhileIdle() {
        TestNodes.Node a = net.node("a", TestNodes.settings("a").idleTimeoutMillis(1_000).build());
        TestNodes.Node b = net.node("b");
        a.install(Q);
        b.install(Q);
        a.connect(b, Q);

        net.advance(Duration.ofSeconds(30));

        assertThat(a.peer(b).state()).isEqualTo(PeerState.CONNECTED);
        assertThat(a.peer(b).rttMicros()).as("kept alive by pings, which measure the RTT").isGreaterThanOrEqualTo(0);
        assertThat(net.network.connections()).hasSize(1);
    }

    @Test
    void aPermanentPeerIsRedialledWithGrowingBackoffUntilItAnswers() {
        TestNodes.Node a = net.node("a", TestNodes.settings("a").redialMinMillis(100).redialMaxMillis(2_000).build());
        TestNodes.Node b = net.node("b");
        MemoryNetwork.MemoryTransport aq = a.install(Q);
        b.install(Q);
        a.connect(b, Q);
        net.advance(Duration.ofSeconds(3)); // the connection has been stable
        net.network.dialsFail = true;
        net.network.open().get(0).breakWith(new TransportException(TransportError.IO, "reset", null));
        long lostAt = net.time.nanoTime();
        a.engine.forward(a.message(b, "queued while away"));

        net.advance(Duration.ofSeconds(10));

        List<Long> dials = aq.dialTimes.subList(1, aq.dialTimes.size());
        assertThat(dials.get(0) - lostAt).as("a stable connection is re-dialled at once").isLessThanOrEqualTo(10_000_000L);
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < dials.size(); i++) {
            gaps.add(dials.get(i) - dials.get(i - 1));
        }
        assertThat(gaps).hasSizeGreaterThanOrEqualTo(6);
        long tick = 5_000_000L;
        for (int i = 0; i < gaps.size(); i++) {
            // Step i doubles from the minimum up to the maximum; each delay is drawn in [step/2, step].
            long step = Math.min(2_000_000_000L, 100_000_000L << Math.min(i, 20));
            assertThat(gaps.get(i)).as("gap %d", i).isBetween(step / 2 - tick, step + tick);
        }
        assertThat(a.peer(b).state()).isNotEqualTo(PeerState.CONNECTED);

        net.network.dialsFail = false;
        net.advanceUntil(() -> !b.local.delivered.isEmpty(), Duration.ofSeconds(3));
        assertThat(b.local.payloads()).containsExactly("queued while away");
        assertThat(a.peer(b).state()).isEqualTo(PeerState.CONNECTED);
    }

    @Test
    void connectionsTheTransportClosesForAFailureAreCountedByCauseAndOrderlyClosesAreNot() {
        TestNodes.Node a = net.node("a", TestNodes.settings("a").redialMinMillis(100).redialMaxMillis(500).build());
        TestNodes.Node b = net.node("b");
        a.install(Q);
        b.install(Q);
        a.connect(b, Q);
        List<TransportError> causes = List.of(TransportError.FRAME_TOO_LARGE, TransportError.MALFORMED,
                TransportError.AUTHENTICATION_FAILED, TransportError.IO, TransportError.UNREACHABLE, TransportError.CLOSED);

        for (TransportError cause : causes) {
            net.advance(Duration.ofSeconds(3));
            assertThat(net.network.open()).as("re-dialled before " + cause).hasSize(1);
            net.network.open().get(0).breakWith(new TransportException(cause, "broken: " + cause, null));
            net.pump();
        }
        net.advance(Duration.ofSeconds(3));

        for (TestNodes.Node n : List.of(a, b)) {
            assertThat(n.protocol(Q).refusals()).as(n.toString())
                    .containsEntry(Refusal.OVERSIZE, 1L)
                    .containsEntry(Refusal.MALFORMED, 1L)
                    .containsEntry(Refusal.AUTHENTICATION_FAILED, 1L)
                    .containsEntry(Refusal.LOST, 2L)
                    .containsEntry(Refusal.STALLED, 0L)
                    .containsEntry(Refusal.HANDSHAKE_TIMEOUT, 0L);
        }
        assertThat(a.peer(b).state()).as("the session survives every close").isEqualTo(PeerState.CONNECTED);
    }

    @Test
    void aTransportTimeoutCountsAsAStallOnAnOpenConnection() {
        TestNodes.Node a = net.node("a");
        TestNodes.Node b = net.node("b");
        a.install(Q);
        b.install(Q);
        a.connect(b, Q);

        net.network.open().get(0).breakWith(new TransportException(TransportError.TIMEOUT, "stalled", null));
        net.pump();

        assertThat(a.protocol(Q).refusals()).containsEntry(Refusal.STALLED, 1L).containsEntry(Refusal.HANDSHAKE_TIMEOUT, 0L);
    }

    @Test
    void theSnapshotCarriesEachInstalledProtocolsOwnMetricsAndSurvivesOneThatFails() {
        TestNodes.Node a = net.node("a");
        MemoryNetwork.MemoryTransport q = a.install(Q);
        MemoryNetwork.MemoryTransport t = a.install(T);
        q.metrics = java.util.Map.of("closed.not_tls", 2L, "connections.inbound", 0L);
        t.metrics = null;

        assertThat(a.protocol(Q).metrics()).containsExactlyInAnyOrderEntriesOf(q.metrics);
        assertThat(a.protocol(T).metrics()).as("a protocol whose metrics throw shows none").isEmpty();
        assertThat(a.protocol(T).installed()).isTrue();
    }

    @Test
    void garbageAndOversizeFramesCloseTheirConnectionAreCountedAndOtherPeersAreStillServed() {
        TestNodes.Node a = net.node("a");
        TestNodes.Node b = net.node("b", TestNodes.settings("b").maxFrameSize(1 << 16).build());
        a.install(Q);
        b.install(Q);
        a.connect(b, Q);
        byte[] key = new byte[NodeId.LENGTH];
        key[1] = 1;

        MemoryNetwork.RawClient garbage = net.network.rawDial(b.address(Q), NodeId.of(key));
        garbage.send(new byte[] {(byte) 0xff, 0x13, 0x37, 0x00, 0x42});
        MemoryNetwork.RawClient oversize = net.network.rawDial(b.address(Q), NodeId.of(key));
        oversize.connection.send(ByteBuffer.allocate((1 << 16) + 1));
        a.engine.forward(a.message(b, "still here"));
        net.pump();

        assertThat(garbage.closed).isTrue();
        assertThat(oversize.closed).isTrue();
        assertThat(b.protocol(Q).refusals()).containsEntry(Refusal.MALFORMED, 1L).containsEntry(Refusal.OVERSIZE, 1L);
        assertThat(b.local.payloads()).containsExactly("still here");
        assertThat(b.peer(a).state()).isEqualTo(PeerState.CONNECTED);
    }

    @Test
    void aDataFrameBeforeTheHandshakeIsAProtocolViolation() {
        TestNodes.Node b = net.node("b");
        b.install(Q);
        byte[] key = new byte[NodeId.LENGTH];
        key[1] = 1;
        MemoryNetwork.RawClient client = net.network.rawDial(b.address(Q), NodeId.of(key));
        ByteBuffer frame = ByteBuffer.allocate(64);
        DataFrames.putData(frame, 1, DataFrames.encodeBody(io.hypha.api.Envelope.builder()
                .dst(io.hypha.api.EngineAddress.local("sink")).type("t").payload("x").build(), NodeId.of(key)));
        byte[] bytes = new byte[frame.flip().remaining()];
        frame.get(bytes);

        client.send(bytes);
        net.pump();

        assertThat(client.closed).isTrue();
        assertThat(b.local.delivered).isEmpty();
        assertThat(b.protocol(Q).refusals().get(Refusal.MALFORMED)).isEqualTo(1);
    }

    @Test
    void changedListenAddressesAreReboundWithoutTouchingSessions() {
        TestNodes.Node a = net.node("a");
        TestNodes.Node b = net.node("b");
        a.install(Q);
        b.install(Q);
        b.install(T);
        a.connect(b, Q);
        URI oldT = b.address(T);

        b.engine.updateSettings(b.engine.settings().toBuilder()
                .listen(List.of(URI.create(Q + "://b:0"), URI.create(T + "://b:9000"))).build());
        net.pump();

        assertThat(b.engine.listening()).contains(URI.create(T + "://b:9000")).doesNotContain(oldT);
        assertThat(b.engine.listening()).filteredOn(u -> u.getScheme().equals(Q)).hasSize(1);
        assertThat(b.peer(a).state()).isEqualTo(PeerState.CONNECTED);
    }

    @Test
    void aProtocolThatAppearsLaterStartsListeningOnItsConfiguredAddress() {
        TestNodes.Node a = net.node("a");
        assertThat(a.engine.listening()).isEmpty();

        a.install(T);

        assertThat(a.engine.listening()).singleElement().satisfies(u -> assertThat(u.getScheme()).isEqualTo(T));
        assertThat(a.protocol(T).installed()).isTrue();
    }
}
