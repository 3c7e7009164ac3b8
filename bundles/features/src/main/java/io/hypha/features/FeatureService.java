package io.hypha.features;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Installs and uninstalls features: named sets of bundles defined by OSGi R8 Feature JSON files.
 *
 * <p>Operations run one at a time. Each one first checks the whole feature (the file parses, every artifact is
 * found) and changes nothing if that fails; an install that fails half-way is rolled back. Bundles outside the
 * feature are never stopped, refreshed or restarted. Implemented by the platform; thread-safe.
 */
@ProviderType
public interface FeatureService {
    /** @return every feature the node knows (from its feature files) or has installed, sorted by name */
    List<FeatureInfo> features();

    /**
     * Installs a feature: installs the bundles it lists that are not installed yet (a bundle with the same
     * symbolic name and version is reused wherever it came from) and starts them in start order. Installing a
     * feature that is already installed brings it to its current definition: bundles newly listed are installed,
     * bundles it no longer lists are removed unless another feature needs them.
     *
     * @param name   the feature name (its file name without {@code .json})
     * @param dryRun compute and return the change without doing anything
     * @return what was (or, for a dry run, would be) changed
     * @throws FeatureException with {@link FeatureException.Reason#UNKNOWN_FEATURE}, {@code MALFORMED},
     *                          {@code MISSING_ARTIFACT}, {@code INVALID_ARTIFACT} (nothing installed) or
     *                          {@code INSTALL_FAILED} (what this operation installed was rolled back)
     */
    FeatureChange install(String name, boolean dryRun) throws FeatureException;

    /**
     * Uninstalls a feature: stops and uninstalls the bundles it installed that no other installed feature needs.
     * Bundles it reused (installed by someone else) stay.
     *
     * @param name   the feature name
     * @param dryRun compute and return the change without doing anything
     * @return what was (or, for a dry run, would be) changed
     * @throws FeatureException with {@link FeatureException.Reason#NOT_INSTALLED} if the feature is not installed,
     *                          or {@code UNINSTALL_FAILED}
     */
    FeatureChange uninstall(String name, boolean dryRun) throws FeatureException;
}
