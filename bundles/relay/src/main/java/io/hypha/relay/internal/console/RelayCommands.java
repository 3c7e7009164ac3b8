package io.hypha.relay.internal.console;

import io.hypha.relay.internal.RelayAdmin;
import io.hypha.relay.internal.engine.RelaySnapshot;
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
 * The relay command in scope {@code hypha}: {@code relay}. It prints what {@link RelayText} makes of the engine's
 * snapshot to {@code System.out}, which Gogo routes to the calling session. Failures are {@link RelayCommandException}s
 * that say what to do; Gogo reports them and {@code ./hypha exec} exits non-zero.
 *
 * <p>The engine is an optional, dynamic reference: the command stays registered while it is absent and says so.
 */
@Component(service = RelayCommands.class)
@GogoCommand(scope = "hypha", function = {"relay"})
public final class RelayCommands {
    /** How long the snapshot is waited for. */
    static final long WAIT_MILLIS = 10_000;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile RelayAdmin admin;

    @Descriptor("show the relay engine: its roles; for a relay the registered edge nodes (online or not), the messages and"
            + " bytes stored for each against its quota, and counters (stored, refused by reason, forwarded, acknowledged,"
            + " expired); for an edge node its relays and registration state; for a sender the messages not yet confirmed"
            + " by a relay. Settings: conf/io.hypha.relay.cfg (serve=true, relays=tls://<nodeid>@host:port, quotas)")
    public void relay() throws RelayCommandException {
        System.out.print(relayText());
    }

    String relayText() throws RelayCommandException {
        RelayAdmin a = admin;
        if (a == null) {
            throw new RelayCommandException("the relay engine is not running: install feature relay (hypha:feature-install"
                    + " relay) and check that bundle io.hypha.relay is active (lb)");
        }
        try {
            RelaySnapshot s = a.snapshot().toCompletableFuture().get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            return RelayText.relay(s);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RelayCommandException("interrupted while waiting for the relay engine");
        } catch (TimeoutException e) {
            throw new RelayCommandException("the relay engine did not answer within " + WAIT_MILLIS + " ms (is the engine "
                    + "runtime running? hypha:engines)");
        } catch (ExecutionException e) {
            throw new RelayCommandException("the relay engine could not answer: " + e.getCause().getMessage());
        }
    }
}
