package io.hypha.multinode;

import static org.assertj.core.api.Assertions.assertThat;

import io.hypha.multinode.NodeProcess.Spec;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The relay scenario of issue 4, three node processes: core node A, relay R ({@code serve=true}), edge node E
 * ({@code relays=R}). E registers with R and stops. A sends E 1,000 messages with a long expiry and 100 with an expiry
 * that passes before E returns; R stores them and is killed with SIGKILL, then started again on its data directory;
 * E comes back. The 1,000 arrive exactly once and in order, the 100 never arrive and are reported to A as EXPIRED, and
 * R's store is empty.
 */
class RelayIT {
    static final int LONG_COUNT = 1_000;
    static final int SHORT_COUNT = 100;
    /** Expiry of the 100: long enough for R to store them, short enough to pass while R restarts. */
    static final long SHORT_TTL_MILLIS = 20_000;
    private static final Pattern STARTED = Pattern.compile("started run ([0-9a-f]+):");

    @RegisterExtension
    static final Cluster cluster = new Cluster();

    private static NodeProcess a;
    private static NodeProcess r;
    private static NodeProcess e;

    @BeforeAll
    static void startNodes() throws Exception {
        List<NodeProcess> nodes = cluster.start(
                Spec.named("a"),
                new Spec("r", null, RelayNodes.fixedLoopback(), List.of()),
                Spec.named("e"));
        a = nodes.get(0);
        r = nodes.get(1);
        e = nodes.get(2);
        RelayNodes.installProbe(a);
        RelayNodes.installProbe(e);
    }

    @Test
    void storedMessagesSurviveTheRelaysCrashArriveOnceInOrderAndTheExpiredOnesAreReportedToTheSender() throws Exception {
        String rId = r.id();
        String eId = e.id();
        RelayNodes.configure(r, "serve=true", "expiryCheckMillis=500");
        RelayNodes.awaitRelay(r, "serves", t -> t.contains("roles sender, relay"));

        // E becomes an edge node of R: it registers, and its advert lists R and no address.
        RelayNodes.configure(e, "relays=" + r.listenAddress("tls").toString().replace("tls://", "tls://" + rId + "@"));
        RelayNodes.awaitRelay(e, "registered with R", t -> RelayNodes.row(t, rId).filter(l -> l.contains("REGISTERED")).isPresent());
        RelayNodes.awaitRelay(r, "E registered and online", t -> RelayNodes.row(t, eId).filter(l -> l.contains("online")).isPresent());

        // A reaches R and learns E's advert from it.
        a.execOk("hypha:connect " + r.listenAddress("tls"));
        String advert = Await.until("a learns E's advert listing R and no address", RelayNodes.DEADLINE, a::diagnostics, () -> {
            NodeProcess.Result found = a.exec("hypha:lookup " + eId);
            return found.ok() && found.output().contains("addresses - relays " + rId) ? Optional.of(found.output()) : Optional.empty();
        });

        e.stop();
        RelayNodes.awaitRelay(r, "E offline", t -> RelayNodes.row(t, eId).filter(l -> l.contains("offline")).isPresent());

        RelayNodes.burst(a, "reset");
        String longRun = run(RelayNodes.burst(a, "send " + eId + " " + LONG_COUNT + " size=200 ttl=3600000"));
        RelayNodes.burst(a, "send " + eId + " " + SHORT_COUNT + " size=200 ttl=" + SHORT_TTL_MILLIS);
        String stored = RelayNodes.awaitRelay(r, "every message stored", t -> RelayNodes.number(t, "relay: store", "messages")
                == LONG_COUNT + SHORT_COUNT);
        RelayNodes.awaitRelay(a, "A's sender holds nothing unconfirmed", t -> RelayNodes.number(t, "sender:", "pending") == 0
                && RelayNodes.number(t, "sender:", "confirmed") == LONG_COUNT + SHORT_COUNT);

        r.kill();
        r = cluster.restart(r);
        String afterCrash = RelayNodes.relay(r);
        assertThat(RelayNodes.number(afterCrash, "relay: store", "messages")).as("what R acknowledged survived SIGKILL:\n" + afterCrash)
                .isBetween((long) LONG_COUNT, (long) LONG_COUNT + SHORT_COUNT);

        Map<String, String> reported = Await.until("A is told the 100 expired", RelayNodes.DEADLINE, a::diagnostics, () -> {
            Map<String, String> s = RelayNodes.burstStatus(a);
            return RelayNodes.refused(s, "expired") >= SHORT_COUNT ? Optional.of(s) : Optional.empty();
        });
        assertThat(reported.get("refused")).as("nothing else refused").isEqualTo("expired:" + SHORT_COUNT);
        String deadLetters = a.execOk("hypha:deadletters");
        assertThat(deadLetters.lines().map(String::trim).filter(l -> l.startsWith("EXPIRED")).findFirst())
                .as(deadLetters).hasValueSatisfying(l -> assertThat(Long.parseLong(l.split("\\s+")[1])).isGreaterThanOrEqualTo(SHORT_COUNT));

        e = cluster.restart(e);
        Map<String, String> sink = Await.until("E receives the 1,000", RelayNodes.DEADLINE, e::diagnostics, () -> {
            Map<String, String> s = Streams.sink(e);
            return longRun.equals(s.get("run")) && Long.parseLong(s.get("received")) >= LONG_COUNT ? Optional.of(s) : Optional.empty();
        });
        String drained = RelayNodes.awaitRelay(r, "R's store empty", t -> RelayNodes.number(t, "relay: store", "messages") == 0
                && RelayNodes.number(t, "counters:", "acked") >= LONG_COUNT);

        Map<String, String> finalSink = Streams.sink(e);
        assertThat(finalSink).as("sink on e: the 1,000 exactly once, in order, none of the 100")
                .containsEntry("run", longRun)
                .containsEntry("received", Long.toString(LONG_COUNT))
                .containsEntry("highest", Long.toString(LONG_COUNT))
                .containsEntry("duplicates", "0")
                .containsEntry("outOfOrder", "0")
                .containsEntry("missing", "0")
                .containsEntry("corrupt", "0");
        assertThat(RelayNodes.number(drained, "relay: store", "bytes")).isZero();
        assertThat(RelayNodes.row(drained, eId)).hasValueSatisfying(l -> assertThat(l).contains("online"));
        String edgeView = RelayNodes.relay(e);
        assertThat(RelayNodes.number(edgeView, "edge:", "delivered")).isEqualTo(LONG_COUNT);
        System.out.println("A's view of E: " + advert + "\nR before the kill:\n" + stored + "\nR after the restart:\n" + afterCrash
                + "\nA's burst-source: " + reported + "\nE's sink: " + sink + "\nR at the end:\n" + drained + "\nE:\n" + edgeView);
    }

    private static String run(String startedLine) {
        Matcher m = STARTED.matcher(startedLine);
        assertThat(m.find()).as(startedLine).isTrue();
        return m.group(1);
    }
}
