package io.hypha.transport.internal.engine;

import static io.hypha.transport.internal.engine.TestNodes.Q;
import static org.assertj.core.api.Assertions.assertThat;

import io.hypha.api.NodeId;
import io.hypha.api.advert.AdvertDirectory;
import io.hypha.api.advert.NodeAdvert;
import io.hypha.api.advert.TransportAddress;
import io.hypha.api.transport.NetworkListener;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** What the engine tells the bundles above it (NetRegistry, relay) and what it takes from them. */
class NetworkHooksTest {
    private final TestNodes net = new TestNodes();

    /** Records what the engine says. */
    static final class Recorder implements NetworkListener {
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void listeningChanged(List<URI> addresses) {
            events.add("listening " + addresses.size());
        }

        @Override
        public void peerConnected(NodeId peer, long peerAdvertVersion, long knownOwnAdvertVersion) {
            events.add("connected " + peer.shortForm() + " " + peerAdvertVersion + " " + knownOwnAdvertVersion);
        }

        @Override
        public void peerDisconnected(NodeId peer) {
            events.add("disconnected " + peer.shortForm());
        }
    }

    /** Advert versions only: what the handshake reads. */
    static final class Versions implements AdvertDirectory {
        final long own;
        final Map<NodeId, Long> known = new ConcurrentHashMap<>();

        Versions(long own) {
            this.own = own;
        }

        @Override
        public long ownVersion() {
            return own;
        }

        @Override
        public Optional<NodeAdvert> own() {
            return Optional.empty();
        }

        @Override
        public long knownVersion(NodeId node) {
            return known.getOrDefault(node, 0L);
        }

        @Override
        public Optional<NodeAdvert> find(NodeId node) {
            return Optional.empty();
        }

        @Override
        public CompletionStage<Optional<NodeAdvert>> lookup(NodeId node) {
            return CompletableFuture.completedFuture(Optional.empty());
        }

        @Override
        public void useRelays(List<NodeId> relays, boolean advertiseAddresses) {
        }
    }

    @Test
    void bothSidesLearnTheAdvertVersionsThePeerAnnouncedWhenASessionOpens() {
        TestNodes.Node a = net.node("a");
        TestNodes.Node b = net.node("b");
        Versions av = new Versions(7);
        av.known.put(b.id, 3L);
        a.engine.useAdverts(av);
        b.engine.useAdverts(new Versions(9));
        Recorder onA = new Recorder();
        Recorder onB = new Recorder();
        a.engine.addListener(onA);
        b.engine.addListener(onB);
        a.install(Q);
        b.install(Q);
        a.connect(b, Q);
        net.advance(Duration.ofMillis(20));

        assertThat(onA.events).contains("connected " + b.id.shortForm() + " 9 0");
        assertThat(onB.events).contains("connected " + a.id.shortForm() + " 7 3");
        assertThat(a.engine.connectedPeers()).containsExactly(b.id);

        net.network.open().get(0).breakWith(new io.hypha.api.transport.TransportException(
                io.hypha.api.transport.TransportError.IO, "reset", null));
        net.advance(Duration.ofMillis(5));
        assertThat(onA.events).contains("disconnected " + b.id.shortForm());
        assertThat(onB.events).contains("disconnected " + a.id.shortForm());
    }

    @Test
    void listenersHearOfListeningAddressesWhenAddedAndWhenATransportComes() {
        TestNodes.Node a = net.node("a");
        Recorder r = new Recorder();
        a.engine.addListener(r);
        net.advance(Duration.ofMillis(20));
        assertThat(r.events).contains("listening 0");
        a.install(Q);
        net.advance(Duration.ofMillis(20));
        assertThat(r.events).last().isEqualTo("listening 1");
    }

    @Test
    void advertisedAddressesMakeAnUnknownNodeReachableAndANewerAdvertReplacesThem() {
        TestNodes.Node a = net.node("a");
        TestNodes.Node b = net.node("b");
        a.install(Q);
        b.install(Q);
        assertThat(a.engine.knows(b.id)).isFalse();
        assertThat(a.engine.forward(a.message(b, "before"))).as("unknown node").isNotNull();

        CompletionStage<Void> learnt = a.engine.learnAdvertised(b.id,
                List.of(new TransportAddress(URI.create(Q + "://" + "nowhere:1"), 1),
                        new TransportAddress(b.address(Q), 5)));
        net.advance(Duration.ofMillis(5));
        assertThat(learnt.toCompletableFuture()).isCompleted();
        assertThat(a.engine.knows(b.id)).isTrue();
        assertThat(a.engine.forward(a.message(b, "hello"))).isNull();
        net.advance(Duration.ofSeconds(2));
        assertThat(b.local.payloads()).containsExactly("hello");

        a.engine.learnAdvertised(b.id, List.of(new TransportAddress(b.address(Q), 5)));
        net.advance(Duration.ofMillis(5));
        assertThat(a.engine.sessions.get(b.id).addresses.entries()).as("the older advert's other address is gone")
                .extracting(e -> e.uri).containsExactly(b.address(Q));
    }

    @Test
    void aListenerThatThrowsNeitherStopsTheEngineNorKeepsOthersFromBeingTold() {
        TestNodes.Node a = net.node("a");
        TestNodes.Node b = net.node("b");
        a.engine.addListener(new NetworkListener() {
            @Override
            public void peerConnected(NodeId peer, long peerAdvertVersion, long knownOwnAdvertVersion) {
                throw new IllegalStateException("a broken listener");
            }
        });
        Recorder after = new Recorder();
        a.engine.addListener(after);
        a.install(Q);
        b.install(Q);
        a.connect(b, Q);
        net.advance(Duration.ofMillis(20));

        assertThat(after.events).contains("connected " + b.id.shortForm() + " 0 0");
        assertThat(a.engine.forward(a.message(b, "still works"))).isNull();
        net.advance(Duration.ofMillis(50));
        assertThat(b.local.payloads()).containsExactly("still works");
    }
}
