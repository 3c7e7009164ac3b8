package io.hypha.api.engine;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/** The engines hosted on this node, as the engine runtime sees them. Implemented by the platform. */
@ProviderType
public interface EngineDirectory {
    /** @return a snapshot of every engine, running or suspended, sorted by name */
    List<EngineInfo> engines();
}
