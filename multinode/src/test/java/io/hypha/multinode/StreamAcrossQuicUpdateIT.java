package io.hypha.multinode;

import static org.assertj.core.api.Assertions.assertThat;

import io.hypha.multinode.NodeProcess.Spec;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * While 100,000 messages stream from a to b over QUIC, the operator updates the transport-quic bundle on a. Both nodes
 * have QUIC only (no TLS to fall back on), so the session has to wait for the updated transport, connect again and
 * resend what b had not acknowledged: b must still get every message exactly once and in order.
 */
class StreamAcrossQuicUpdateIT {
    static final long COUNT = 100_000;
    /** Messages per second: stretches the run over about ten seconds, so that the update lands in its middle. */
    static final long RATE = 10_000;

    @RegisterExtension
    static final Cluster cluster = new Cluster();

    private static NodeProcess a;
    private static NodeProcess b;

    @BeforeAll
    static void startNodes() throws Exception {
        List<NodeProcess> nodes = cluster.start(
                Spec.named("a").boot("core", "console", "quic").deploying(Cluster.probe()),
                Spec.named("b").boot("core", "console", "quic").deploying(Cluster.probe()));
        a = nodes.get(0);
        b = nodes.get(1);
    }

    @Test
    void everyMessageArrivesExactlyOnceAndInOrderWhileTheQuicTransportIsUpdated() {
        a.execOk("hypha:connect " + b.listenAddress("quic"));
        String addressBefore = EchoRoundTripIT.peerLine(b, a);
        long quic = a.bundleId("io.hypha.transport.quic");

        String run = Streams.start(a, b, COUNT, RATE);
        Streams.awaitReceived(b, run, COUNT / 5);
        a.execOk("update " + quic);
        long receivedAtUpdate = Long.parseLong(Streams.sink(b).get("received"));

        assertThat(receivedAtUpdate).as("the update happened while the stream was flowing").isLessThan(COUNT);
        Streams.awaitCompleteAndIntact(a, b, run, COUNT);
        System.out.println("transport-quic (bundle " + quic + ") updated on a when b had received " + receivedAtUpdate + " of "
                + COUNT + "; at the end: sink " + Streams.sink(b) + ", source " + Streams.source(a));
        assertThat(a.bundleState("io.hypha.transport.quic")).contains("Active");
        assertThat(EchoRoundTripIT.peerLine(a, b)).contains("CONNECTED").contains(" quic ");
        assertThat(EchoRoundTripIT.peerLine(b, a)).as("b now hears a over a new QUIC connection (the updated bundle's)")
                .isNotEqualTo(addressBefore).contains(" quic ");
    }
}
