package io.hypha.netregistry.internal.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.hypha.api.DeliveryFailure;
import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import io.hypha.api.advert.AdvertContent;
import io.hypha.api.advert.AdvertDirectory;
import io.hypha.api.advert.NodeAdvert;
import io.hypha.api.advert.TransportAddress;
import io.hypha.api.router.LocalDelivery;
import io.hypha.api.router.RelayRoute;
import io.hypha.api.router.RemoteGateway;
import io.hypha.netregistry.test.FakeNetwork;
import io.hypha.netregistry.test.FakeNetwork.Learned;
import io.hypha.netregistry.test.Keys;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

class ResolvingGatewayTest {
    private static final Instant NOW = Instant.now();

    private final NodeId self = Keys.key(1).id();
    private final NodeId b = Keys.key(2).id();
    private final NodeId edge = Keys.key(3).id();
    private final NodeId relayNode = Keys.key(4).id();
    private final FakeNetwork network = new FakeNetwork(self);
    private final Directory directory = new Directory();
    private final Transport transport = new Transport();
    private final Local local = new Local();
    private final Relay relayRoute = new Relay();
    private RelayRoute installedRelay;
    private long ids;

    private ResolvingGateway gateway(int perNode, int nodes) {
        return new ResolvingGateway(transport, network, directory, local, () -> installedRelay, perNode, nodes);
    }

    private Envelope to(NodeId node) {
        return Envelope.builder().src(EngineAddress.local("sender")).dst(EngineAddress.of(node, "echo")).id(++ids)
                .type("t").payload("m" + ids).build();
    }

    private static NodeAdvert withAddresses(NodeId node, int port) {
        return new NodeAdvert(new AdvertContent(node, List.of(new TransportAddress(URI.create("tls://127.0.0.1:" + port), 100)),
                List.of(), 1, 1, 1, NOW, NOW.plusSeconds(3600)), new byte[64]);
    }

    private NodeAdvert relayOnly(NodeId node) {
        return new NodeAdvert(new AdvertContent(node, List.of(), List.of(relayNode), 1, 1, 1, NOW, NOW.plusSeconds(3600)),
                new byte[64]);
    }

    @Test
    void aNodeTheTransportKnowsGoesStraightToTheTransportGateway() {
        ResolvingGateway gateway = gateway(10, 10);
        network.know(b);
        Envelope m = to(b);

        assertThat(gateway.forward(m)).isNull();

        assertThat(transport.forwarded).containsExactly(m);
        assertThat(directory.lookups).isEmpty();
    }

    @Test
    void aRefusalOfTheTransportGatewayIsPassedBack() {
        ResolvingGateway gateway = gateway(10, 10);
        network.know(b);
        transport.refusal = DeliveryFailure.MAILBOX_FULL;

        assertThat(gateway.forward(to(b))).isEqualTo(DeliveryFailure.MAILBOX_FULL);
    }

    @Test
    void aNodeWithAnAdvertHeldIsLearnedFirstAndItsMessagesFollowInOrder() {
        ResolvingGateway gateway = gateway(10, 10);
        NodeAdvert advert = withAddresses(b, 5002);
        directory.held.put(b, advert);
        network.holdLearns(true);
        Envelope m1 = to(b);
        Envelope m2 = to(b);
        Envelope m3 = to(b);

        assertThat(gateway.forward(m1)).isNull();
        assertThat(gateway.forward(m2)).isNull();
        assertThat(transport.forwarded).as("held until the Transport engine has the addresses").isEmpty();
        assertThat(network.learned()).containsExactly(new Learned(b, advert.addresses()));
        assertThat(gateway.held()).isEqualTo(2);
        network.completeLearns();
        assertThat(gateway.forward(m3)).isNull();

        assertThat(transport.forwarded).containsExactly(m1, m2, m3);
        assertThat(gateway.held()).isZero();
        assertThat(gateway.resolving()).isZero();
        assertThat(local.undeliverable).isEmpty();
    }

    @Test
    void anUnknownNodeIsLookedUpWhileItsMessagesWaitInOrder() {
        ResolvingGateway gateway = gateway(10, 10);
        Envelope m1 = to(b);
        Envelope m2 = to(b);

        gateway.forward(m1);
        gateway.forward(m2);
        assertThat(directory.lookups).containsOnlyKeys(b);
        NodeAdvert advert = withAddresses(b, 5002);
        directory.lookups.get(b).complete(Optional.of(advert));

        assertThat(network.learned()).containsExactly(new Learned(b, advert.addresses()));
        assertThat(transport.forwarded).containsExactly(m1, m2);
    }

