package io.hypha.api.engine;

import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ProviderType;
import org.slf4j.Logger;

/**
 * What the platform gives an {@link Engine}: its address and the ways to talk to other engines.
 *
 * <p>All methods are non-blocking and thread-safe: they may be called from the engine's callbacks or from any
 * other thread (a console command, an I/O callback). Continuations of
 * {@link #request} stages and {@link #schedule} actions run on the engine's own turn, never concurrently with
 * its callbacks, so engine state needs no locks.
 */
@ProviderType
public interface EngineContext {
    /** @return this engine's address, with this node's id */
    EngineAddress self();

    /** @return this node's id */
    NodeId node();

    /**
     * Sends a one-way message that never expires.
     *
     * @param to      the destination; a local address ({@code node == null}) means this node
     * @param type    the message type
     * @param payload the payload; immutable; {@code byte[]} or {@code String} if it may leave the node
     */
    void send(EngineAddress to, String type, Object payload);

    /**
     * Sends a one-way message that expires after {@code ttl}. If it cannot be delivered,
     * {@link Engine#onUndeliverable} is called with the reason.
     *
     * @param to      the destination
     * @param type    the message type
     * @param payload the payload
     * @param ttl     how long the message stays deliverable
     */
    void send(EngineAddress to, String type, Object payload, Duration ttl);

    /**
     * Sends a request and returns its reply. The stage fails with a {@link io.hypha.api.DeliveryException} if the
     * request cannot be delivered ({@code NO_SUCH_ENGINE}, {@code MAILBOX_FULL}, ...) or no reply comes within
     * {@code timeout} ({@code TIMEOUT}). Its continuations run on this engine's turn. A request made outside the
     * engine's callbacks (from a console or I/O thread) may instead be completed by the thread that delivers its
     * reply, so that a caller blocked on it wakes sooner; its continuations still run on this engine's turn.
     *
     * @param to      the destination
     * @param type    the message type
     * @param payload the payload
     * @param timeout how long to wait for the reply; the request expires at the same time
     * @return the reply
     */
    CompletionStage<Envelope> request(EngineAddress to, String type, Object payload, Duration timeout);

    /**
     * Answers a message. Does nothing if the message has no sender.
     *
     * @param request the message being answered
     * @param type    the reply type
     * @param payload the reply payload
     */
    void reply(Envelope request, String type, Object payload);

    /**
     * Runs {@code action} once after {@code delay}, on this engine's turn.
     *
     * @param delay  the delay
     * @param action the action
     * @return a handle to cancel it
     */
    Timer schedule(Duration delay, Runnable action);

    /**
     * Runs {@code action} every {@code period}, first after {@code period}, on this engine's turn, until cancelled
     * or the engine stops.
     *
     * @param period the period
     * @param action the action
     * @return a handle to cancel it
     */
    Timer scheduleAtFixedRate(Duration period, Runnable action);

    /** @return the clock the platform uses for expiry and timers; tests may control it */
    InstantSource clock();

    /** @return a logger whose name carries the node and the engine */
    Logger log();
}
