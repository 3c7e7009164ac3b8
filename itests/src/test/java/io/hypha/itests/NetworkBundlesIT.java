package io.hypha.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import io.hypha.api.advert.AdvertDirectory;
import io.hypha.api.advert.NodeAdvert;
import io.hypha.api.engine.EngineDirectory;
import io.hypha.api.engine.EngineInfo;
import io.hypha.api.router.RelayRoute;
import io.hypha.api.router.RemoteGateway;
import io.hypha.api.transport.Network;
import java.util.Optional;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

/**
 * The NetRegistry and relay bundles on a real Felix with the real core and TLS bundles: the registry signs this
 * node's advert with the address the TLS transport listens on and puts its resolving gateway in front of the Transport
 * engine's; the relay bundle registers the relay route; each bundle stops cleanly (its services and engine go, routing
 * falls back to the Transport engine) and comes back; the advert is re-signed, with a higher version, when the node
 * stops or starts listening on a transport.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class NetworkBundlesIT extends HyphaTestSupport {
    private static final String REGISTRY_BSN = "io.hypha.netregistry";
    private static final String RELAY_BSN = "io.hypha.relay";

    @Configuration
    public Option[] config() {
        return new Option[] {
                platform(NetworkBundlesIT.class),
                coreBundles(),
                bundleFile("protobuf-java"),
                bundleFile("hypha-wire"),
                bundleFile("netty-common"),
                bundleFile("netty-buffer"),
                bundleFile("netty-resolver"),
                bundleFile("netty-transport"),
                bundleFile("netty-transport-native-unix-common"),
                bundleFile("netty-codec"),
                bundleFile("netty-handler"),
                bundleFile("hypha-transport-tls"),
                bundleFile("hypha-transport"),
                bundleFile("h2"),
                bundleFile("hypha-netregistry"),
                bundleFile("hypha-relay-store"),
                bundleFile("hypha-relay")};
    }

    @Test
    public void theRegistrySignsThisNodesAdvertAndResolvesInFrontOfTheTransportEngine() throws Exception {
        Network network = awaitService(Network.class, Await.DEFAULT);
        AdvertDirectory adverts = awaitService(AdvertDirectory.class, Await.DEFAULT);
        NodeAdvert own = Await.value("this node's advert, listing the TLS address it listens on", Await.DEFAULT,
                () -> adverts.own().filter(a -> a.addresses().stream()
                        .anyMatch(t -> t.uri().getScheme().equals("tls") && network.listening().contains(t.uri())))
                        .orElse(null));
        assertEquals(network.self(), own.node());
        assertEquals(own.version(), adverts.ownVersion());

        ServiceReference<RemoteGateway> first = bestGateway();
        assertEquals("the router gets the registry's gateway first", REGISTRY_BSN, first.getBundle().getSymbolicName());
        assertNotEquals(Network.TRANSPORT_GATEWAY, first.getProperty(Network.GATEWAY_PROPERTY));
        awaitEngine("netregistry");

        Bundle registry = requireBundle(REGISTRY_BSN);
        registry.stop();
        Await.until("the AdvertDirectory to go", Await.DEFAULT, () -> service(AdvertDirectory.class, null) == null);
        assertEquals("with the registry stopped, the Transport engine's gateway is the router's",
                Network.TRANSPORT_GATEWAY, bestGateway().getProperty(Network.GATEWAY_PROPERTY));
        Await.until("the netregistry engine to stop", Await.DEFAULT, () -> !running("netregistry"));

        registry.start();
        AdvertDirectory again = awaitService(AdvertDirectory.class, Await.DEFAULT);
        NodeAdvert kept = Await.value("the advert after the restart", Await.DEFAULT, () -> again.own().orElse(null));
        assertTrue("a restarted registry never goes back to a lower version", kept.version() >= own.version());
        assertEquals(REGISTRY_BSN, bestGateway().getBundle().getSymbolicName());

        // The operator removes the TLS transport: the node no longer listens there, so its advert is re-signed.
        Bundle tls = requireBundle("io.hypha.transport.tls");
        tls.stop();
        NodeAdvert without = Await.value("an advert without the TLS address", Await.DEFAULT, () -> again.own()
                .filter(a -> a.addresses().stream().noneMatch(t -> t.uri().getScheme().equals("tls"))).orElse(null));
        assertTrue("re-signed with a higher version", without.version() > kept.version());
        tls.start();
        NodeAdvert with = Await.value("an advert with the TLS address again", Await.DEFAULT, () -> again.own()
                .filter(a -> a.addresses().stream().anyMatch(t -> t.uri().getScheme().equals("tls"))).orElse(null));
        assertTrue("re-signed with a higher version", with.version() > without.version());
    }

    @Test
    public void theRelayBundleRegistersTheRelayRouteAndItsEngineAndTakesThemAwayWhenStopped() throws Exception {
        awaitService(RelayRoute.class, Await.DEFAULT);
        awaitEngine("relay");

        Bundle relay = requireBundle(RELAY_BSN);
        relay.stop();
        Await.until("the relay route to go", Await.DEFAULT, () -> service(RelayRoute.class, null) == null);
        Await.until("the relay engine to stop", Await.DEFAULT, () -> !running("relay"));
        assertNull(service(RelayRoute.class, null));

        relay.start();
        awaitService(RelayRoute.class, Await.DEFAULT);
        awaitEngine("relay");
    }

    private ServiceReference<RemoteGateway> bestGateway() throws Exception {
        return bundleContext.getServiceReferences(RemoteGateway.class, null).stream()
                .max(ServiceReference::compareTo).orElseThrow();
    }

    private void awaitEngine(String name) {
        Await.until("engine " + name + " to run", Await.DEFAULT, () -> running(name));
    }

    /** A stopped engine is SUSPENDED for the runtime's grace period before it disappears. */
    private boolean running(String name) {
        return engine(name).map(e -> e.state() == EngineInfo.State.RUNNING).orElse(false);
    }

    private Optional<EngineInfo> engine(String name) {
        EngineDirectory directory = service(EngineDirectory.class, null);
        return directory == null ? Optional.empty()
                : directory.engines().stream().filter(e -> e.name().equals(name)).findFirst();
    }
}
