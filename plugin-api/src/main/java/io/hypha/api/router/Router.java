package io.hypha.api.router;

import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Decides who receives a message: a local engine or, through a {@link RemoteGateway}, an engine on another node.
 * An {@link io.hypha.api.engine.Engine} decides what the message does; a transport moves its bytes.
 *
 * <p>Engines do not call the router directly: their {@link io.hypha.api.engine.EngineContext} does. Code outside
 * engines (console commands, transports delivering inbound messages) uses it to inject messages.
 */
@ProviderType
public interface Router {
    /** @return this node's id */
    NodeId localNode();

    /** @return a fresh message id, unique among this node's messages since it started */
    long nextMessageId();

    /**
     * Routes a message. Never blocks and never throws for a delivery failure: an undeliverable message becomes a
     * dead letter with its reason, and a local sending engine is told through
     * {@link io.hypha.api.engine.Engine#onUndeliverable}.
     *
     * @param envelope the message; a destination without a node, or with this node's id, is local
     */
    void route(Envelope envelope);
}
