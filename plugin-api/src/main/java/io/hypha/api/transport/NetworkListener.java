package io.hypha.api.transport;

import io.hypha.api.NodeId;
import java.net.URI;
import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Told what happens to this node's place in the network: register one as an OSGi service (whiteboard) and the
 * Transport engine calls it. The NetRegistry uses it to re-sign its advert when listening addresses change and to
 * exchange adverts with each peer that connects.
 *
 * <p>Calls come from the Transport engine's thread, in order; an implementation must return quickly and never block
 * (hand work to an engine by sending it a message). A listener that throws is logged and keeps being called.
 *
 * @since 1.1
 */
@ConsumerType
public interface NetworkListener {
    /**
     * The set of addresses this node listens on changed (a transport bundle came or went, or its configuration
     * changed). Also called once, with the current set, when the listener is added.
     *
     * @param addresses every listening address, {@code scheme://host:port}, in no particular order
     */
    default void listeningChanged(List<URI> addresses) {
    }

    /**
     * A session with a peer became usable (its handshake completed on a new connection).
     *
     * @param peer                the authenticated peer
     * @param peerAdvertVersion   the version of its own advert the peer announced in its handshake, 0 if none
     * @param knownOwnAdvertVersion the version of this node's advert the peer says it holds, 0 if none
     */
    default void peerConnected(NodeId peer, long peerAdvertVersion, long knownOwnAdvertVersion) {
    }

    /**
     * The last connection to a peer closed. Its session (and the messages it holds) stays until it expires or the
     * peer returns.
     *
     * @param peer the peer
     */
    default void peerDisconnected(NodeId peer) {
    }
}
