package io.hypha.api.engine;

import org.osgi.annotation.versioning.ProviderType;

/** A scheduled action of an engine; see {@link EngineContext#schedule}. */
@ProviderType
public interface Timer {
    /**
     * Cancels the timer. An action that has not started yet will not run. Idempotent.
     *
     * @return whether this call cancelled a pending action
     */
    boolean cancel();

    /** @return whether the timer was cancelled or, for a one-shot timer, has fired */
    boolean isDone();
}
