package io.hypha.features.internal;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * A parsed, checked feature file.
 *
 * @param name        the feature name (the file name without {@code .json})
 * @param id          the feature id as written in the file
 * @param description the description, empty if none
 * @param bundles     the bundles in file order
 * @param source      the file it was read from
 */
record FeatureDefinition(String name, String id, String description, List<Entry> bundles, Path source) {
    /** Bundles without a start-order start after those with one. */
    static final long NO_START_ORDER = Long.MAX_VALUE;

    FeatureDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(id, "id");
        description = description == null ? "" : description;
        bundles = List.copyOf(bundles);
        Objects.requireNonNull(source, "source");
    }

    /**
     * One bundle of a feature.
     *
     * @param coordinates where to find it
     * @param startOrder  its {@code start-order}, or {@link #NO_START_ORDER}
     * @param index       its position in the file, which breaks start-order ties
     */
    record Entry(ArtifactCoordinates coordinates, long startOrder, int index) {
    }

    /** @return the bundles sorted by start-order, ties (and bundles without one) in file order */
    List<Entry> inStartOrder() {
        return bundles.stream()
                .sorted(Comparator.comparingLong(Entry::startOrder).thenComparingInt(Entry::index))
                .toList();
    }
}
