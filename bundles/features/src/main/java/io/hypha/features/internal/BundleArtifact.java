package io.hypha.features.internal;

import java.nio.file.Path;

/**
 * A feature's bundle, found in a repository and identified from its manifest.
 *
 * @param entry    the feature file's entry for it
 * @param path     the jar
 * @param key      its symbolic name and version
 * @param fragment whether it is a fragment (has Fragment-Host); fragments are installed, never started
 */
record BundleArtifact(FeatureDefinition.Entry entry, Path path, BundleKey key, boolean fragment) {
}
