package io.hypha.api.engine;

import io.hypha.api.DeadLetter;
import io.hypha.api.DeliveryFailure;
import java.util.List;
import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Messages this node could not deliver. The log keeps the most recent ones (a bounded ring, size configurable)
 * and counts all of them by reason. Implemented by the platform.
 */
@ProviderType
public interface DeadLetterLog {
    /**
     * @param limit at most this many
     * @return the most recent dead letters, oldest first
     */
    List<DeadLetter> recent(int limit);

    /** @return how many messages were dead-lettered since start, by reason (every reason present, zero if none) */
    Map<DeliveryFailure, Long> counts();
}
