package io.hypha.relay.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.hypha.api.DeadLetter;
import io.hypha.api.DeliveryFailure;
import io.hypha.api.Envelope;
import io.hypha.api.advert.NodeAdvert;
import io.hypha.relay.internal.engine.RelaySettings.RelayTarget;
import io.hypha.testkit.ManualClock;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three relay engines wired together: sender A, relay R (real store), edge E. */
class RelayEndToEndTest {
    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock();
    private final Mesh mesh = new Mesh(clock);
    private final List<TestNode> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        for (TestNode n : nodes) {
            n.harness.assertNoFailures();
            n.close();
        }
    }

    private TestNode add(TestNode n) {
        nodes.add(n);
        return mesh.add(n);
    }

    private RelaySettings edgeSettings(TestNode relay) {
        RelaySettings d = RelaySettings.defaults();
        RelayTarget target = new RelayTarget(relay.id, URI.create("tls://" + relay.id + "@127.0.0.1:4001"));
        return new RelaySettings(d.sender(), d.serve(), d.edge().withRelays(List.of(target)), d.protocolTtl(), d.tick());
    }

    private static void connect(TestNode edge, TestNode relay, Mesh mesh) {
        edge.engine.network(edge.network);
        mesh.pump();
        edge.network.lastDial().complete(relay.id);
        mesh.pump();
    }

    @Test
    void messagesForAnOfflineEdgeSurviveARelayRestartArriveOnceInOrderAndTheExpiredOnesAreReportedToTheSender() throws Exception {
        TestNode a = add(TestNode.start("a", clock, RelaySettings.defaults(), null));
        TestNode r = add(TestNode.start("r", clock, TestNode.relaySettings(10_000, 64), dir));
        TestNode e = add(TestNode.start("e", clock, edgeSettings(r), null));
        connect(e, r, mesh);
        assertThat(mesh.snapshot(e).edge().relays().get(0).state()).isEqualTo("REGISTERED");
        e.close(); // the edge goes offline
        r.engine.peerDisconnected(e.id);
        mesh.pump();
        NodeAdvert advert = Messages.advert(e.id, r.id);

        List<Envelope> expiring = new ArrayList<>();
        for (int i = 1; i <= 1_000; i++) {
            assertThat(a.engine.forward(Messages.app(a.id, e.id, "m" + i, clock.millis() + 3_600_000), advert)).isNull();
            if (i % 10 == 0) {
                Envelope short1 = Messages.app(a.id, e.id, "short" + i, clock.millis() + 5_000);
                expiring.add(short1);
                assertThat(a.engine.forward(short1, advert)).isNull();
            }
        }
        mesh.awaitUntil("every message stored at the relay",
                () -> mesh.snapshot(a).sender().pendingMessages() == 0);
        assertThat(r.store.totalMessages()).isEqualTo(1_100);

        r.crash();
        TestNode r2 = add(r.restart());
        mesh.advance(Duration.ofSeconds(6));
        mesh.awaitAdvancing("the expired ones reported to the sender", () -> a.local.undeliverable().size() >= 100);
        assertThat(a.local.undeliverable()).hasSize(100);
        assertThat(a.local.undeliverable()).extracting(DeadLetter::failure).containsOnly(DeliveryFailure.EXPIRED);
        assertThat(a.local.undeliverable()).extracting(l -> l.envelope().id())
                .containsExactlyInAnyOrderElementsOf(expiring.stream().map(Envelope::id).toList());

        TestNode e2 = add(e.restart());
        connect(e2, r2, mesh);
        mesh.awaitUntil("the store drained", () -> {
            mesh.pump();
            return r2.store.totalMessages() == 0 && e2.local.delivered().size() >= 1_000;
        });

        assertThat(e2.local.delivered()).extracting(Messages::text)
                .containsExactlyElementsOf(IntStream.rangeClosed(1, 1_000).mapToObj(i -> "m" + i).toList());
        assertThat(mesh.snapshot(r2).relay().expired()).isEqualTo(100);
        assertThat(mesh.snapshot(e2).edge().duplicates()).isZero();
    }

    @Test
    void aFullQuotaIsReportedToTheSendingEngineAndTheRestArrives() throws Exception {
        TestNode a = add(TestNode.start("a", clock, RelaySettings.defaults(), null));
        TestNode r = add(TestNode.start("r", clock, TestNode.relaySettings(5, 64), dir));
        TestNode e = add(TestNode.start("e", clock, edgeSettings(r), null));
        connect(e, r, mesh);
        e.close();
        r.engine.peerDisconnected(e.id);
        mesh.pump();
        NodeAdvert advert = Messages.advert(e.id, r.id);

        for (int i = 1; i <= 8; i++) {
            a.engine.forward(Messages.app(a.id, e.id, "m" + i, Envelope.NEVER), advert);
        }
        mesh.awaitUntil("every message answered", () -> mesh.snapshot(a).sender().pendingMessages() == 0);

        assertThat(a.local.undeliverable()).hasSize(3).extracting(DeadLetter::failure).containsOnly(DeliveryFailure.QUOTA_FULL);
        assertThat(a.local.undeliverable()).extracting(l -> Messages.text(l.envelope())).containsExactly("m6", "m7", "m8");
        TestNode e2 = add(e.restart());
        connect(e2, r, mesh);
        mesh.awaitUntil("the five delivered", () -> e2.local.delivered().size() == 5);
        assertThat(e2.local.delivered()).extracting(Messages::text).containsExactly("m1", "m2", "m3", "m4", "m5");
    }
}
