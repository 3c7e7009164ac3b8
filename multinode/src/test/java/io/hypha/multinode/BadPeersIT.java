package io.hypha.multinode;

import static org.assertj.core.api.Assertions.assertThat;

import io.hypha.api.NodeId;
import io.hypha.multinode.NodeProcess.Result;
import io.hypha.multinode.NodeProcess.Spec;
import io.hypha.multinode.RoguePeers.Identity;
import io.hypha.multinode.RoguePeers.Outcome;
import io.hypha.wire.HelloReply;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Peers that are not who they say, or do not speak the protocol, are refused and counted, and the node keeps serving
 * its real peers. Node b (with echo) is the target; a is its honest peer (connected over TLS), whose echo round trip
 * must work after every attack; c is a third node whose id an attacker uses.
 */
class BadPeersIT {
    @RegisterExtension
    static final Cluster cluster = new Cluster();

    private static NodeProcess a;
    private static NodeProcess b;
    private static NodeProcess c;

    @BeforeAll
    static void startNodes() throws Exception {
        List<NodeProcess> nodes = cluster.start(Spec.named("a"), Spec.named("b"), Spec.named("c"));
        a = nodes.get(0);
        b = nodes.get(1);
        c = nodes.get(2);
        b.execOk("hypha:feature-install echo");
        b.awaitEngine("echo");
        a.execOk("hypha:connect " + b.listenAddress("tls"));
    }

    /** After every attack: a's session with b stands and carries an echo round trip. */
    @AfterEach
    void bStillServesItsHonestPeer() {
        String reply = a.execOk("hypha:send " + b.id() + " echo still there");
        assertThat(reply).contains("reply from echo@" + b.id() + " (echo.reply): still there");
        assertThat(EchoRoundTripIT.peerLine(a, b)).contains("CONNECTED");
    }

    @Test
    void aNodeDialledUnderAnotherNodesIdIsRefused() {
        URI tls = b.listenAddress("tls");
        URI quic = b.listenAddress("quic");

        Result overTls = a.exec("hypha:connect tls://" + c.id() + "@" + tls.getHost() + ":" + tls.getPort());
        Result overQuic = a.exec("hypha:connect quic://" + c.id() + "@" + quic.getHost() + ":" + quic.getPort());

        assertThat(overTls.exit()).as(overTls.output()).isEqualTo(1);
        assertThat(overQuic.exit()).as(overQuic.output()).isEqualTo(1);
        assertThat(a.execOk("hypha:peers")).as("no session was made with c through b's address").doesNotContain(c.id());
        String transports = a.execOk("hypha:transports");
        assertThat(ConsoleText.counter(transports, "refused tls", "dial_failed")).as(transports).isPositive();
        assertThat(ConsoleText.counter(transports, "refused quic", "dial_failed")).as(transports).isPositive();
    }

    @Test
    void aPeerThatClaimsAnotherNodesIdentityIsDenied() throws Exception {
        long before = refused(b, "tls", "denied");

        HelloReply reply = RoguePeers.claimAnotherIdentity(b.listenAddress("tls"), Identity.create(), NodeId.parse(a.id()),
                NodeId.parse(b.id()));

        assertThat(reply.getResult()).as(reply.toString()).isEqualTo(HelloReply.Result.DENIED);
        awaitRefused(b, "tls", "denied", before + 1);
        assertThat(EchoRoundTripIT.peerLine(b, a)).as("a's own session with b is untouched").contains("CONNECTED");
    }

    @Test
    void aPlainTlsClientWithoutANodeCertificateIsRefused() throws Exception {
        long before = tlsCount(b, null, "closed.authentication_failed", "closed.handshake_failed");

        Outcome outcome = RoguePeers.plainTls(b.listenAddress("tls"));

        assertThat(outcome).isIn(Outcome.REFUSED_IN_TLS, Outcome.CLOSED);
        awaitCounted(b, "the refused TLS client", before, null, "closed.authentication_failed", "closed.handshake_failed");
    }

    @Test
    void aClientSendingGarbageIsRefused() throws Exception {
        long before = tlsCount(b, null, "closed.not_tls");

        Outcome outcome = RoguePeers.garbage(b.listenAddress("tls"));

        assertThat(outcome).isEqualTo(Outcome.CLOSED);
        awaitCounted(b, "the garbage client", before, null, "closed.not_tls");
    }

    @Test
    void aNodeAnnouncingAnOversizeFrameIsRefused() throws Exception {
        long before = tlsCount(b, "oversize", "closed.frame_too_large");

        Outcome outcome = RoguePeers.oversizeFrame(b.listenAddress("tls"), Identity.create(), NodeId.parse(b.id()));

        assertThat(outcome).isEqualTo(Outcome.CLOSED);
        awaitCounted(b, "the oversize frame", before, "oversize", "closed.frame_too_large");
    }

    @Test
    void aNodeSendingAFrameThatIsNoMessageIsRefused() throws Exception {
        long before = refused(b, "tls", "malformed");

        Outcome outcome = RoguePeers.malformedFrame(b.listenAddress("tls"), Identity.create(), NodeId.parse(b.id()));

        assertThat(outcome).isEqualTo(Outcome.CLOSED);
        awaitRefused(b, "tls", "malformed", before + 1);
    }

    private static long refused(NodeProcess node, String scheme, String reason) {
        return ConsoleText.counter(node.execOk("hypha:transports"), "refused " + scheme, reason);
    }

    private static void awaitRefused(NodeProcess node, String scheme, String reason, long atLeast) {
        Await.until(node.name() + " counts " + reason + " on " + scheme, Duration.ofSeconds(15), node::diagnostics,
                () -> refused(node, scheme, reason) >= atLeast ? Optional.of(true) : Optional.empty());
    }

    /**
     * What {@code hypha:transports} counts for TLS: the engine's refusals of a reason (line {@code refused tls:}) plus
     * the TLS transport's own counters (line {@code metrics tls: name=value ...}), which alone see connections refused
     * before the engine gets them (no TLS, no node certificate) and may see a frame refused at its length prefix.
     *
     * @param engineRefusal an engine refusal reason, or {@code null}
     * @param metrics       names of the transport's counters
     */
    private static long tlsCount(NodeProcess node, String engineRefusal, String... metrics) {
        String text = node.execOk("hypha:transports");
        long count = engineRefusal == null ? 0 : ConsoleText.counter(text, "refused tls", engineRefusal);
        String line = text.lines().filter(l -> l.startsWith("metrics tls:")).findFirst().orElse("");
        for (String metric : metrics) {
            count += Long.parseLong(ConsoleText.pairs(line).getOrDefault(metric, "0"));
        }
        return count;
    }

    private static void awaitCounted(NodeProcess node, String what, long before, String engineRefusal, String... metrics) {
        Await.until(node.name() + " counts " + what + " in hypha:transports (engine refusal " + engineRefusal + " or TLS metrics "
                        + String.join(", ", metrics) + " on a line 'metrics tls:')", Duration.ofSeconds(15), node::diagnostics,
                () -> tlsCount(node, engineRefusal, metrics) > before ? Optional.of(true) : Optional.empty());
    }
}
