package io.hypha.multinode;

import static org.assertj.core.api.Assertions.assertThat;

import io.hypha.multinode.NodeProcess.Spec;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A relay with a small quota (50 messages per edge node in its {@code conf/}): of 80 messages A sends to its offline
 * edge node, 50 are stored and A's sending engine is told QUOTA_FULL for the other 30; when the edge node comes back it
 * gets the 50.
 */
class RelayQuotaIT {
    static final int QUOTA = 50;
    static final int SENT = 80;

    @RegisterExtension
    static final Cluster cluster = new Cluster();

    private static NodeProcess a;
    private static NodeProcess r;
    private static NodeProcess e;

    @BeforeAll
    static void startNodes() throws Exception {
        List<NodeProcess> nodes = cluster.start(
                Spec.named("a"),
                Spec.named("r"),
                Spec.named("e"));
        a = nodes.get(0);
        r = nodes.get(1);
        e = nodes.get(2);
        RelayNodes.installProbe(a);
        RelayNodes.installProbe(e);
    }

    @Test
    void theSendingEngineIsToldQuotaFullForWhatTheRelayCannotHold() throws Exception {
        String rId = r.id();
        String eId = e.id();
        RelayNodes.configure(r, "serve=true", "quotaMessages=" + QUOTA);
        RelayNodes.awaitRelay(r, "serves with the small quota", t -> t.contains("roles sender, relay")
                && t.contains("quota per edge: " + QUOTA + " messages"));
        RelayNodes.configure(e, "relays=" + r.listenAddress("tls").toString().replace("tls://", "tls://" + rId + "@"));
        RelayNodes.awaitRelay(r, "E registered", t -> RelayNodes.row(t, eId).filter(l -> l.contains("online")).isPresent());
        a.execOk("hypha:connect " + r.listenAddress("tls"));
        Await.until("a learns E's advert listing R", RelayNodes.DEADLINE, a::diagnostics, () -> {
            NodeProcess.Result found = a.exec("hypha:lookup " + eId);
            return found.ok() && found.output().contains("addresses - relays " + rId) ? Optional.of(true) : Optional.empty();
        });
        e.stop();
        RelayNodes.awaitRelay(r, "E offline", t -> RelayNodes.row(t, eId).filter(l -> l.contains("offline")).isPresent());

        RelayNodes.burst(a, "reset");
        RelayNodes.burst(a, "send " + eId + " " + SENT + " size=100 ttl=3600000");

        Map<String, String> status = Await.until("A is told QUOTA_FULL", RelayNodes.DEADLINE, a::diagnostics, () -> {
            Map<String, String> s = RelayNodes.burstStatus(a);
            return RelayNodes.refused(s, "quota_full") >= SENT - QUOTA ? Optional.of(s) : Optional.empty();
        });
        assertThat(status.get("refused")).isEqualTo("quota_full:" + (SENT - QUOTA));
        String relay = RelayNodes.awaitRelay(r, "R holds the quota", t -> RelayNodes.number(t, "relay: store", "messages") == QUOTA);
        assertThat(RelayNodes.line(relay, "refused:")).contains("quota_full=" + (SENT - QUOTA));
        assertThat(RelayNodes.number(RelayNodes.relay(a), "sender:", "pending")).isZero();

        e = cluster.restart(e);
        Await.until("E receives the " + QUOTA, RelayNodes.DEADLINE, e::diagnostics, () -> {
            Map<String, String> s = Streams.sink(e);
            return Long.parseLong(s.get("received")) >= QUOTA ? Optional.of(s) : Optional.empty();
        });
        assertThat(Streams.sink(e)).containsEntry("received", Long.toString(QUOTA)).containsEntry("highest", Long.toString(QUOTA))
                .containsEntry("duplicates", "0").containsEntry("outOfOrder", "0");
        System.out.println("QUOTA_FULL reported: " + status + "\nR:\n" + relay);
    }
}
