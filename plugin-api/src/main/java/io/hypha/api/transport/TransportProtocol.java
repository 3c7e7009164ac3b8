package io.hypha.api.transport;

import io.hypha.api.NodeId;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Moves opaque frames between this node and authenticated peers over one kind of network ({@code quic},
 * {@code tls}, ...). The Router decides who receives a message and an Engine what it does; a transport protocol
 * only says how the bytes move.
 *
 * <p>Register an implementation as an OSGi service with the {@link #SCHEME} property. The Transport engine calls
 * {@link #listen} for each configured address and {@link #dial} to reach peers.
 *
 * <h2>What an implementation must do</h2>
 * <ul>
 *   <li>Authenticate both ends with {@link TransportCredentials}: present its certificate, verify the peer's with
 *       {@link TransportCredentials#verifyPeer}, and refuse a peer other than the one dialled.</li>
 *   <li>Encrypt everything on the wire.</li>
 *   <li>Deliver each frame whole, or not at all; refuse frames over {@link TransportContext#maxFrameSize()}.</li>
 *   <li>Never block the caller: {@code dial} and {@code listen} return stages; handler callbacks must not be
 *       called while holding locks the caller might need.</li>
 *   <li>Release every socket and thread when its listening endpoints and connections are closed.</li>
 * </ul>
 */
@ConsumerType
public interface TransportProtocol {
    /** Service property: the URI scheme this protocol serves, for example {@code quic}. */
    String SCHEME = "hypha.transport.scheme";

    /** @return the URI scheme this protocol serves */
    String scheme();

    /** @return what this protocol guarantees */
    TransportCapabilities capabilities();

    /**
     * Starts accepting connections. Each authenticated inbound connection is announced with
     * {@link ConnectionHandler#onConnected}.
     *
     * @param bindAddress where to listen, for example {@code quic://127.0.0.1:0} (port 0: any free port)
     * @param context     credentials, limits and the handler for inbound connections
     * @return the endpoint, with the address actually bound; fails with a {@link TransportException}
     */
    CompletionStage<ListeningEndpoint> listen(URI bindAddress, TransportContext context);

    /**
     * Opens an authenticated connection to a peer.
     *
     * @param address      the peer's address in this protocol's scheme
     * @param expectedPeer the node that must answer; any other identity is refused with
     *                     {@link TransportError#AUTHENTICATION_FAILED}; {@code null} accepts any authenticated
     *                     peer (an operator connecting to an address whose node id is not known yet)
     * @param context      credentials, limits and the handler for the connection's frames
     * @return the connection once authenticated; fails with a {@link TransportException}
     */
    CompletionStage<Connection> dial(URI address, NodeId expectedPeer, TransportContext context);

    /**
     * Counters for operators: connections, frames, bytes, and refusals or drops by reason. Keys are dotted lower-case
     * names (for example {@code closed.authentication_failed}); values only grow while the protocol is active.
     *
     * @return a snapshot of the counters; empty if the protocol keeps none
     */
    default Map<String, Long> metrics() {
        return Map.of();
    }
}
