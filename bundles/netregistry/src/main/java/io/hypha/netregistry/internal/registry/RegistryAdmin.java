package io.hypha.netregistry.internal.registry;

import io.hypha.api.NodeId;
import io.hypha.api.advert.NodeAdvert;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * What the console asks of the NetRegistry: a snapshot of what it holds and counts, and lookups. Registered as a
 * service by the registry component for the commands component of the same bundle. Thread-safe.
 */
public interface RegistryAdmin {
    /** @return what the registry holds and counts now */
    RegistrySnapshot snapshot();

    /**
     * @param node a node
     * @return its advert, held here or found through connected peers; empty if none knew it
     */
    CompletionStage<Optional<NodeAdvert>> lookup(NodeId node);

    /** @return how long a lookup waits for peers' answers */
    Duration lookupTimeout();
}