    @Test
    void whenNoPeerKnowsTheNodeEachHeldMessageIsReportedNoRoute() {
        ResolvingGateway gateway = gateway(10, 10);
        Envelope m1 = to(b);
        Envelope m2 = to(b);
        gateway.forward(m1);
        gateway.forward(m2);

        directory.lookups.get(b).complete(Optional.empty());

        assertThat(local.undeliverable).extracting(Report::envelope).containsExactly(m1, m2);
        assertThat(local.undeliverable).extracting(Report::failure).containsOnly(DeliveryFailure.NO_ROUTE);
        assertThat(local.undeliverable.get(0).detail()).contains("no connected peer knows node " + b);
        assertThat(transport.forwarded).isEmpty();
        assertThat(gateway.resolving()).isZero();
    }

    @Test
    void aFailedLearnReportsTheHeldMessagesNoRoute() {
        ResolvingGateway gateway = gateway(10, 10);
        directory.held.put(b, withAddresses(b, 5002));
        network.holdLearns(true);
        Envelope m = to(b);
        gateway.forward(m);

        network.failLearns(new IllegalStateException("transport stopping"));

        assertThat(local.undeliverable).extracting(Report::envelope).containsExactly(m);
        assertThat(local.undeliverable.get(0).failure()).isEqualTo(DeliveryFailure.NO_ROUTE);
    }

    @Test
    void aRefusalFoundAfterResolvingIsReportedToTheSender() {
        ResolvingGateway gateway = gateway(10, 10);
        Envelope m = to(b);
        gateway.forward(m);
        transport.refusal = DeliveryFailure.MAILBOX_FULL;

        directory.lookups.get(b).complete(Optional.of(withAddresses(b, 5002)));

        assertThat(local.undeliverable).singleElement().satisfies(r -> {
            assertThat(r.envelope()).isSameAs(m);
            assertThat(r.failure()).isEqualTo(DeliveryFailure.MAILBOX_FULL);
        });
    }

    @Test
    void anEdgeNodeIsReachedThroughTheRelayRoute() {
        ResolvingGateway gateway = gateway(10, 10);
        installedRelay = relayRoute;
        NodeAdvert advert = relayOnly(edge);
        directory.held.put(edge, advert);
        Envelope m = to(edge);

        assertThat(gateway.forward(m)).isNull();

        assertThat(relayRoute.forwarded).containsExactly(m);
        assertThat(relayRoute.adverts).containsExactly(advert);
        assertThat(transport.forwarded).isEmpty();
        assertThat(network.learned()).isEmpty();
    }

    @Test
    void anEdgeNodeConnectedNowIsReachedDirectly() {
        ResolvingGateway gateway = gateway(10, 10);
        installedRelay = relayRoute;
        directory.held.put(edge, relayOnly(edge));
        network.connect(edge);
        Envelope m = to(edge);

        gateway.forward(m);

        assertThat(transport.forwarded).containsExactly(m);
        assertThat(relayRoute.forwarded).isEmpty();
    }

    @Test
    void anEdgeNodeWithoutARelayRouteInstalledHasNoRoute() {
        ResolvingGateway gateway = gateway(10, 10);
        directory.held.put(edge, relayOnly(edge));

        assertThat(gateway.forward(to(edge))).isEqualTo(DeliveryFailure.NO_ROUTE);
    }

    @Test
    void anEdgeNodeFoundByLookupGetsItsHeldMessagesThroughTheRelayInOrder() {
        ResolvingGateway gateway = gateway(10, 10);
        installedRelay = relayRoute;
        Envelope m1 = to(edge);
        Envelope m2 = to(edge);
        gateway.forward(m1);
        gateway.forward(m2);

        directory.lookups.get(edge).complete(Optional.of(relayOnly(edge)));

        assertThat(relayRoute.forwarded).containsExactly(m1, m2);
    }

