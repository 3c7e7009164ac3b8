package io.hypha.netregistry.internal.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import io.hypha.api.advert.AdvertCheck;
import io.hypha.api.advert.AdvertRejection;
import io.hypha.api.advert.NodeAdvert;
import io.hypha.api.advert.TransportAddress;
import io.hypha.identity.internal.Ed25519NodeKey;
import io.hypha.netregistry.test.FakeNetwork.Learned;
import io.hypha.netregistry.test.Keys;
import io.hypha.testkit.ManualClock;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetRegistryTest {
    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock();
    private final RegistrySettings quiet = RegistrySettings.builder().samplePeriod(Duration.ZERO).build();
    private final List<TestNode> nodes = new ArrayList<>();

    private final Ed25519NodeKey b = Keys.key(2);
    private final Ed25519NodeKey c = Keys.key(3);
    private final Ed25519NodeKey mallory = Keys.key(66);
    private final NodeId peer = Keys.key(9).id();

    private TestNode node(int seed, String name, RegistrySettings settings) {
        TestNode n = new TestNode(seed, dir.resolve(name), clock, settings);
        nodes.add(n);
        return n;
    }

    private TestNode startA() throws AdvertStoreException {
        return node(1, "a", quiet).listening(4001).start();
    }

    @AfterEach
    void stopAndCheck() {
        for (TestNode n : nodes) {
            if (n.harness != null) {
                n.harness.assertNoFailures();
                n.stop();
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ own advert

    @Test
    void signsItsAdvertFromTheListeningAddressesAtStart() throws Exception {
        TestNode a = startA();

        NodeAdvert own = a.registry.own().orElseThrow();
        assertThat(own.addresses()).containsExactly(new TransportAddress(URI.create("tls://127.0.0.1:4001"), 100));
        assertThat(own.version()).isEqualTo(clock.instant().toEpochMilli());
        assertThat(own.expires()).isEqualTo(clock.instant().plus(RegistrySettings.DEFAULT_ADVERT_TTL));
        assertThat(a.codec.verify(own, a.id, clock.instant())).isInstanceOf(AdvertCheck.Accepted.class);
        assertThat(a.registry.ownVersion()).isEqualTo(own.version());
        assertThat(a.registry.knownVersion(a.id)).isEqualTo(own.version());
    }

    @Test
    void hasNoAdvertWhileItHasNothingToSay() throws Exception {
        TestNode a = node(1, "a", quiet).start();

        assertThat(a.registry.own()).isEmpty();
        assertThat(a.registry.ownVersion()).isZero();
    }

    @Test
    void resignsWithAHigherVersionWhenItsAddressesChangeAndPublishesItToConnectedPeers() throws Exception {
        TestNode a = startA();
        long before = a.registry.ownVersion();
        a.network.connect(peer);

        a.registry.listeningChanged(List.of(URI.create("tls://127.0.0.1:4001"), URI.create("quic://127.0.0.1:4002")));
        a.runDue();

        NodeAdvert own = a.registry.own().orElseThrow();
        assertThat(own.version()).isGreaterThan(before);
        assertThat(own.addresses()).extracting(TransportAddress::uri).containsExactly(
                URI.create("quic://127.0.0.1:4002"), URI.create("tls://127.0.0.1:4001")); // quic weighs 200, tls 100
        Envelope push = a.harness.nextSent();
        assertThat(push.dst()).isEqualTo(EngineAddress.of(peer, RegistryProtocol.ENGINE));
        assertThat(push.type()).isEqualTo(RegistryProtocol.ADVERT);
        assertThat(a.codec.decode((byte[]) push.payload(), a.id, clock.instant())).isEqualTo(new AdvertCheck.Accepted(own));
    }

    @Test
    void keepsItsAdvertWhenTheAddressesDidNotChange() throws Exception {
        TestNode a = startA();
        NodeAdvert own = a.registry.own().orElseThrow();

        a.registry.listeningChanged(List.of(URI.create("tls://127.0.0.1:4001")));
        a.runDue();

        assertThat(a.registry.own()).contains(own);
        a.harness.assertNothingSent();
    }

    @Test
    void versionsGrowAcrossRestartsEvenWhenTheClockWentBack() throws Exception {
        TestNode a = startA();
        long first = a.registry.ownVersion();
        a.stop();

        TestNode again = new TestNode(1, dir.resolve("a"), new ManualClock(ManualClock.DEFAULT_START.minus(Duration.ofDays(1))),
                quiet).listening(4005);
        nodes.add(again);
        again.start();

        assertThat(again.registry.ownVersion()).isEqualTo(first + 1);
    }

    @Test
    void keepsTheStoredAdvertAcrossARestartWhenNothingChanged() throws Exception {
        TestNode a = startA();
        NodeAdvert first = a.registry.own().orElseThrow();
        a.stop();
        clock.advance(Duration.ofMinutes(5));

        TestNode again = node(1, "a", quiet).listening(4001).start();

        assertThat(again.registry.own()).contains(first);
    }

    @Test
    void renewsItsAdvertWhenAQuarterOfItsLifetimeIsLeft() throws Exception {
        TestNode a = node(1, "a", quiet.toBuilder().advertTtl(Duration.ofHours(1)).build()).listening(4001).start();
        NodeAdvert first = a.registry.own().orElseThrow();

        a.harness.advance(Duration.ofMinutes(44));
        assertThat(a.registry.own()).contains(first);
        a.harness.advance(Duration.ofMinutes(1));

        NodeAdvert renewed = a.registry.own().orElseThrow();
        assertThat(renewed.version()).isGreaterThan(first.version());
        assertThat(renewed.expires()).isEqualTo(clock.instant().plus(Duration.ofHours(1)));
        assertThat(renewed.addresses()).isEqualTo(first.addresses());
    }

    @Test
    void anEdgeNodeListsItsRelaysAndNoAddress() throws Exception {
        TestNode a = startA();
        a.network.connect(peer);

        a.registry.useRelays(List.of(b.id()), false);
        a.runDue();

        NodeAdvert own = a.registry.own().orElseThrow();
        assertThat(own.relays()).containsExactly(b.id());
        assertThat(own.addresses()).isEmpty();
        assertThat(a.harness.sentOfType(RegistryProtocol.ADVERT)).hasSize(1);
    }

    // ------------------------------------------------------------------------------------------------ exchange on connect

    @Test
    void pushesItsAdvertToAPeerThatHoldsAnOlderOneOnly() throws Exception {
        TestNode a = startA();
        long version = a.registry.ownVersion();

        a.registry.peerConnected(peer, 0, version);
        a.runDue();
        a.harness.assertNothingSent();

        a.registry.peerConnected(peer, 0, version - 1);
        a.runDue();
        Envelope push = a.harness.nextSent();
        assertThat(push.type()).isEqualTo(RegistryProtocol.ADVERT);
        assertThat(push.dst().node()).isEqualTo(peer);
        a.harness.assertNothingSent();
    }

    @Test
    void twoNodesThatConnectExchangeTheirAdvertsAndLearnTheAddresses() throws Exception {
        TestNode a = startA();
        TestNode bNode = node(2, "b", quiet).listening(4002).start();
        a.network.connect(bNode.id);
        bNode.network.connect(a.id);

        a.registry.peerConnected(bNode.id, bNode.registry.ownVersion(), 0);
        bNode.registry.peerConnected(a.id, a.registry.ownVersion(), 0);
        a.runDue();
        bNode.runDue();
        TestNode.pump(a, bNode);

        assertThat(a.registry.find(bNode.id)).isEqualTo(bNode.registry.own());
        assertThat(bNode.registry.find(a.id)).isEqualTo(a.registry.own());
        assertThat(a.network.learned()).contains(new Learned(bNode.id, bNode.registry.own().orElseThrow().addresses()));
        assertThat(a.registry.knownVersion(bNode.id)).isEqualTo(bNode.registry.ownVersion());
    }

    @Test
    void asksAPeerForItsAdvertOnlyWhenItAnnouncesANewerOne() throws Exception {
        TestNode a = startA();
        NodeAdvert v1 = Keys.advert(b, 1, 5001, clock.instant());
        a.receive(b.id(), RegistryProtocol.ADVERT, Keys.encode(v1));

        a.registry.peerConnected(b.id(), 1, a.registry.ownVersion());
        a.runDue();
        a.harness.assertNothingSent();

        a.registry.peerConnected(b.id(), 2, a.registry.ownVersion());
        a.runDue();
        Envelope get = a.harness.nextSent();
        assertThat(get.type()).isEqualTo(RegistryProtocol.GET);
        assertThat((byte[]) get.payload()).isEqualTo(b.id().publicKey());
        a.harness.reply(get, RegistryProtocol.ADVERT, Keys.encode(Keys.advert(b, 2, 5002, clock.instant())));
        assertThat(a.registry.knownVersion(b.id())).isEqualTo(2);
    }

    // ------------------------------------------------------------------------------------------------ refused adverts

    @Test
    void aForgedAdvertIsRefusedAndRoutingKeepsTheRealOne() throws Exception {
        TestNode a = startA();
        NodeAdvert real = Keys.advert(b, 1, 5001, clock.instant());
        a.receive(peer, RegistryProtocol.ADVERT, Keys.encode(real));

        a.receive(peer, RegistryProtocol.ADVERT, Keys.encode(Keys.forged(b.id(), mallory, 1_000, 6666, clock.instant())));

        assertThat(a.registry.find(b.id())).contains(real);
        assertThat(a.registry.snapshot().rejections()).containsEntry(AdvertRejection.BAD_SIGNATURE, 1L);
        assertThat(a.network.learned()).containsExactly(new Learned(b.id(), real.addresses()));
    }

    @Test
    void aReplayedOlderAdvertIsRefusedAndRoutingKeepsTheNewerOne() throws Exception {
        TestNode a = startA();
        NodeAdvert v1 = Keys.advert(b, 1, 5001, clock.instant());
        NodeAdvert v2 = Keys.advert(b, 2, 5002, clock.instant());
        a.receive(peer, RegistryProtocol.ADVERT, Keys.encode(v1));
        a.receive(peer, RegistryProtocol.ADVERT, Keys.encode(v2));

        a.receive(peer, RegistryProtocol.ADVERT, Keys.encode(v1));

        assertThat(a.registry.find(b.id())).contains(v2);
        assertThat(a.registry.snapshot().rejections()).containsEntry(AdvertRejection.OLDER_VERSION, 1L);
        assertThat(a.network.learned()).last().isEqualTo(new Learned(b.id(), v2.addresses()));
        assertThat(a.network.learned()).hasSize(2);
    }

    @Test
    void anExpiredAdvertIsRefusedAndNeverLearned() throws Exception {
        TestNode a = startA();
        NodeAdvert old = Keys.advert(b, 1, 5001, clock.instant().minus(Duration.ofHours(2)));

        a.receive(peer, RegistryProtocol.ADVERT, Keys.encode(old));

        assertThat(a.registry.find(b.id())).isEmpty();
        assertThat(a.registry.snapshot().rejections()).containsEntry(AdvertRejection.EXPIRED, 1L);
        assertThat(a.network.learned()).isEmpty();
    }

    @Test
    void itsOwnAdvertPassedBackIsNotHeldAsAnotherNodes() throws Exception {
        TestNode a = startA();
        byte[] own = Keys.encode(a.registry.own().orElseThrow());

        a.receive(peer, RegistryProtocol.ADVERT, own);

        assertThat(a.registry.snapshot().adverts()).isEmpty();
        assertThat(a.network.learned()).isEmpty();
    }

    @Test
    void messagesThatAreNotWhatTheirTypeSaysAreCountedAndIgnored() throws Exception {
        TestNode a = startA();

        a.receive(peer, RegistryProtocol.ADVERT, "not bytes");
        a.receive(peer, RegistryProtocol.ADVERTS, new byte[] {(byte) 0x85}); // a truncated varint
        a.receive(peer, "hypha.netregistry.unknown", new byte[0]);

        assertThat(a.registry.snapshot().counters().badMessages()).isEqualTo(3);
        a.harness.assertNothingSent();
    }

    // ------------------------------------------------------------------------------------------------ lookups

    @Test
    void aLookupOfAHeldAdvertAnswersAtOnce() throws Exception {
        TestNode a = startA();
        NodeAdvert real = Keys.advert(b, 1, 5001, clock.instant());
        a.receive(peer, RegistryProtocol.ADVERT, Keys.encode(real));

        assertThat(a.registry.lookup(b.id()).toCompletableFuture()).isCompletedWithValue(Optional.of(real));
        a.harness.assertNothingSent();
    }

    @Test
    void aLookupAsksTheConnectedPeersAndTheFirstValidAnswerWins() throws Exception {
        TestNode a = startA();
        NodeId p1 = Keys.key(11).id();
        NodeId p2 = Keys.key(12).id();
        a.network.connect(p1);
        a.network.connect(p2);

        CompletableFuture<Optional<NodeAdvert>> found = a.registry.lookup(b.id()).toCompletableFuture();
        a.runDue();

        List<Envelope> asked = a.harness.takeSent();
        assertThat(asked).extracting(Envelope::type).containsOnly(RegistryProtocol.GET);
        assertThat(asked).extracting(e -> e.dst().node()).containsExactlyInAnyOrder(p1, p2);
        a.harness.reply(asked.get(0), RegistryProtocol.ADVERT, Keys.encode(Keys.forged(b.id(), mallory, 9, 6666, clock.instant())));
        assertThat(found).isNotDone();
        NodeAdvert real = Keys.advert(b, 1, 5001, clock.instant());
        a.harness.reply(asked.get(1), RegistryProtocol.ADVERT, Keys.encode(real));

        assertThat(found).isCompletedWithValue(Optional.of(real));
        assertThat(a.network.learned()).containsExactly(new Learned(b.id(), real.addresses()));
        assertThat(a.registry.snapshot().rejections()).containsEntry(AdvertRejection.BAD_SIGNATURE, 1L);
        assertThat(a.registry.snapshot().counters().lookupsFound()).isEqualTo(1);
    }

    @Test
    void anAnswerAboutAnotherNodeIsRefused() throws Exception {
        TestNode a = startA();
        a.network.connect(peer);

        CompletableFuture<Optional<NodeAdvert>> found = a.registry.lookup(b.id()).toCompletableFuture();
        a.runDue();
        a.harness.reply(a.harness.nextSent(), RegistryProtocol.ADVERT, Keys.encode(Keys.advert(c, 1, 5003, clock.instant())));

        assertThat(found).isCompletedWithValue(Optional.empty());
        assertThat(a.registry.snapshot().rejections()).containsEntry(AdvertRejection.WRONG_NODE, 1L);
        assertThat(a.registry.find(c.id())).isEmpty();
    }

    @Test
    void aLookupNobodyAnswersEndsEmptyAtTheTimeout() throws Exception {
        TestNode a = startA();
        a.network.connect(peer);

        CompletableFuture<Optional<NodeAdvert>> found = a.registry.lookup(b.id()).toCompletableFuture();
        a.runDue();
        a.harness.advance(RegistrySettings.DEFAULT_LOOKUP_TIMEOUT.minusMillis(1));
        assertThat(found).isNotDone();
        a.harness.advance(Duration.ofMillis(1));

        assertThat(found).isCompletedWithValue(Optional.empty());
        assertThat(a.registry.snapshot().counters().lookupsMissed()).isEqualTo(1);
    }

    @Test
    void aLookupEndsEmptyAsSoonAsEveryPeerSaidItDoesNotKnow() throws Exception {
        TestNode a = startA();
        a.network.connect(Keys.key(11).id());
        a.network.connect(Keys.key(12).id());

        CompletableFuture<Optional<NodeAdvert>> found = a.registry.lookup(b.id()).toCompletableFuture();
        a.runDue();
        for (Envelope get : a.harness.takeSent()) {
            a.harness.reply(get, RegistryProtocol.ADVERT, new byte[0]);
        }

        assertThat(found).isCompletedWithValue(Optional.empty());
    }

    @Test
    void aLookupWithoutPeersEndsEmptyAtOnce() throws Exception {
        TestNode a = startA();

        CompletableFuture<Optional<NodeAdvert>> found = a.registry.lookup(b.id()).toCompletableFuture();
        a.runDue();

        assertThat(found).isCompletedWithValue(Optional.empty());
        a.harness.assertNothingSent();
    }

    @Test
    void lookupsOfOneNodeShareTheirRequestsAndLookupsBeyondTheBoundEndEmpty() throws Exception {
        TestNode a = node(1, "a", quiet.toBuilder().maxPendingLookups(1).build()).listening(4001).start();
        a.network.connect(peer);

        CompletableFuture<Optional<NodeAdvert>> first = a.registry.lookup(b.id()).toCompletableFuture();
        CompletableFuture<Optional<NodeAdvert>> second = a.registry.lookup(b.id()).toCompletableFuture();
        CompletableFuture<Optional<NodeAdvert>> other = a.registry.lookup(c.id()).toCompletableFuture();
        a.runDue();

        assertThat(other).isCompletedWithValue(Optional.empty());
        Envelope get = a.harness.nextSent();
        a.harness.assertNothingSent();
        NodeAdvert real = Keys.advert(b, 1, 5001, clock.instant());
        a.harness.reply(get, RegistryProtocol.ADVERT, Keys.encode(real));
        assertThat(first).isCompletedWithValue(Optional.of(real));
        assertThat(second).isCompletedWithValue(Optional.of(real));
        assertThat(a.registry.snapshot().counters().lookupsRefused()).isEqualTo(1);
    }

    @Test
    void aStoppingEngineEndsTheLookupsThatWait() throws Exception {
        TestNode a = startA();
        a.network.connect(peer);
        CompletableFuture<Optional<NodeAdvert>> found = a.registry.lookup(b.id()).toCompletableFuture();
        a.runDue();

        a.harness.stop();

        assertThat(found).isCompletedWithValue(Optional.empty());
        assertThat(a.registry.lookup(c.id()).toCompletableFuture()).isCompletedWithValue(Optional.empty());
    }

    @Test
    void answersAGetWithTheAdvertHeldItsOwnOrNothing() throws Exception {
        TestNode a = startA();
        NodeAdvert real = Keys.advert(b, 1, 5001, clock.instant());
        a.receive(peer, RegistryProtocol.ADVERT, Keys.encode(real));
        EngineAddress asker = EngineAddress.of(peer, RegistryProtocol.ENGINE);

        byte[] held = (byte[]) a.harness.request(asker, RegistryProtocol.GET, b.id().publicKey()).join().payload();
        byte[] own = (byte[]) a.harness.request(asker, RegistryProtocol.GET, a.id.publicKey()).join().payload();
        byte[] unknown = (byte[]) a.harness.request(asker, RegistryProtocol.GET, c.id().publicKey()).join().payload();
        byte[] malformed = (byte[]) a.harness.request(asker, RegistryProtocol.GET, new byte[3]).join().payload();

        assertThat(held).isEqualTo(Keys.encode(real));
        assertThat(own).isEqualTo(Keys.encode(a.registry.own().orElseThrow()));
        assertThat(unknown).isEmpty();
        assertThat(malformed).isEmpty();
    }

    // ------------------------------------------------------------------------------------------------ sampling

    @Test
    void samplesAConnectedPeerEveryPeriodAndMergesTheValidAdverts() throws Exception {
        TestNode a = node(1, "a", RegistrySettings.defaults()).listening(4001).start();
        a.network.connect(peer);

        a.harness.advance(RegistrySettings.DEFAULT_SAMPLE_PERIOD);

        Envelope sample = a.harness.nextSent();
        assertThat(sample.type()).isEqualTo(RegistryProtocol.SAMPLE);
        assertThat(sample.dst().node()).isEqualTo(peer);
        assertThat(RegistryProtocol.decodeCount((byte[]) sample.payload())).contains(RegistrySettings.DEFAULT_SAMPLE_SIZE);
        NodeAdvert bAdvert = Keys.advert(b, 1, 5002, clock.instant());
        NodeAdvert cAdvert = Keys.advert(c, 1, 5003, clock.instant());
        a.harness.reply(sample, RegistryProtocol.ADVERTS, RegistryProtocol.encodeList(List.of(Keys.encode(bAdvert),
                Keys.encode(Keys.forged(b.id(), mallory, 50, 6666, clock.instant())), Keys.encode(cAdvert))));

        assertThat(a.registry.snapshot().adverts()).containsExactlyInAnyOrder(bAdvert, cAdvert);
        assertThat(a.network.learned()).extracting(Learned::node).containsExactlyInAnyOrder(b.id(), c.id());
        assertThat(a.registry.snapshot().rejections()).containsEntry(AdvertRejection.BAD_SIGNATURE, 1L);
        assertThat(a.registry.snapshot().counters().samples()).isEqualTo(1);
    }

    @Test
    void answersASampleWithItsOwnAdvertAndAtMostTheNumberAskedLeavingOutTheAsker() throws Exception {
        TestNode a = startA();
        Ed25519NodeKey asker = Keys.key(20);
        a.receive(peer, RegistryProtocol.ADVERT, Keys.encode(Keys.advert(asker, 1, 5020, clock.instant())));
        for (int i = 0; i < 5; i++) {
            a.receive(peer, RegistryProtocol.ADVERT, Keys.encode(Keys.advert(Keys.key(30 + i), 1, 5030 + i, clock.instant())));
        }

        Envelope reply = a.harness.request(EngineAddress.of(asker.id(), RegistryProtocol.ENGINE), RegistryProtocol.SAMPLE,
                RegistryProtocol.encodeCount(3)).join();

        assertThat(reply.type()).isEqualTo(RegistryProtocol.ADVERTS);
        List<byte[]> items = RegistryProtocol.decodeList((byte[]) reply.payload(), 64, 8192).orElseThrow();
        assertThat(items).hasSize(3);
        List<NodeId> about = items.stream().map(i -> ((AdvertCheck.Accepted) a.codec.decode(i, null, clock.instant())).advert().node())
                .toList();
        assertThat(about).contains(a.id).doesNotContain(asker.id()).doesNotHaveDuplicates();
    }

    // ------------------------------------------------------------------------------------------------ seeds

    @Test
    void dialsItsSeedsAtStartAndAsksAReachedSeedForASample() throws Exception {
        URI seed = URI.create("tls://127.0.0.1:7001");
        TestNode a = node(1, "a", quiet.toBuilder().seeds(List.of(seed)).build()).listening(4001).start();

        assertThat(a.network.dials()).extracting(d -> d.address()).containsExactly(seed);
        a.network.connect(peer);
        a.network.dials().get(0).result().complete(peer);
        a.runDue();

        Envelope sample = a.harness.nextSent();
        assertThat(sample.type()).isEqualTo(RegistryProtocol.SAMPLE);
        assertThat(sample.dst().node()).isEqualTo(peer);
        assertThat(a.registry.snapshot().seeds()).singleElement().satisfies(s -> {
            assertThat(s.state()).isEqualTo(RegistrySnapshot.SeedState.CONNECTED);
            assertThat(s.peer()).isEqualTo(peer);
        });
    }

    @Test
    void redialsASeedThatCouldNotBeReachedWithGrowingDelays() throws Exception {
        URI seed = URI.create("tls://127.0.0.1:7001");
        TestNode a = node(1, "a", quiet.toBuilder().seeds(List.of(seed)).seedRedialMin(Duration.ofSeconds(1))
                .seedRedialMax(Duration.ofSeconds(4)).build()).listening(4001).start();

        a.network.dials().get(0).result().completeExceptionally(new IllegalStateException("refused"));
        a.runDue();
        assertThat(a.network.dials()).hasSize(1);
        a.harness.advance(Duration.ofSeconds(1));
        assertThat(a.network.dials()).hasSize(2);
        a.network.dials().get(1).result().completeExceptionally(new IllegalStateException("refused"));
        a.runDue();
        a.harness.advance(Duration.ofMillis(999)); // the second delay is between 1 and 2 s
        assertThat(a.network.dials()).hasSize(2);
        a.harness.advance(Duration.ofMillis(1001));

        assertThat(a.network.dials()).hasSize(3);
        assertThat(a.registry.snapshot().seeds().get(0).failures()).isEqualTo(2);
    }

    @Test
    void aSeedNamingThisNodeIsNotDialled() throws Exception {
        NodeId self = Keys.key(1).id();
        TestNode a = node(1, "a", quiet.toBuilder().seeds(List.of(URI.create("tls://" + self + "@127.0.0.1:7001"))).build())
                .listening(4001).start();

        assertThat(a.network.dials()).isEmpty();
        assertThat(a.registry.snapshot().seeds().get(0).state()).isEqualTo(RegistrySnapshot.SeedState.SELF);
    }

    // ------------------------------------------------------------------------------------------------ persistence

    @Test
    void remembersAdvertsAcrossARestartAndTeachesTheirAddressesAgain() throws Exception {
        TestNode a = startA();
        NodeAdvert real = Keys.advert(b, 1, 5001, clock.instant());
        a.receive(peer, RegistryProtocol.ADVERT, Keys.encode(real));
        a.stop();

        TestNode again = node(1, "a", quiet).listening(4001).start();

        assertThat(again.registry.find(b.id())).contains(real);
        assertThat(again.network.learned()).containsExactly(new Learned(b.id(), real.addresses()));
    }

    @Test
    void dropsStoredAdvertsThatExpiredWhileItWasDown() throws Exception {
        TestNode a = startA();
        a.receive(peer, RegistryProtocol.ADVERT, Keys.encode(Keys.advert(b, 1, 5001, clock.instant())));
        a.stop();
        clock.advance(Duration.ofHours(2));

        TestNode again = node(1, "a", quiet).listening(4001).start();

        assertThat(again.registry.find(b.id())).isEmpty();
        assertThat(again.network.learned()).isEmpty();
        again.stop();
        try (AdvertStore store = AdvertStore.open(dir.resolve("a"))) {
            assertThat(store.adverts()).isEmpty();
        }
    }

    @Test
    void holdsAtMostItsCapacityInMemoryAndOnDisk() throws Exception {
        TestNode a = node(1, "a", quiet.toBuilder().capacity(2).build()).listening(4001).start();

        for (int i = 0; i < 3; i++) {
            a.receive(peer, RegistryProtocol.ADVERT, Keys.encode(Keys.advert(Keys.key(30 + i), 1, 5030 + i, clock.instant())));
        }

        assertThat(a.registry.snapshot().adverts()).hasSize(2);
        assertThat(a.registry.snapshot().tableFull()).isEqualTo(1);
        a.stop();
        try (AdvertStore store = AdvertStore.open(dir.resolve("a"))) {
            assertThat(store.adverts()).hasSize(2);
        }
    }

    @Test
    void expiredAdvertsMakeRoomAndLeaveTheStore() throws Exception {
        TestNode a = node(1, "a", quiet.toBuilder().capacity(1).build()).listening(4001).start();
        a.receive(peer, RegistryProtocol.ADVERT, Keys.encode(Keys.advert(b, 1, 5002, clock.instant())));
        clock.advance(Duration.ofHours(2));

        NodeAdvert fresh = Keys.advert(c, 1, 5003, clock.instant());
        a.receive(peer, RegistryProtocol.ADVERT, Keys.encode(fresh));

        assertThat(a.registry.snapshot().adverts()).containsExactly(fresh);
        a.stop();
        try (AdvertStore store = AdvertStore.open(dir.resolve("a"))) {
            assertThat(store.adverts()).containsOnlyKeys(c.id());
        }
    }
}
