package io.hypha.netregistry.internal;

import io.hypha.api.DeliveryFailure;
import io.hypha.api.Envelope;
import io.hypha.api.advert.AdvertDirectory;
import io.hypha.api.router.LocalDelivery;
import io.hypha.api.router.RelayRoute;
import io.hypha.api.router.RemoteGateway;
import io.hypha.api.transport.Network;
import io.hypha.netregistry.internal.gateway.ResolvingGateway;
import io.hypha.netregistry.internal.registry.RegistrySettings;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers the {@link ResolvingGateway} as the node's {@link RemoteGateway}, ranked {@value #RANKING} so that the
 * router prefers it to the Transport engine's gateway, to which it hands messages for nodes it has resolved. Its
 * own {@value Network#GATEWAY_PROPERTY} is {@value #GATEWAY}, so it never binds to itself.
 *
 * <p>A separate component from the registry: it needs the Transport engine's gateway and {@link LocalDelivery}, which
 * the registry does not, and when either goes away only routing by node id stops (the router falls back to the
 * Transport engine's gateway), not the registry. It reads the holding bounds of configuration
 * {@code io.hypha.netregistry}; a change applies at once.
 */
@Component(service = RemoteGateway.class, configurationPid = NetRegistryComponent.PID,
        property = {"service.ranking:Integer=" + GatewayComponent.RANKING, Network.GATEWAY_PROPERTY + "=" + GatewayComponent.GATEWAY})
public final class GatewayComponent implements RemoteGateway {
    /** Service ranking: above the Transport engine's gateway (0). */
    public static final int RANKING = 10;
    /** This gateway's {@value Network#GATEWAY_PROPERTY}. */
    public static final String GATEWAY = "registry";

    private static final Logger LOG = LoggerFactory.getLogger(GatewayComponent.class);

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile RelayRoute relay;

    private final ResolvingGateway gateway;

    /**
     * @param config    the registry's configuration (holding bounds)
     * @param transport the Transport engine's gateway
     * @param network   the Transport engine's view of the network
     * @param directory the NetRegistry
     * @param local     where refusals found later are reported
     */
    @Activate
    public GatewayComponent(NetRegistryComponent.Config config,
                            @Reference(target = "(" + Network.GATEWAY_PROPERTY + "=" + Network.TRANSPORT_GATEWAY + ")")
                            RemoteGateway transport,
                            @Reference Network network, @Reference AdvertDirectory directory, @Reference LocalDelivery local) {
        RegistrySettings settings = NetRegistryComponent.settings(config, null);
        this.gateway = new ResolvingGateway(transport, network, directory, local, () -> relay,
                settings.holdMessagesPerNode(), settings.holdNodes());
        LOG.info("node {}: resolving gateway installed (messages to nodes known only by id are resolved through adverts)",
                network.self().shortForm());
    }

    /** @param config the changed configuration: new holding bounds */
    @Modified
    void modified(NetRegistryComponent.Config config) {
        RegistrySettings settings = NetRegistryComponent.settings(config, null);
        gateway.bounds(settings.holdMessagesPerNode(), settings.holdNodes());
    }

    /** Reports the messages still held as NO_ROUTE. */
    @Deactivate
    void deactivate() {
        gateway.close();
    }

    @Override
    public DeliveryFailure forward(Envelope envelope) {
        return gateway.forward(envelope);
    }

    @Override
    public String toString() {
        return gateway.toString();
    }
}
