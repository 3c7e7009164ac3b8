package io.hypha.api.engine;

import io.hypha.api.DeadLetter;
import io.hypha.api.Envelope;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * An actor on a node: it decides what a message does. The {@link io.hypha.api.router.Router} decides who receives
 * a message; a {@link io.hypha.api.transport.TransportProtocol} moves the bytes.
 *
 * <p>Register an implementation as an OSGi service with the {@link #NAME} property (use {@link EngineName}). The
 * engine runtime then guarantees:
 * <ul>
 *   <li>the callbacks of one engine never run concurrently, and each sees the effects of the previous one;</li>
 *   <li>messages from one sender are handled in the order they were sent;</li>
 *   <li>{@link #onStart} runs before the first message and {@link #onStop} after the last.</li>
 * </ul>
 *
 * <h2>Pitfalls</h2>
 * <ul>
 *   <li>Never block in a callback (no I/O, no {@code Future.get}, no sleeping): the thread is shared with other
 *       engines. Use {@link EngineContext#request} and {@link EngineContext#schedule} instead.</li>
 *   <li>An exception thrown from {@link #onMessage} is logged and counted; the message is dead-lettered with
 *       {@link io.hypha.api.DeliveryFailure#ENGINE_FAILED} and the engine goes on with the next one.</li>
 *   <li>When the engine's bundle is updated, messages wait for the new instance; keep state you need across
 *       updates outside the engine object (a store), since the new instance starts empty.</li>
 * </ul>
 */
@ConsumerType
public interface Engine {
    /** Service property naming the engine; its value is the engine name (see {@link io.hypha.api.EngineAddress}). */
    String NAME = "hypha.engine.name";

    /** Optional service property (integer) overriding the runtime's default mailbox capacity for this engine. */
    String MAILBOX_CAPACITY = "hypha.engine.mailbox.capacity";

    /**
     * Called once before the first message, on the engine's turn.
     *
     * @param ctx the engine's context, valid until {@link #onStop}
     */
    default void onStart(EngineContext ctx) {
    }

    /**
     * Handles one message.
     *
     * @param message the message
     * @param ctx     the engine's context
     * @throws Exception to report a failure; the message is then dead-lettered as {@code ENGINE_FAILED}
     */
    void onMessage(Envelope message, EngineContext ctx) throws Exception;

    /**
     * Called when a message this engine sent could not be delivered (one-way sends only; a failed
     * {@link EngineContext#request} fails its returned stage instead).
     *
     * @param letter the undelivered message and why
     * @param ctx    the engine's context
     */
    default void onUndeliverable(DeadLetter letter, EngineContext ctx) {
    }

    /**
     * Called once after the last message, when the service goes away.
     *
     * @param ctx the engine's context
     */
    default void onStop(EngineContext ctx) {
    }
}
