package io.hypha.features;

import java.util.List;
import java.util.Objects;

/**
 * What installing or uninstalling a feature changes. Bundles are named {@code symbolic-name version}.
 *
 * @param feature     the feature name
 * @param toInstall   bundles installed (in install order)
 * @param toStart     bundles started (in start order; fragments are never started)
 * @param toStop      bundles stopped
 * @param toUninstall bundles uninstalled
 * @param applied     {@code false} for a dry run, {@code true} once the change was made
 */
public record FeatureChange(String feature, List<String> toInstall, List<String> toStart, List<String> toStop,
                            List<String> toUninstall, boolean applied) {
    /** @throws NullPointerException if any component is null */
    public FeatureChange {
        Objects.requireNonNull(feature, "feature");
        toInstall = List.copyOf(toInstall);
        toStart = List.copyOf(toStart);
        toStop = List.copyOf(toStop);
        toUninstall = List.copyOf(toUninstall);
    }

    /** @return whether the change does nothing (the node already is as the feature asks) */
    public boolean isEmpty() {
        return toInstall.isEmpty() && toStart.isEmpty() && toStop.isEmpty() && toUninstall.isEmpty();
    }
}
