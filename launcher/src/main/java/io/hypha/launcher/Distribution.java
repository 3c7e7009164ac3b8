package io.hypha.launcher;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The installed distribution ({@code hypha.home}), laid out as
 * <pre>
 *   lib/       the launcher and the Felix framework (the launcher's class path)
 *   system/    every bundle, in Maven repository layout (group/as/dirs/artifact/version/artifact-version.jar)
 *   features/  feature files (OSGi feature JSON) whose bundles are in system/
 *   etc/       startup.list (bundles the launcher starts) and gosh_profile (the console's profile)
 * </pre>
 *
 * @param home the distribution's root directory
 */
public record Distribution(Path home) {
    /** System property that overrides where the distribution is (otherwise: the parent of the launcher's lib/). */
    public static final String HOME_PROPERTY = "hypha.home";

    /** @return the Maven-layout bundle repository */
    public Path system() {
        return home.resolve("system");
    }

    /** @return the feature files */
    public Path features() {
        return home.resolve("features");
    }

    /** @return the launcher's configuration directory */
    public Path etc() {
        return home.resolve("etc");
    }

    /** @return the startup bundle list */
    public Path startupList() {
        return etc().resolve("startup.list");
    }

    /**
     * @param coordinates an artifact
     * @return where it lies in {@link #system()}
     */
    public Path artifact(Coordinates coordinates) {
        return system().resolve(coordinates.repositoryPath());
    }

    /**
     * Finds the distribution: the {@value #HOME_PROPERTY} system property if set, otherwise the directory above the
     * {@code lib/} that holds the launcher's jar.
     *
     * @return the distribution
     * @throws IllegalStateException if it cannot be found or has no startup list
     */
    public static Distribution locate() {
        String configured = System.getProperty(HOME_PROPERTY);
        Path home;
        if (configured != null && !configured.isBlank()) {
            home = Path.of(configured);
        } else {
            try {
                Path jar = Path.of(Distribution.class.getProtectionDomain().getCodeSource().getLocation().toURI());
                home = jar.getParent().getParent();
            } catch (URISyntaxException | NullPointerException e) {
                throw new IllegalStateException("cannot tell where the launcher was started from; set -D" + HOME_PROPERTY, e);
            }
        }
        Distribution d = new Distribution(home.toAbsolutePath().normalize());
        if (!Files.isRegularFile(d.startupList())) {
            throw new IllegalStateException("not a Hypha distribution: " + d.startupList() + " is missing"
                    + " (run the launcher from launcher/target/hypha, or set -D" + HOME_PROPERTY + ")");
        }
        return d;
    }
}
