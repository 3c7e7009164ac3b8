package io.hypha.features;

import java.util.List;
import java.util.Objects;

/**
 * What the node knows about one feature.
 *
 * @param name        the feature name (its file name without {@code .json})
 * @param id          the feature's id, Maven coordinates such as {@code io.hypha.features:core:0.1.0-SNAPSHOT}
 * @param description the feature's description, empty if it has none
 * @param installed   whether the feature is installed
 * @param bundles     the artifact ids of the bundles it lists, in file order (for an installed feature whose file
 *                    is gone: the bundles it needed, as {@code symbolic-name version})
 * @param source      the file that defines it, or empty if its file is gone
 */
public record FeatureInfo(String name, String id, String description, boolean installed, List<String> bundles, String source) {
    /** @throws NullPointerException if {@code name} is null */
    public FeatureInfo {
        Objects.requireNonNull(name, "name");
        id = id == null ? "" : id;
        description = description == null ? "" : description;
        bundles = List.copyOf(bundles);
        source = source == null ? "" : source;
    }
}
