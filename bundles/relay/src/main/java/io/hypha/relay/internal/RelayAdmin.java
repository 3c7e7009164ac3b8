package io.hypha.relay.internal;

import io.hypha.relay.internal.engine.RelaySnapshot;
import java.util.concurrent.CompletionStage;

/** What the console asks the relay engine. Registered by {@link RelayComponent}, used by the {@code hypha:relay} command. */
public interface RelayAdmin {
    /** @return a consistent view of the relay engine, taken on its turn; fails if the engine is stopped */
    CompletionStage<RelaySnapshot> snapshot();
}
