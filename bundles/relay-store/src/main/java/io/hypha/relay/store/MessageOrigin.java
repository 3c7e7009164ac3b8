package io.hypha.relay.store;

import io.hypha.api.EngineAddress;
import io.hypha.api.NodeId;
import java.util.Objects;

/**
 * Who sent a stored message, kept beside it so that the relay can tell the sender when the message expires unread
 * (or is refused) without opening the envelope.
 *
 * @param node      the sending node
 * @param engine    the sending engine on that node, or {@code null} when the message came from outside any engine
 * @param messageId the message's id among the messages of {@code node}
 */
public record MessageOrigin(NodeId node, String engine, long messageId) {
    /** @throws IllegalArgumentException if the engine name is not a valid engine name */
    public MessageOrigin {
        Objects.requireNonNull(node, "node");
        if (engine != null) {
            EngineAddress.checkEngineName(engine);
        }
    }

    /** @return the sending engine's address, or {@code null} if there is no engine to tell */
    public EngineAddress sender() {
        return engine == null ? null : EngineAddress.of(node, engine);
    }
}
