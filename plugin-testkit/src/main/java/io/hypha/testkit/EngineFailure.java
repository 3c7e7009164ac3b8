package io.hypha.testkit;

import io.hypha.api.DeadLetter;
import io.hypha.api.DeliveryFailure;
import io.hypha.api.Envelope;
import java.time.Instant;
import java.util.Objects;

/**
 * An exception an engine threw from a callback, captured by the {@link EngineHarness} the way the runtime
 * captures it: logged, counted, and the engine goes on.
 *
 * @param callback which callback threw
 * @param message  the message being handled ({@code onMessage}), or the undelivered one
 *                 ({@code onUndeliverable}); {@code null} for a timer action
 * @param cause    what was thrown
 * @param at       the harness clock's time when it was thrown
 */
public record EngineFailure(Callback callback, Envelope message, Throwable cause, Instant at) {
    /** The engine callback in which an exception was thrown. */
    public enum Callback {
        /** {@link io.hypha.api.engine.Engine#onMessage}: the runtime dead-letters the message as {@code ENGINE_FAILED}. */
        ON_MESSAGE,
        /** {@link io.hypha.api.engine.Engine#onUndeliverable}. */
        ON_UNDELIVERABLE,
        /** A timer action from {@link io.hypha.api.engine.EngineContext#schedule} or {@code scheduleAtFixedRate}. */
        TIMER
    }

    /**
     * @param callback which callback threw
     * @param message  the message being handled, or {@code null} for a timer action
     * @param cause    what was thrown
     * @param at       when
     * @throws NullPointerException if {@code callback}, {@code cause} or {@code at} is null
     */
    public EngineFailure {
        Objects.requireNonNull(callback, "callback");
        Objects.requireNonNull(cause, "cause");
        Objects.requireNonNull(at, "at");
    }

    /**
     * @return the dead letter the runtime records for a failed {@code onMessage}: the message, {@code ENGINE_FAILED},
     *         the exception as detail
     * @throws IllegalStateException if the failure did not happen in {@code onMessage}
     */
    public DeadLetter deadLetter() {
        if (callback != Callback.ON_MESSAGE) {
            throw new IllegalStateException("only a failed onMessage dead-letters its message; this failure was in " + callback);
        }
        return new DeadLetter(message, DeliveryFailure.ENGINE_FAILED, cause.toString(), at);
    }

    /** @return an {@link AssertionError} that describes this failure, with the engine's exception as its cause */
    public AssertionError toAssertionError() {
        return new AssertionError("engine threw in " + callback + (message == null ? "" : " handling " + message) + ": " + cause, cause);
    }
}
