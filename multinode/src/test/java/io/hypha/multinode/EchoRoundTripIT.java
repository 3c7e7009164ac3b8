package io.hypha.multinode;

import static org.assertj.core.api.Assertions.assertThat;

import io.hypha.multinode.NodeProcess.Result;
import io.hypha.multinode.NodeProcess.Spec;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An operator connects two nodes and sends to the other's echo engine, once over TLS and once over QUIC with a node
 * that has no TLS at all. Node a has the default features (core, console, tls, quic); b adds echo; q has core,
 * console and quic only, and echo.
 */
class EchoRoundTripIT {
    @RegisterExtension
    static final Cluster cluster = new Cluster();

    private static NodeProcess a;
    private static NodeProcess b;
    private static NodeProcess q;

    @BeforeAll
    static void startNodes() throws Exception {
        List<NodeProcess> nodes = cluster.start(Spec.named("a"), Spec.named("b"), Spec.named("q").boot("core", "console", "quic"));
        a = nodes.get(0);
        b = nodes.get(1);
        q = nodes.get(2);
        b.execOk("hypha:feature-install echo");
        q.execOk("hypha:feature-install echo");
        b.awaitEngine("echo");
        q.awaitEngine("echo");
    }

    @Test
    void anEchoRequestGoesOverTlsAndItsReplyComesBack() {
        URI tls = b.listenAddress("tls");

        assertThat(a.execOk("hypha:connect " + tls)).contains("connected to " + b.id() + " at " + tls);
        String reply = a.execOk("hypha:send " + b.id() + " echo hello over tls");

        assertThat(reply).contains("reply from echo@" + b.id() + " (echo.reply): hello over tls");
        assertThat(peerLine(a, b)).contains("CONNECTED").contains(" tls ").contains(tls.toString());
        assertThat(ConsoleText.counter(b.execOk("hypha:transports"), "refused tls", "denied")).isZero();
    }

    @Test
    void anEchoRequestGoesOverQuicToANodeWithoutTls() {
        assertThat(q.execOk("hypha:listen")).doesNotContain("tls://");
        assertThat(q.bundleState("io.hypha.transport.tls")).as("q has no TLS transport").isEmpty();
        URI quic = q.listenAddress("quic");

        assertThat(a.execOk("hypha:connect " + quic)).contains("connected to " + q.id() + " at " + quic);
        String reply = a.execOk("hypha:send " + q.id() + " echo hello over quic");

        assertThat(reply).contains("reply from echo@" + q.id() + " (echo.reply): hello over quic");
        assertThat(peerLine(a, q)).contains("CONNECTED").contains(" quic ").contains(quic.toString());
        assertThat(peerLine(q, a)).as("q sees a's connection as QUIC too").contains(" quic ");
    }

    @Test
    void theEngineAddressFormReachesTheSameRemoteEngine() {
        a.execOk("hypha:connect " + b.listenAddress("tls"));

        assertThat(a.execOk("hypha:send echo@" + b.id() + " same engine")).contains("(echo.reply): same engine");
    }

    @Test
    void sendingToANodeNoTransportKnowsFailsWithNoRoute() {
        String stranger = "a".repeat(52);

        Result r = a.exec("hypha:send " + stranger + " echo anyone there");

        assertThat(r.exit()).as(r.output()).isEqualTo(1);
        assertThat(r.output()).contains("NO_ROUTE");
    }

    /** @return the {@code hypha:peers} row of {@code peer} on {@code node} */
    static String peerLine(NodeProcess node, NodeProcess peer) {
        String peers = node.execOk("hypha:peers");
        return peers.lines().filter(l -> l.startsWith(peer.id())).findFirst()
                .orElseThrow(() -> new AssertionError(node.name() + " has no session with " + peer.name() + ":\n" + peers));
    }
}
