package io.hypha.multinode;

import static org.assertj.core.api.Assertions.assertThat;

import io.hypha.multinode.NodeProcess.Spec;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three core nodes find each other through one seed: a starts alone; b and c start with {@code --seed} a's TLS
 * address (and a's id, so the seed is authenticated). c never hears of b from the operator: it learns b's signed
 * advert from a (the sample it asks of its seed), sends to b by node id alone (the resolving gateway dials b at the
 * advertised address), and, restarted without any seed, still knows b from the adverts it kept on disk.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DiscoveryIT {
    @RegisterExtension
    static final Cluster cluster = new Cluster();
    /** Sampling runs every 2 s by default and a seed is asked at once: a few seconds are plenty. */
    private static final Duration LEARN_DEADLINE = Duration.ofSeconds(30);

    private static NodeProcess a;
    private static NodeProcess b;
    private static NodeProcess c;

    @BeforeAll
    static void startNodes() throws Exception {
        a = cluster.start(Spec.named("a")).get(0);
        URI tls = a.listenAddress("tls");
        String seed = "tls://" + a.id() + "@" + tls.getHost() + ":" + tls.getPort();
        List<NodeProcess> started = cluster.start(Spec.named("b").seeds(seed), Spec.named("c").seeds(seed));
        b = started.get(0);
        c = started.get(1);
        b.execOk("hypha:feature-install echo");
        b.awaitEngine("echo");
    }

    @Test
    @Order(1)
    void aNodeThatKnowsOnlyASeedLearnsAnotherNodesAdvertAndReachesItByIdAlone() {
        String bLine = awaitAdvert(c, b);
        assertThat(bLine).contains(b.listenAddress("tls").toString());
        assertThat(c.execOk("hypha:peers")).as("c was never connected to b by anyone")
                .doesNotContainPattern("(?m)^" + b.id() + "\\s+CONNECTED");

        String reply = c.execOk("hypha:send " + b.id() + " echo hello by id");

        assertThat(reply).contains("reply from echo@" + b.id() + " (echo.reply): hello by id");
        assertThat(EchoRoundTripIT.peerLine(c, b)).contains("CONNECTED");
        assertThat(c.execOk("hypha:adverts")).contains("seed tls://" + a.id() + "@").contains(": connected");
    }

    @Test
    @Order(2)
    void aRestartedNodeRemembersTheAdvertsItLearnedAndStillReachesTheNode() throws Exception {
        awaitAdvert(c, b);
        String bVersion = columns(awaitAdvert(c, b))[1];
        c.stop();

        c = cluster.restart(c, Spec.named("c")); // no seed this time: nobody tells c about b
        String remembered = awaitAdvert(c, b);

        assertThat(columns(remembered)[1]).isEqualTo(bVersion);
        assertThat(c.execOk("hypha:peers")).as("the advert came from c's disk, not from a peer")
                .doesNotContainPattern("(?m)^\\S+\\s+CONNECTED");
        assertThat(c.execOk("hypha:send " + b.id() + " echo after restart")).contains("(echo.reply): after restart");
    }

    @Test
    @Order(3)
    void lookupFindsAnAdvertThroughAConnectedPeer() {
        String found = c.execOk("hypha:lookup " + a.id());

        assertThat(found).startsWith("found " + a.id() + " v");
        NodeProcess.Result unknown = c.exec("hypha:lookup " + "a".repeat(52));
        assertThat(unknown.exit()).as(unknown.output()).isEqualTo(1);
        assertThat(unknown.output()).contains("no peer knew node " + "a".repeat(52));
    }

    /** @return the row of {@code node}'s advert in {@code holder}'s {@code hypha:adverts}, once it is there */
    static String awaitAdvert(NodeProcess holder, NodeProcess node) {
        return Await.until(holder.name() + " holds the advert of " + node.name(), LEARN_DEADLINE, holder::diagnostics, () ->
                holder.execOk("hypha:adverts").lines().filter(l -> l.startsWith(node.id())).findFirst());
    }

    private static String[] columns(String advertRow) {
        return advertRow.trim().split("\\s+");
    }

    /** @return the version of {@code node}'s own advert, from its {@code hypha:adverts} */
    static long ownVersion(NodeProcess node) {
        String own = node.execOk("hypha:adverts").lines().filter(l -> l.startsWith("own: ")).findFirst()
                .orElseThrow(() -> new AssertionError("no own advert line on " + node.name()));
        String[] words = own.split("\\s+");
        return words.length > 2 && words[2].startsWith("v") ? Long.parseLong(words[2].substring(1)) : 0;
    }

    /** Waits until {@code node}'s own advert has a version above {@code than}; @return that version */
    static long awaitOwnVersionAbove(NodeProcess node, long than) {
        return Await.until(node.name() + " re-signs its advert", Duration.ofSeconds(30), node::diagnostics, () -> {
            long v = ownVersion(node);
            return v > than ? Optional.of(v) : Optional.empty();
        });
    }
}
