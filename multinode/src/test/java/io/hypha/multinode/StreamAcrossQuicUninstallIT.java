package io.hypha.multinode;

import static org.assertj.core.api.Assertions.assertThat;

import io.hypha.multinode.NodeProcess.Spec;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Both nodes have both transports; a knows both of b's addresses and streams 100,000 messages over QUIC (the
 * preferred scheme). Mid-stream the operator uninstalls transport-quic on a: the session moves to TLS and b still gets
 * every message exactly once and in order.
 */
class StreamAcrossQuicUninstallIT {
    static final long COUNT = 100_000;
    /** Messages per second: about ten seconds of stream, so that the uninstall lands in its middle. */
    static final long RATE = 10_000;

    @RegisterExtension
    static final Cluster cluster = new Cluster();

    private static NodeProcess a;
    private static NodeProcess b;

    @BeforeAll
    static void startNodes() throws Exception {
        List<NodeProcess> nodes = cluster.start(Spec.named("a").deploying(Cluster.probe()), Spec.named("b").deploying(Cluster.probe()));
        a = nodes.get(0);
        b = nodes.get(1);
    }

    @Test
    void theSessionMovesToTlsWhenQuicIsUninstalledMidStreamAndNothingIsLost() {
        a.execOk("hypha:connect " + b.listenAddress("tls"));
        a.execOk("hypha:connect " + b.listenAddress("quic"));
        Await.until("a sends to b over QUIC, the preferred scheme", Duration.ofSeconds(30), a::diagnostics,
                () -> EchoRoundTripIT.peerLine(a, b).contains(" quic ") ? Optional.of(true) : Optional.empty());
        long quic = a.bundleId("io.hypha.transport.quic");

        String run = Streams.start(a, b, COUNT, RATE);
        Streams.awaitReceived(b, run, COUNT / 5);
        a.execOk("uninstall " + quic);
        long receivedAtUninstall = Long.parseLong(Streams.sink(b).get("received"));

        assertThat(receivedAtUninstall).as("the uninstall happened while the stream was flowing").isLessThan(COUNT);
        String peer = Await.until("a's session with b moves to TLS", Duration.ofSeconds(30), a::diagnostics, () -> {
            String line = EchoRoundTripIT.peerLine(a, b);
            return line.contains("CONNECTED") && line.contains(" tls ") ? Optional.of(line) : Optional.empty();
        });
        Streams.awaitCompleteAndIntact(a, b, run, COUNT);
        assertThat(a.bundleState("io.hypha.transport.quic")).as("transport-quic is gone from a").isEmpty();
        String transports = b.execOk("hypha:transports");
        assertThat(messagesIn(transports, "quic")).as("b received part of the stream over QUIC").isPositive();
        assertThat(messagesIn(transports, "tls")).as("and the rest over TLS").isPositive();
        System.out.println("transport-quic (bundle " + quic + ") uninstalled on a when b had received " + receivedAtUninstall
                + " of " + COUNT + "; a's session then: " + peer + "\nb's transports:\n" + transports + "at the end: sink "
                + Streams.sink(b) + ", source " + Streams.source(a));
    }

    /** @return the MSGS IN column of a scheme's row in {@code hypha:transports} */
    private static long messagesIn(String transports, String scheme) {
        List<String> header = List.of(transports.lines().filter(l -> l.startsWith("SCHEME")).findFirst()
                .orElseThrow(() -> new AssertionError("no table in:\n" + transports)).split("\\s{2,}"));
        String row = transports.lines().filter(l -> l.startsWith(scheme + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no row for " + scheme + " in:\n" + transports));
        return Long.parseLong(row.split("\\s{2,}")[header.indexOf("MSGS IN")]);
    }
}
