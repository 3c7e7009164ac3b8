package io.hypha.features.internal;

import io.hypha.features.FeatureChange;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Works out what installing or uninstalling a feature changes, from the feature, the bundles present and the
 * recorded state. Pure: it reads snapshots and touches nothing, so a dry run and a real run share the same plan.
 *
 * <p>Rules: a bundle whose symbolic name and version is already present is reused, wherever it came from, and is
 * never owned by the feature. A feature removes only bundles it owns (installed itself); one that another
 * installed feature still needs is kept and its ownership passes to that feature.
 */
final class Planner {
    private Planner() {
    }

    /**
     * What installing (or re-applying) a feature does.
     *
     * @param feature   the feature name
     * @param featureId the feature id
     * @param install   bundles to install, in start order
     * @param start     bundles to start afterwards, in start order (never fragments)
     * @param requires  every bundle the feature needs, in start order
     * @param kept      bundles the feature already owns and still needs
     * @param release   bundles it owns but no longer lists (re-applying a changed feature)
     */
    record InstallPlan(String feature, String featureId, List<BundleArtifact> install, List<BundleKey> start,
                       List<BundleKey> requires, List<PresentBundle> kept, Release release) {
        /** @param applied whether the plan was carried out @return the change for operators */
        FeatureChange change(boolean applied) {
            return new FeatureChange(feature, install.stream().map(a -> a.key().toString()).toList(),
                    start.stream().map(BundleKey::toString).toList(), release.stopNames(), release.removeNames(), applied);
        }
    }

    /**
     * What uninstalling a feature does.
     *
     * @param feature the feature name
     * @param release its bundles: removed, or handed to other features
     */
    record UninstallPlan(String feature, Release release) {
        /** @param applied whether the plan was carried out @return the change for operators */
        FeatureChange change(boolean applied) {
            return new FeatureChange(feature, List.of(), List.of(), release.stopNames(), release.removeNames(), applied);
        }
    }

    /**
     * Owned bundles a feature gives up.
     *
     * @param remove    bundles to stop and uninstall, in stop order (reverse start order)
     * @param transfers bundle ids that other installed features still need, by the feature that takes them over
     */
    record Release(List<PresentBundle> remove, Map<String, List<Long>> transfers) {
        static final Release NONE = new Release(List.of(), Map.of());

        List<String> stopNames() {
            return remove.stream().filter(PresentBundle::isRunning).map(b -> b.key().toString()).toList();
        }

        List<String> removeNames() {
            return remove.stream().map(b -> b.key().toString()).toList();
        }
    }

    /**
     * @param feature   the feature
     * @param artifacts its bundles, resolved, in start order
     * @param present   the bundles in the framework now
     * @param state     the recorded state
     * @return the plan
     */
    static InstallPlan planInstall(FeatureDefinition feature, List<BundleArtifact> artifacts,
                                   Collection<PresentBundle> present, FeatureState state) {
        Map<BundleKey, PresentBundle> byKey = byKey(present);
        Map<Long, PresentBundle> byId = byId(present);
        Set<BundleKey> seen = new LinkedHashSet<>();
        List<BundleArtifact> install = new ArrayList<>();
        List<BundleKey> start = new ArrayList<>();
        for (BundleArtifact artifact : artifacts) {
            if (!seen.add(artifact.key())) {
                continue; // listed twice: the first entry decides
            }
            PresentBundle existing = byKey.get(artifact.key());
            if (existing == null) {
                install.add(artifact);
                if (!artifact.fragment()) {
                    start.add(artifact.key());
                }
            } else if (!existing.fragment() && !existing.isRunning()) {
                start.add(artifact.key());
            }
        }
        List<BundleKey> requires = List.copyOf(seen);

        List<PresentBundle> kept = new ArrayList<>();
        List<PresentBundle> dropped = new ArrayList<>();
        FeatureState.Installed previous = state.features().get(feature.name());
        if (previous != null) {
            for (long id : previous.owns()) {
                PresentBundle owned = byId.get(id);
                if (owned == null) {
                    continue; // uninstalled by hand meanwhile
                }
                (seen.contains(owned.key()) ? kept : dropped).add(owned);
            }
        }
        Release release = release(feature.name(), dropped, state);
        return new InstallPlan(feature.name(), feature.id(), install, start, requires, kept, release);
    }

    /**
     * @param feature an installed feature
     * @param present the bundles in the framework now
     * @param state   the recorded state, which must list the feature
     * @return the plan
     */
    static UninstallPlan planUninstall(String feature, Collection<PresentBundle> present, FeatureState state) {
        FeatureState.Installed installed = state.features().get(feature);
        Map<Long, PresentBundle> byId = byId(present);
        List<PresentBundle> owned = new ArrayList<>();
        for (long id : installed.owns()) {
            PresentBundle b = byId.get(id);
            if (b != null) {
                owned.add(b);
            }
        }
        return new UninstallPlan(feature, release(feature, owned, state));
    }

    /** Splits owned bundles a feature gives up into those to remove and those another installed feature needs. */
    private static Release release(String feature, List<PresentBundle> owned, FeatureState state) {
        if (owned.isEmpty()) {
            return Release.NONE;
        }
        List<PresentBundle> remove = new ArrayList<>();
        Map<String, List<Long>> transfers = new TreeMap<>();
        for (PresentBundle bundle : owned) {
            String heir = null;
            for (FeatureState.Installed other : state.features().values()) {
                if (!other.name().equals(feature) && other.requires().contains(bundle.key())) {
                    heir = other.name();
                    break;
                }
            }
            if (heir == null) {
                remove.add(bundle);
            } else {
                transfers.computeIfAbsent(heir, k -> new ArrayList<>()).add(bundle.id());
            }
        }
        List<PresentBundle> stopOrder = new ArrayList<>(remove);
        java.util.Collections.reverse(stopOrder);
        return new Release(List.copyOf(stopOrder), transfers);
    }

    private static Map<BundleKey, PresentBundle> byKey(Collection<PresentBundle> present) {
        Map<BundleKey, PresentBundle> map = new LinkedHashMap<>();
        for (PresentBundle b : present) {
            map.putIfAbsent(b.key(), b);
        }
        return map;
    }

    private static Map<Long, PresentBundle> byId(Collection<PresentBundle> present) {
        Map<Long, PresentBundle> map = new LinkedHashMap<>();
        for (PresentBundle b : present) {
            map.put(b.id(), b);
        }
        return map;
    }
}
