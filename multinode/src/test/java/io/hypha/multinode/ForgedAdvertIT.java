package io.hypha.multinode;

import static org.assertj.core.api.Assertions.assertThat;

import io.hypha.api.NodeId;
import io.hypha.api.advert.AdvertCheck;
import io.hypha.api.advert.AdvertCodec;
import io.hypha.api.advert.AdvertContent;
import io.hypha.api.advert.NodeAdvert;
import io.hypha.api.advert.TransportAddress;
import io.hypha.identity.internal.Crypto;
import io.hypha.identity.internal.Ed25519NodeKey;
import io.hypha.multinode.NodeProcess.Spec;
import io.hypha.multinode.RoguePeers.Identity;
import io.hypha.wire.advert.ProtobufAdvertCodec;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Adverts are believed for their signature, not for who passes them on. An attacker with a node identity of its own
 * (an authenticated peer, {@link ForgedAdvertClient}) captures b's signed advert as b pushes it; b then re-signs a
 * newer one (its listen configuration changes), which the attacker captures too. The attacker hands node a, which
 * has never been connected to b: b's current advert (honest gossip, which a takes), an advert for b with the
 * attacker's address signed by the attacker's key (forged), and b's old advert (replayed). a refuses both, counts
 * them by reason in {@code hypha:adverts}, keeps b's current advert, and reaches b by id at b's real address.
 */
class ForgedAdvertIT {
    @RegisterExtension
    static final Cluster cluster = new Cluster();

    private static final ProtobufAdvertCodec CODEC = new ProtobufAdvertCodec(new Crypto(), Duration.ofMinutes(5));

    private static NodeProcess a;
    private static NodeProcess b;

    @BeforeAll
    static void startNodes() throws Exception {
        List<NodeProcess> nodes = cluster.start(Spec.named("a"), Spec.named("b"));
        a = nodes.get(0);
        b = nodes.get(1);
        b.execOk("hypha:feature-install echo");
        b.awaitEngine("echo");
    }

    @Test
    void aForgedAndAReplayedAdvertAreRefusedAndRoutingToTheNodeIsUnchanged() throws Exception {
        NodeId bId = NodeId.parse(b.id());
        NodeId aId = NodeId.parse(a.id());
        NodeAdvert old = decode(capture(b, bId), bId);

        // b re-signs: it stops listening on QUIC, so its advert changes (a newer version, TLS only)
        Files.writeString(b.data().resolve("conf/io.hypha.transport.config"), "listen=[\"tls://127.0.0.1:0\"]\n",
                StandardCharsets.UTF_8);
        DiscoveryIT.awaitOwnVersionAbove(b, old.version());
        byte[] currentBytes = Await.until("b pushes its new advert", Duration.ofSeconds(30), b::diagnostics, () -> {
            byte[] pushed = capture(b, bId);
            return decode(pushed, bId).version() > old.version() ? Optional.of(pushed) : Optional.empty();
        });
        NodeAdvert current = decode(currentBytes, bId);
        assertThat(current.addresses()).extracting(TransportAddress::scheme).containsOnly("tls");
        Ed25519NodeKey forger = Ed25519NodeKey.generate(new SecureRandom());
        NodeAdvert forged = forge(bId, forger, current.version() + 1_000, URI.create("tls://127.0.0.1:9"));

        try (ForgedAdvertClient attacker = ForgedAdvertClient.connect(a.listenAddress("tls"), Identity.create(), aId)) {
            attacker.sendAdvert(currentBytes);
            attacker.sendAdvert(CODEC.encode(forged));
            attacker.awaitAck(attacker.sendAdvert(CODEC.encode(old)));
        }

        String adverts = Await.until("a counts the refused adverts", Duration.ofSeconds(30), a::diagnostics, () -> {
            String text = a.execOk("hypha:adverts");
            return ConsoleText.counter(text, "rejected", "bad_signature") >= 1 && ConsoleText.counter(text, "rejected", "older_version") >= 1
                    ? Optional.of(text) : Optional.empty();
        });
        assertThat(ConsoleText.counter(adverts, "rejected", "bad_signature")).as(adverts).isEqualTo(1);
        assertThat(ConsoleText.counter(adverts, "rejected", "older_version")).as(adverts).isEqualTo(1);
        String bRow = adverts.lines().filter(l -> l.startsWith(b.id())).findFirst().orElseThrow(() -> new AssertionError(adverts));
        assertThat(bRow.split("\\s+")[1]).as("a keeps b's current advert").isEqualTo(Long.toString(current.version()));
        assertThat(bRow).contains(current.addresses().get(0).uri().toString()).doesNotContain("127.0.0.1:9(");

        assertThat(a.execOk("hypha:send " + b.id() + " echo routed by the real advert"))
                .contains("reply from echo@" + b.id() + " (echo.reply): routed by the real advert");
        assertThat(EchoRoundTripIT.peerLine(a, b)).contains("CONNECTED").contains(current.addresses().get(0).uri().toString());
    }

    /** Connects to the node as a peer that holds none of its adverts, and takes the advert the node pushes. */
    private static byte[] capture(NodeProcess node, NodeId id) throws Exception {
        try (ForgedAdvertClient peer = ForgedAdvertClient.connect(node.listenAddress("tls"), Identity.create(), id)) {
            return peer.awaitPushedAdvert();
        }
    }

    private static NodeAdvert decode(byte[] encoded, NodeId expected) {
        AdvertCheck check = CODEC.decode(encoded, expected, Instant.now());
        if (check instanceof AdvertCheck.Accepted ok) {
            return ok.advert();
        }
        throw new AssertionError("the node pushed an advert that does not check out: " + check);
    }

    /** An advert about {@code victim} pointing at {@code address}, signed by the forger's key as an attacker makes it. */
    private static NodeAdvert forge(NodeId victim, Ed25519NodeKey forger, long version, URI address) {
        Instant now = Instant.now();
        AdvertContent content = new AdvertContent(victim, List.of(new TransportAddress(address, 60_000)), List.of(), 1, 1,
                version, now, now.plus(Duration.ofHours(1)));
        return new NodeAdvert(content, forger.sign(AdvertCodec.SIGNING_CONTEXT, ProtobufAdvertCodec.canonicalEncoding(content)));
    }
}