    @Test
    void anAdvertWithNeitherAddressNorRelayLeavesNoRoute() {
        ResolvingGateway gateway = gateway(10, 10);
        Envelope m = to(b);
        gateway.forward(m);

        directory.lookups.get(b).complete(Optional.of(new NodeAdvert(new AdvertContent(b, List.of(), List.of(), 1, 1, 1, NOW,
                NOW.plusSeconds(60)), new byte[64])));

        assertThat(local.undeliverable).extracting(Report::failure).containsExactly(DeliveryFailure.NO_ROUTE);
    }

    @Test
    void holdingIsBoundedPerNodeAndInNodes() {
        ResolvingGateway gateway = gateway(2, 1);

        assertThat(gateway.forward(to(b))).isNull();
        assertThat(gateway.forward(to(b))).isNull();
        assertThat(gateway.forward(to(b))).as("a third message for b").isEqualTo(DeliveryFailure.MAILBOX_FULL);
        assertThat(gateway.forward(to(edge))).as("a second node resolved at once").isEqualTo(DeliveryFailure.MAILBOX_FULL);
        assertThat(gateway.held()).isEqualTo(2);

        directory.lookups.get(b).complete(Optional.of(withAddresses(b, 5002)));
        assertThat(gateway.forward(to(edge))).as("room again").isNull();
    }

    @Test
    void closingReportsWhatIsHeldAndRefusesNewUnresolvedMessages() {
        ResolvingGateway gateway = gateway(10, 10);
        Envelope m = to(b);
        gateway.forward(m);

        gateway.close();
        directory.lookups.get(b).complete(Optional.of(withAddresses(b, 5002))); // too late: already reported

        assertThat(local.undeliverable).extracting(Report::envelope).containsExactly(m);
        assertThat(transport.forwarded).isEmpty();
        assertThat(gateway.forward(to(edge))).isEqualTo(DeliveryFailure.NO_ROUTE);
    }

    // ------------------------------------------------------------------------------------------------ fakes

    private static final class Transport implements RemoteGateway {
        final List<Envelope> forwarded = new ArrayList<>();
        DeliveryFailure refusal;

        @Override
        public DeliveryFailure forward(Envelope envelope) {
            if (refusal != null) {
                return refusal;
            }
            forwarded.add(envelope);
            return null;
        }
    }

    private static final class Relay implements RelayRoute {
        final List<Envelope> forwarded = new ArrayList<>();
        final List<NodeAdvert> adverts = new ArrayList<>();

        @Override
        public DeliveryFailure forward(Envelope envelope, NodeAdvert advert) {
            forwarded.add(envelope);
            adverts.add(advert);
            return null;
        }
    }

    private record Report(Envelope envelope, DeliveryFailure failure, String detail) {
    }

    private static final class Local implements LocalDelivery {
        final List<Report> undeliverable = new ArrayList<>();

        @Override
        public long nextMessageId() {
            return 1;
        }

        @Override
        public void deliver(Envelope envelope) {
            throw new AssertionError("nothing is delivered locally here");
        }

        @Override
        public DeliveryFailure offer(Envelope envelope) {
            throw new AssertionError("nothing is delivered locally here");
        }

        @Override
        public void undeliverable(Envelope envelope, DeliveryFailure failure, String detail) {
            undeliverable.add(new Report(envelope, failure, detail));
        }
    }

    /** Adverts held, and lookups the test completes. */
    private static final class Directory implements AdvertDirectory {
        final Map<NodeId, NodeAdvert> held = new HashMap<>();
        final Map<NodeId, CompletableFuture<Optional<NodeAdvert>>> lookups = new HashMap<>();

        @Override
        public long ownVersion() {
            return 0;
        }

        @Override
        public Optional<NodeAdvert> own() {
            return Optional.empty();
        }

        @Override
        public long knownVersion(NodeId node) {
            return held.containsKey(node) ? held.get(node).version() : 0;
        }

        @Override
        public Optional<NodeAdvert> find(NodeId node) {
            return Optional.ofNullable(held.get(node));
        }

        @Override
        public CompletionStage<Optional<NodeAdvert>> lookup(NodeId node) {
            if (lookups.containsKey(node)) {
                throw new AssertionError("a second lookup of " + node + " while the first is under way");
            }
            CompletableFuture<Optional<NodeAdvert>> f = new CompletableFuture<>();
            lookups.put(node, f);
            return f;
        }

        @Override
        public void useRelays(List<NodeId> relays, boolean advertiseAddresses) {
        }
    }
}
