package io.hypha.transport.internal;

import io.hypha.api.NodeId;
import io.hypha.api.advert.AdvertDirectory;
import io.hypha.api.advert.TransportAddress;
import io.hypha.api.transport.Network;
import io.hypha.api.transport.NetworkListener;
import io.hypha.api.transport.TransportError;
import io.hypha.api.transport.TransportException;
import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The Transport engine's face for the bundles above it: registers {@link Network}, collects {@link NetworkListener}
 * services (whiteboard) and takes the {@link AdvertDirectory} whose versions the handshake announces. A component of
 * its own so that the NetRegistry (which needs {@link Network} and provides {@link AdvertDirectory} and a listener)
 * forms no reference cycle with the engine: both references here are optional and dynamic.
 */
@Component(service = Network.class, immediate = true)
public final class NetworkComponent implements Network {
    private final TransportAdmin admin;

    /** @param admin the running Transport engine */
    @Activate
    public NetworkComponent(@Reference TransportAdmin admin) {
        this.admin = admin;
    }

    /** @param listener a listener that appeared */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, unbind = "removeListener")
    void addListener(NetworkListener listener) {
        admin.addListener(listener);
    }

    void removeListener(NetworkListener listener) {
        admin.removeListener(listener);
    }

    /** @param directory the NetRegistry's adverts */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, unbind = "unsetAdverts")
    void setAdverts(AdvertDirectory directory) {
        admin.useAdverts(directory);
    }

    void unsetAdverts(AdvertDirectory directory) {
        admin.useAdverts(null);
    }

    @Override
    public NodeId self() {
        return admin.self();
    }

    @Override
    public List<URI> listening() {
        return admin.listening();
    }

    @Override
    public Set<NodeId> connected() {
        return admin.connectedPeers();
    }

    @Override
    public boolean knows(NodeId node) {
        return admin.knows(node);
    }

    @Override
    public CompletionStage<Void> learn(NodeId node, List<TransportAddress> addresses) {
        return admin.learnAdvertised(node, addresses);
    }

    @Override
    public CompletionStage<NodeId> connect(URI address) {
        CompletableFuture<NodeId> result = new CompletableFuture<>();
        admin.connect(address).whenComplete((r, failure) -> {
            if (failure == null) {
                result.complete(r.node());
            } else {
                Throwable cause = failure instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                        ? c.getCause() : failure;
                result.completeExceptionally(cause instanceof TransportException t ? t : new TransportException(
                        errorOf(cause), "cannot connect to " + address + ": " + cause.getMessage(), cause));
            }
        });
        return result;
    }

    private static TransportError errorOf(Throwable cause) {
        if (cause instanceof AdminException e) {
            return switch (e.failure()) {
                case BAD_ADDRESS, SELF, NO_PROTOCOL -> TransportError.BAD_ADDRESS;
                case TIMEOUT -> TransportError.TIMEOUT;
                case NOT_RUNNING -> TransportError.CLOSED;
                default -> TransportError.UNREACHABLE;
            };
        }
        return TransportError.UNREACHABLE;
    }
}
