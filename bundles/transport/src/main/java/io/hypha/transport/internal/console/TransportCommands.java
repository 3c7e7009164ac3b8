package io.hypha.transport.internal.console;

import io.hypha.api.NodeId;
import io.hypha.transport.internal.AdminException;
import io.hypha.transport.internal.AdminFailure;
import io.hypha.transport.internal.TransportAdmin;
import io.hypha.transport.internal.TransportSnapshot;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
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
 * The transport commands in scope {@code hypha}: {@code listen}, {@code connect}, {@code peers}, {@code ping} and
 * {@code transports}. Each public method is a command: it computes its text with {@link TransportText} and prints it
 * to {@code System.out}, which Gogo routes to the calling session. Failures are {@link AdminException}s whose message
 * says what happened and what to do; Gogo reports them and {@code ./hypha exec} exits non-zero.
 *
 * <p>The engine is an optional, dynamic reference: the commands stay registered while it is absent and say so.
 */
@Component(service = TransportCommands.class)
@GogoCommand(scope = "hypha", function = {"listen", "connect", "peers", "ping", "transports"})
public final class TransportCommands {
    /** How long {@code connect} waits; the engine's handshake timeout normally answers first. */
    static final long CONNECT_WAIT_MILLIS = 30_000;
    /** How long one ping, or a snapshot, is waited for; the engine's own timeout normally answers first. */
    static final long WAIT_MILLIS = 15_000;
    /** Most pings one command sends. */
    static final int MAX_PINGS = 1000;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile TransportAdmin admin;

    @Descriptor("print the addresses this node listens on, one scheme://host:port per line")
    public void listen() throws AdminException {
        System.out.print(TransportText.listen(admin().listening()));
    }

    @Descriptor("connect to a node and keep it connected (re-dialled with backoff when the connection drops);"
            + " prints the node id of the peer reached")
    public void connect(
            @Descriptor("scheme://host:port, or scheme://nodeid@host:port to require that node (e.g. tls://127.0.0.1:4001)")
            String uri) throws AdminException {
        System.out.print(connectText(uri));
    }

    @Descriptor("list the remote nodes this node has sessions with: state, protocol, address, RTT, queued and unacknowledged messages")
    public void peers() throws AdminException {
        System.out.print(TransportText.peers(await(admin().snapshot(), WAIT_MILLIS, "the peer list").peers()));
    }

    @Descriptor("measure the round-trip time to a connected node, once")
    public void ping(@Descriptor("the node id, or the start of a peer's node id") String node) throws AdminException {
        ping(node, 1);
    }

    @Descriptor("measure the round-trip time to a connected node, count times")
    public void ping(
            @Descriptor("the node id, or the start of a peer's node id") String node,
            @Descriptor("how many pings to send, one after the other (1 to " + MAX_PINGS + ")") int count) throws AdminException {
        System.out.print(pingText(node, count));
    }

    @Descriptor("list the installed transport protocols with their listening addresses and counters: messages, bytes,"
            + " drops and refused connections by reason")
    public void transports() throws AdminException {
        System.out.print(TransportText.transports(await(admin().snapshot(), WAIT_MILLIS, "the transport counters")));
    }

    String connectText(String uri) throws AdminException {
        URI address;
        try {
            address = new URI(uri.trim());
        } catch (URISyntaxException e) {
            throw new AdminException(AdminFailure.BAD_ADDRESS, "'" + uri + "' is not an address: use scheme://host:port,"
                    + " e.g. tls://127.0.0.1:4001");
        }
        return TransportText.connected(await(admin().connect(address), CONNECT_WAIT_MILLIS, "the connection to " + uri));
    }

    String pingText(String node, int count) throws AdminException {
        if (count < 1 || count > MAX_PINGS) {
            throw new AdminException(AdminFailure.BAD_ADDRESS, "count must be 1 to " + MAX_PINGS + ", got " + count);
        }
        TransportAdmin a = admin();
        NodeId peer;
        try {
            peer = TransportText.resolveNode(node, await(a.snapshot(), WAIT_MILLIS, "the peer list").peers());
        } catch (IllegalArgumentException e) {
            throw new AdminException(AdminFailure.UNKNOWN_PEER, e.getMessage());
        }
        StringBuilder out = new StringBuilder();
        List<Long> rtts = new ArrayList<>();
        AdminException last = null;
        for (int i = 1; i <= count; i++) {
            try {
                TransportAdmin.PingResult r = await(a.ping(peer), WAIT_MILLIS, "the pong");
                rtts.add(r.rttMicros());
                out.append(TransportText.pong(r, i));
            } catch (AdminException e) {
                last = e;
                out.append("ping ").append(i).append(": ").append(e.getMessage()).append('\n');
            }
        }
        if (rtts.isEmpty() && last != null) {
            throw count == 1 ? last : new AdminException(last.failure(), out + TransportText.pingSummary(count, rtts).trim());
        }
        return out.append(TransportText.pingSummary(count, rtts)).toString();
    }

    private TransportAdmin admin() throws AdminException {
        TransportAdmin a = admin;
        if (a == null) {
            throw new AdminException(AdminFailure.NOT_RUNNING, "the transport engine is not running: install feature core"
                    + " (hypha:feature-install core) and check that bundle io.hypha.transport is active (lb)");
        }
        return a;
    }

    private static <T> T await(CompletionStage<T> stage, long millis, String what) throws AdminException {
        try {
            return stage.toCompletableFuture().get(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AdminException(AdminFailure.TIMEOUT, "interrupted while waiting for " + what);
        } catch (TimeoutException e) {
            throw new AdminException(AdminFailure.TIMEOUT, what + " did not come within " + millis + " ms");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AdminException ae) {
                throw ae;
            }
            throw new AdminException(AdminFailure.UNREACHABLE, what + " failed: " + e.getCause());
        }
    }

    /** @return the snapshot, for tests */
    TransportSnapshot snapshot() throws AdminException {
        return await(admin().snapshot(), WAIT_MILLIS, "the snapshot");
    }
}
