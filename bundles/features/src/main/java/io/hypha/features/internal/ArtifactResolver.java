package io.hypha.features.internal;

import io.hypha.features.FeatureException;
import io.hypha.features.FeatureException.Reason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Collectors;

/**
 * Finds a feature's bundle artifacts in Maven-layout repositories, searched in order: the distribution's
 * {@code system/} first, then (a developer convenience) the local Maven repository. Resolution is all or nothing:
 * every missing artifact is reported at once, before anything is installed.
 */
final class ArtifactResolver {
    private final List<Path> repositories;

    /** @param repositories the repository roots, searched in this order */
    ArtifactResolver(List<Path> repositories) {
        this.repositories = List.copyOf(repositories);
    }

    /** @return the repository roots, in search order */
    List<Path> repositories() {
        return repositories;
    }

    /**
     * @param coordinates an artifact
     * @return its file in the first repository that has it
     */
    Optional<Path> locate(ArtifactCoordinates coordinates) {
        Path relative = coordinates.repositoryPath();
        for (Path repository : repositories) {
            Path candidate = repository.resolve(relative);
            if (Files.isRegularFile(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * Finds and identifies every bundle of a feature.
     *
     * @param feature the feature
     * @return its bundles in start order
     * @throws FeatureException {@link Reason#MISSING_ARTIFACT} naming every artifact found nowhere, or
     *                          {@link Reason#INVALID_ARTIFACT} for a jar that is not a bundle
     */
    List<BundleArtifact> resolve(FeatureDefinition feature) throws FeatureException {
        List<FeatureDefinition.Entry> entries = feature.inStartOrder();
        List<String> missing = new ArrayList<>();
        List<Path> found = new ArrayList<>();
        for (FeatureDefinition.Entry entry : entries) {
            Optional<Path> path = locate(entry.coordinates());
            if (path.isEmpty()) {
                missing.add(entry.coordinates().toString());
            }
            found.add(path.orElse(null));
        }
        if (!missing.isEmpty()) {
            String searched = repositories.isEmpty() ? "no repository is configured"
                    : "searched " + repositories.stream().map(Path::toString).collect(Collectors.joining(", "));
            throw new FeatureException(Reason.MISSING_ARTIFACT, feature.name(), "feature '" + feature.name()
                    + "' needs " + String.join(", ", missing) + ", found in no repository (" + searched
                    + "); nothing was installed");
        }
        List<BundleArtifact> artifacts = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            artifacts.add(inspect(feature.name(), entries.get(i), found.get(i)));
        }
        return artifacts;
    }

    /**
     * Reads a jar's manifest to learn which bundle it is.
     *
     * @param feature the feature, for the error message
     * @param entry   the feature's entry for the jar
     * @param jar     the jar
     * @return the identified bundle
     * @throws FeatureException {@link Reason#INVALID_ARTIFACT} if the jar cannot be read or has no symbolic name
     */
    static BundleArtifact inspect(String feature, FeatureDefinition.Entry entry, Path jar) throws FeatureException {
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            Attributes main = manifest == null ? null : manifest.getMainAttributes();
            String bsn = main == null ? null : main.getValue("Bundle-SymbolicName");
            if (bsn == null || bsn.isBlank()) {
                throw new FeatureException(Reason.INVALID_ARTIFACT, feature, "artifact " + entry.coordinates() + " (" + jar
                        + ") is not an OSGi bundle: its manifest has no Bundle-SymbolicName");
            }
            BundleKey key = BundleKey.of(bsn, main.getValue("Bundle-Version"));
            return new BundleArtifact(entry, jar, key, main.getValue("Fragment-Host") != null);
        } catch (IOException | IllegalArgumentException e) {
            throw new FeatureException(Reason.INVALID_ARTIFACT, feature, "artifact " + entry.coordinates() + " (" + jar
                    + ") cannot be read as a bundle: " + e.getMessage(), e);
        }
    }
}
