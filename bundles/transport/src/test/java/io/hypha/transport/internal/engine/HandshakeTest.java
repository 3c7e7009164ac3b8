package io.hypha.transport.internal.engine;

import static io.hypha.transport.internal.engine.TestNodes.Q;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.hypha.api.NodeId;
import io.hypha.transport.internal.AdminException;
import io.hypha.transport.internal.AdminFailure;
import io.hypha.transport.internal.Refusal;
import io.hypha.transport.internal.TransportAdmin;
import io.hypha.transport.internal.TransportSnapshot.PeerState;
import io.hypha.wire.Frame;
import io.hypha.wire.FrameCodec;
import io.hypha.wire.FrameException;
import io.hypha.wire.Hello;
import io.hypha.wire.HelloReply;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** The connect handshake (docs/wire-protocol.md section 4) between engines, and against hand-made peers. */
class HandshakeTest {
    private final TestNodes net = new TestNodes();
    private final FrameCodec codec = new FrameCodec(FrameCodec.MIN_MAX_FRAME_SIZE);

    private static NodeId someNode(int seed) {
        byte[] key = new byte[NodeId.LENGTH];
        key[0] = (byte) seed;
        key[31] = 7;
        return NodeId.of(key);
    }

    private byte[] frame(Frame f) throws FrameException {
        ByteBuffer b = codec.encode(f);
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private Hello.Builder hello(NodeId from, NodeId to) {
        return Hello.newBuilder().setMinVersion(1).setMaxVersion(1)
                .setNodeId(ByteString.copyFrom(from.publicKey())).setDialledNodeId(ByteString.copyFrom(to.publicKey()))
                .setSessionEpoch(99);
    }

    private HelloReply reply(MemoryNetwork.RawClient client) throws FrameException {
        assertThat(client.frames).as("frames the listener sent").hasSize(1);
        Frame f = codec.decode(ByteBuffer.wrap(client.frames.get(0)));
        assertThat(f.getKindCase()).isEqualTo(Frame.KindCase.HELLO_REPLY);
        return f.getHelloReply();
    }

    private static AdminException failure(CompletionStage<?> stage) {
        try {
            stage.toCompletableFuture().join();
        } catch (CompletionException e) {
            return (AdminException) e.getCause();
        }
        throw new AssertionError("the stage succeeded");
    }

    @Test
    void connectingTwoEnginesOpensASessionOnBothSides() {
        TestNodes.Node a = net.node("a");
        TestNodes.Node b = net.node("b");
        a.install(Q);
        b.install(Q);

        CompletionStage<TransportAdmin.ConnectResult> result = a.engine.connect(b.address(Q));
        net.await(result);

        assertThat(result.toCompletableFuture().join().node()).isEqualTo(b.id);
        assertThat(a.peer(b).state()).isEqualTo(PeerState.CONNECTED);
        assertThat(a.peer(b).permanent()).isTrue();
        assertThat(a.peer(b).address()).isEqualTo(b.address(Q));
        assertThat(b.peer(a).state()).isEqualTo(PeerState.CONNECTED);
        assertThat(b.peer(a).permanent()).isFalse();
    }

    @Test
    void connectWithTheWrongNodeIdInTheAddressFails() {
        TestNodes.Node a = net.node("a");
        TestNodes.Node b = net.node("b");
        a.install(Q);
        b.install(Q);
        java.net.URI wrong = java.net.URI.create(Q + "://" + someNode(1) + "@" + b.address(Q).getAuthority());

        CompletionStage<TransportAdmin.ConnectResult> result = a.engine.connect(wrong);
        net.await(result);

        assertThat(failure(result).failure()).isEqualTo(AdminFailure.UNREACHABLE);
        assertThat(a.protocol(Q).refusals().get(Refusal.DIAL_FAILED)).isEqualTo(1);
    }

    @Test
    void aListenerSpeakingOtherVersionsAnswersIncompatible() {
        TestNodes.Node a = net.node("a");
        TestNodes.Node b = net.node("b", TestNodes.settings("b").versions(2, 3).build());
        a.install(Q);
        b.install(Q);

        CompletionStage<TransportAdmin.ConnectResult> result = a.engine.connect(b.address(Q));
        net.await(result);

        AdminException e = failure(result);
        assertThat(e.failure()).isEqualTo(AdminFailure.REFUSED);
        assertThat(e.getMessage()).contains("INCOMPATIBLE").contains("2..3");
        assertThat(b.protocol(Q).refusals().get(Refusal.INCOMPATIBLE)).isEqualTo(1);
        assertThat(a.protocol(Q).refusals().get(Refusal.INCOMPATIBLE)).isEqualTo(1);
        net.advance(Duration.ofSeconds(2));
        assertThat(net.network.open()).as("the refused connection is closed after the reply").isEmpty();
    }

    @Test
    void aHelloWhoseNodeIdIsNotTheAuthenticatedOneIsDenied() throws Exception {
        TestNodes.Node b = net.node("b");
        b.install(Q);
        NodeId authenticated = someNode(1);
        MemoryNetwork.RawClient client = net.network.rawDial(b.address(Q), authenticated);

        client.send(frame(Frame.newBuilder().setHello(hello(someNode(2), b.id)).build()));
        net.pump();

        HelloReply reply = reply(client);
        assertThat(reply.getResult()).isEqualTo(HelloReply.Result.DENIED);
        assertThat(reply.getReason()).contains(authenticated.toString());
        assertThat(b.protocol(Q).refusals().get(Refusal.DENIED)).isEqualTo(1);
        assertThat(b.snapshot().peers()).as("no session for an impostor").isEmpty();
        net.advance(Duration.ofSeconds(2));
        assertThat(client.closed).isTrue();
    }

    @Test
    void aHelloForAnotherNodeIsDenied() throws Exception {
        TestNodes.Node b = net.node("b");
        b.install(Q);
        NodeId dialler = someNode(1);
        MemoryNetwork.RawClient client = net.network.rawDial(b.address(Q), dialler);

        client.send(frame(Frame.newBuilder().setHello(hello(dialler, someNode(3))).build()));
        net.pump();

        assertThat(reply(client).getResult()).isEqualTo(HelloReply.Result.DENIED);
        assertThat(b.protocol(Q).refusals().get(Refusal.DENIED)).isEqualTo(1);
    }

    @Test
    void aValidHandMadeHelloIsAcceptedWithTheListenersSessionState() throws Exception {
        TestNodes.Node b = net.node("b");
        b.install(Q);
        NodeId dialler = someNode(1);
        MemoryNetwork.RawClient client = net.network.rawDial(b.address(Q), dialler);

        client.send(frame(Frame.newBuilder().setHello(hello(dialler, b.id).setMaxVersion(5)).build()));
        net.pump();

        HelloReply reply = reply(client);
        assertThat(reply.getResult()).isEqualTo(HelloReply.Result.OK);
        assertThat(reply.getChosenVersion()).isEqualTo(1);
        assertThat(reply.getSessionEpoch()).isNotZero();
        assertThat(reply.getAckedEpoch()).as("the listener now receives from epoch 99").isEqualTo(99);
        assertThat(reply.getAckedSeq()).isZero();
        assertThat(reply.getMaxFrameSize()).isEqualTo(b.engine.settings().maxFrameSize());
        assertThat(client.closed).isFalse();
    }

    @Test
    void anInboundConnectionThatSendsNoHelloIsClosedAtTheHandshakeTimeout() {
        TestNodes.Node b = net.node("b", TestNodes.settings("b").handshakeTimeoutMillis(3000).build());
        b.install(Q);
        MemoryNetwork.RawClient client = net.network.rawDial(b.address(Q), someNode(1));

        net.advance(Duration.ofMillis(2900));
        assertThat(client.closed).isFalse();
        net.advance(Duration.ofMillis(200));

        assertThat(client.closed).isTrue();
        assertThat(b.protocol(Q).refusals().get(Refusal.HANDSHAKE_TIMEOUT)).isEqualTo(1);
    }

    @Test
    void aDialThatNeverCompletesFailsTheConnectAtTheHandshakeTimeout() {
        TestNodes.Node a = net.node("a", TestNodes.settings("a").handshakeTimeoutMillis(2000).build());
        TestNodes.Node b = net.node("b");
        a.install(Q);
        b.install(Q);
        net.network.dialsHang = true;

        CompletionStage<TransportAdmin.ConnectResult> result = a.engine.connect(b.address(Q));
        net.advance(Duration.ofMillis(1900));
        assertThat(result.toCompletableFuture()).isNotDone();
        net.advance(Duration.ofMillis(200));

        assertThat(failure(result).failure()).isEqualTo(AdminFailure.TIMEOUT);
        assertThat(a.protocol(Q).refusals().get(Refusal.HANDSHAKE_TIMEOUT)).isEqualTo(1);
    }

    @Test
    void aFrameOtherThanHelloFirstIsMalformedAndClosesTheConnection() throws Exception {
        TestNodes.Node b = net.node("b");
        b.install(Q);
        MemoryNetwork.RawClient client = net.network.rawDial(b.address(Q), someNode(1));

        client.send(frame(Frame.newBuilder().setAck(io.hypha.wire.Ack.newBuilder().setSeq(3)).build()));
        net.pump();

        assertThat(client.closed).isTrue();
        assertThat(client.frames).isEmpty();
        assertThat(b.protocol(Q).refusals().get(Refusal.MALFORMED)).isEqualTo(1);
    }

    @Test
    void aListenerAtItsConnectionLimitAnswersOverCapacity() {
        TestNodes.Node a = net.node("a");
        TestNodes.Node b = net.node("b", TestNodes.settings("b").maxConnections(1).build());
        TestNodes.Node c = net.node("c");
        a.install(Q);
        b.install(Q);
        c.install(Q);
        a.connect(b, Q);

        CompletionStage<TransportAdmin.ConnectResult> result = c.engine.connect(b.address(Q));
        net.await(result);

        assertThat(failure(result).getMessage()).contains("OVER_CAPACITY");
        assertThat(b.protocol(Q).refusals().get(Refusal.OVER_CAPACITY)).isEqualTo(1);
        assertThat(a.peer(b).state()).as("the first connection is untouched").isEqualTo(PeerState.CONNECTED);
    }

    @Test
    void connectToAnAddressWithoutInstalledProtocolFailsAtOnce() {
        TestNodes.Node a = net.node("a");
        a.install(Q);

        CompletionStage<TransportAdmin.ConnectResult> result = a.engine.connect(java.net.URI.create("quic://127.0.0.1:4000"));
        net.await(result);

        assertThat(failure(result).failure()).isEqualTo(AdminFailure.NO_PROTOCOL);
        assertThatThrownBy(() -> a.engine.connect(java.net.URI.create("memq://nodeid@host:1")).toCompletableFuture().join())
                .hasCauseInstanceOf(AdminException.class).hasMessageContaining("node id");
    }

    @Test
    void pingMeasuresTheRoundTripOnTheActiveConnection() {
        TestNodes.Node a = net.node("a");
        TestNodes.Node b = net.node("b");
        a.install(Q);
        b.install(Q);
        a.connect(b, Q);

        CompletionStage<TransportAdmin.PingResult> pong = a.engine.ping(b.id);
        net.await(pong);

        TransportAdmin.PingResult r = pong.toCompletableFuture().join();
        assertThat(r.node()).isEqualTo(b.id);
        assertThat(r.address()).isEqualTo(b.address(Q));
        assertThat(r.rttMicros()).isGreaterThanOrEqualTo(0);
        CompletionStage<TransportAdmin.PingResult> none = a.engine.ping(someNode(9));
        net.await(none);
        assertThat(failure(none).failure()).isEqualTo(AdminFailure.NOT_CONNECTED);
    }
}
