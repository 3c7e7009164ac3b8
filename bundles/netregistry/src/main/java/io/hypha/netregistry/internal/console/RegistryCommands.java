package io.hypha.netregistry.internal.console;

import io.hypha.api.NodeId;
import io.hypha.api.advert.NodeAdvert;
import io.hypha.netregistry.internal.registry.RegistryAdmin;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The registry commands in scope {@code hypha}: {@code adverts} and {@code lookup}. Each public method is a command
 * that prints its text (from {@link RegistryText}) to {@code System.out}, which Gogo routes to the calling session.
 * Failures are {@link RegistryCommandException}s whose message says what happened; Gogo reports them and
 * {@code ./hypha exec} exits non-zero.
 *
 * <p>The registry is an optional, dynamic reference: the commands stay registered while it is absent and say so.
 */
@Component(service = RegistryCommands.class)
@GogoCommand(scope = "hypha", function = {"adverts", "lookup"})
public final class RegistryCommands {
    /** Time a lookup may take beyond the registry's own lookup timeout before the command gives up. */
    static final long GRACE_MILLIS = 5_000;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile RegistryAdmin admin;

    @Descriptor("list the node adverts held: this node's own, then one line per node (node id, version, addresses with"
            + " weights, relays, expiry); then refused adverts by reason, counters and seeds")
    public void adverts() throws RegistryCommandException {
        System.out.print(RegistryText.adverts(admin().snapshot()));
    }

    @Descriptor("find a node's advert: the one held here, or else ask the connected peers; prints it, or fails saying no"
            + " peer knew the node")
    public void lookup(@Descriptor("the node id, or the start of the node id of an advert held here") String node)
            throws RegistryCommandException {
        System.out.print(lookupText(node));
    }

    String lookupText(String text) throws RegistryCommandException {
        RegistryAdmin a = admin();
        NodeId node;
        try {
            node = RegistryText.resolveNode(text, a.snapshot().adverts());
        } catch (IllegalArgumentException e) {
            throw new RegistryCommandException(RegistryCommandException.Failure.BAD_NODE, e.getMessage());
        }
        long timeout = a.lookupTimeout().toMillis();
        Optional<NodeAdvert> found;
        try {
            found = a.lookup(node).toCompletableFuture().get(timeout + GRACE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryCommandException(RegistryCommandException.Failure.INTERRUPTED, "interrupted while looking up " + node);
        } catch (ExecutionException | TimeoutException e) {
            found = Optional.empty(); // a lookup never fails; treat a stuck one as unanswered
        }
        if (found.isEmpty()) {
            throw new RegistryCommandException(RegistryCommandException.Failure.NOT_FOUND, RegistryText.notFound(node, timeout));
        }
        return RegistryText.found(found.get());
    }

    private RegistryAdmin admin() throws RegistryCommandException {
        RegistryAdmin a = admin;
        if (a == null) {
            throw new RegistryCommandException(RegistryCommandException.Failure.NOT_RUNNING, "the NetRegistry is not"
                    + " running: install feature core (hypha:feature-install core) and check that bundle"
                    + " io.hypha.netregistry is active (lb) and its log has no error");
        }
        return a;
    }
}
