package io.hypha.features.internal;

import io.hypha.features.FeatureChange;
import io.hypha.features.FeatureException;
import java.io.File;
import org.apache.felix.fileinstall.ArtifactInstaller;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets FileInstall deploy features: a {@code *.json} feature file dropped into a watched directory is made known
 * and installed, a changed one re-applied, a deleted one uninstalled.
 *
 * <p>FileInstall's API is an optional import: in a framework without FileInstall (integration tests) this class
 * must never be loaded, since it implements FileInstall's interface. That is why {@link FeatureComponent} checks
 * for the API and registers it by hand rather than declaring it as a DS component.
 */
final class FeatureArtifactInstaller implements ArtifactInstaller {
    private static final Logger LOG = LoggerFactory.getLogger("io.hypha.features.deploy");

    private final FeatureManager manager;

    FeatureArtifactInstaller(FeatureManager manager) {
        this.manager = manager;
    }

    /**
     * Registers an installer. Call only once FileInstall's API is known to be wired (see
     * {@link FeatureComponent}): loading this class needs it.
     *
     * @param context the bundle context
     * @param manager does the work
     * @return the registration
     */
    static ServiceRegistration<ArtifactInstaller> registerWith(BundleContext context, FeatureManager manager) {
        return context.registerService(ArtifactInstaller.class, new FeatureArtifactInstaller(manager), null);
    }

    @Override
    public boolean canHandle(File artifact) {
        return FeatureReader.featureName(artifact.toPath()) != null;
    }

    @Override
    public void install(File artifact) throws FeatureException {
        apply(artifact, "deployed");
    }

    @Override
    public void update(File artifact) throws FeatureException {
        apply(artifact, "changed");
    }

    @Override
    public void uninstall(File artifact) throws FeatureException {
        try {
            manager.undeploy(artifact.toPath());
            LOG.info("feature file {} removed: its feature is uninstalled", artifact);
        } catch (FeatureException e) {
            LOG.error("feature file {} removed, but its feature could not be uninstalled ({}): {}", artifact, e.reason(), e.getMessage());
            throw e;
        }
    }

    private void apply(File artifact, String what) throws FeatureException {
        try {
            FeatureChange change = manager.deploy(artifact.toPath());
            LOG.info("feature file {} {}: {} bundles installed, {} started", artifact, what, change.toInstall().size(), change.toStart().size());
        } catch (FeatureException e) {
            LOG.error("feature file {} {}, but its feature was not installed ({}): {}", artifact, what, e.reason(), e.getMessage());
            throw e;
        }
    }
}
