package io.hypha.api.engine;

/**
 * A snapshot of one engine's mailbox, for the console and metrics.
 *
 * @param name      the engine name
 * @param state     whether it is running, or waiting for its bundle to come back
 * @param bundle    the symbolic name of the bundle that registered it (empty while suspended)
 * @param queued    messages waiting in its mailbox
 * @param capacity  the mailbox bound
 * @param processed messages handled since the node started
 * @param failed    messages whose handling threw
 */
public record EngineInfo(String name, State state, String bundle, int queued, int capacity, long processed, long failed) {
    /** Lifecycle state of an engine's mailbox. */
    public enum State {
        /** The engine service is registered and receiving messages. */
        RUNNING,
        /** The engine service went away; messages wait for it within the grace period. */
        SUSPENDED
    }
}
