package io.hypha.relay.internal.engine;

import io.hypha.api.NodeId;
import io.hypha.relay.internal.wire.RelayMessage;
import org.slf4j.Logger;

/**
 * What the engine's roles use to act: send relay messages, hand work to the engine's turn, read the time. Implemented
 * by {@link RelayEngine}; every method but {@link #post} is called on the engine's turn.
 */
interface Port {
    /** @return this node */
    NodeId self();

    /** @return the time in epoch milliseconds */
    long now();

    /**
     * Sends a relay message to the relay engine of {@code node}.
     *
     * @param node      the node ({@link #self()} for this one)
     * @param message   the message
     * @param expiresAt its expiry, {@link io.hypha.api.Envelope#NEVER} for none
     */
    void send(NodeId node, RelayMessage message, long expiresAt);

    /**
     * Sends a relay message that expires after the protocol TTL.
     *
     * @param node    the node
     * @param message the message
     */
    void sendControl(NodeId node, RelayMessage message);

    /**
     * Runs {@code task} on the engine's turn. Thread-safe; never blocks.
     *
     * @param task the task
     */
    void post(Runnable task);

    /**
     * Runs {@code task} on the engine's turn after {@code millis}.
     *
     * @param millis the delay
     * @param task   the task
     */
    void later(long millis, Runnable task);

    /** @return the engine's logger */
    Logger log();
}
