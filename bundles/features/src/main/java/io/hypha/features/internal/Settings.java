package io.hypha.features.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Where the features bundle looks for things, resolved once from configuration and framework properties.
 *
 * @param featureDirectories directories of feature files, later ones overriding earlier ones (the deploy
 *                           directory last)
 * @param repositories       Maven-layout repositories searched for bundle artifacts, in order
 * @param refreshTimeout     longest wait for the framework to refresh removed bundles
 */
record Settings(List<Path> featureDirectories, List<Path> repositories, Duration refreshTimeout) {
    /** Framework property: the distribution directory. */
    static final String HOME = "hypha.home";
    /** Framework property: the node's data directory. */
    static final String DATA = "hypha.data";
    /** Framework property: comma list of repository directories, used when the configuration names none. */
    static final String REPOSITORIES = "hypha.features.repositories";
    /** Framework property: {@code false} turns the local Maven repository fallback off (default on). */
    static final String MAVEN_LOCAL = "hypha.features.mavenLocal";
    /** Framework or system property naming the local Maven repository (as Maven's own option does). */
    static final String MAVEN_REPO_LOCAL = "maven.repo.local";

    Settings {
        featureDirectories = List.copyOf(featureDirectories);
        repositories = List.copyOf(repositories);
    }

    /**
     * @param config     the component configuration
     * @param properties framework properties (falling back to system properties), by name; {@code null} if unset
     * @return the settings
     */
    static Settings from(FeatureComponent.Config config, UnaryOperator<String> properties) {
        String home = blankToNull(properties.apply(HOME));
        String data = blankToNull(properties.apply(DATA));

        List<Path> featureDirs = new ArrayList<>();
        if (config.featureDirectories().length > 0) {
            featureDirs.addAll(paths(Arrays.asList(config.featureDirectories())));
        } else if (home != null) {
            featureDirs.add(Path.of(home, "features"));
        }
        if (data != null) {
            featureDirs.add(Path.of(data, "deploy"));
        }

        List<Path> repositories = new ArrayList<>();
        String fromProperty = blankToNull(properties.apply(REPOSITORIES));
        if (config.repositories().length > 0) {
            repositories.addAll(paths(Arrays.asList(config.repositories())));
        } else if (fromProperty != null) {
            repositories.addAll(paths(Arrays.asList(fromProperty.split(","))));
        } else if (home != null) {
            repositories.add(Path.of(home, "system"));
        }
        boolean mavenLocal = config.mavenLocalFallback() && !"false".equalsIgnoreCase(String.valueOf(properties.apply(MAVEN_LOCAL)).trim());
        if (mavenLocal) {
            String local = blankToNull(properties.apply(MAVEN_REPO_LOCAL));
            String userHome = properties.apply("user.home");
            if (local != null) {
                repositories.add(Path.of(local));
            } else if (userHome != null) {
                repositories.add(Path.of(userHome, ".m2", "repository"));
            }
        }
        return new Settings(featureDirs, repositories, Duration.ofSeconds(Math.max(1, config.refreshTimeoutSeconds())));
    }

    private static List<Path> paths(List<String> values) {
        return values.stream().map(String::trim).filter(s -> !s.isEmpty()).map(s -> Path.of(s).toAbsolutePath().normalize()).toList();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
