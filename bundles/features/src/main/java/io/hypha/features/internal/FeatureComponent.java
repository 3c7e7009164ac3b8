package io.hypha.features.internal;

import io.hypha.features.FeatureChange;
import io.hypha.features.FeatureException;
import io.hypha.features.FeatureInfo;
import io.hypha.features.FeatureService;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The features bundle's component: offers {@link FeatureService}, installs the boot features
 * ({@code hypha.features.boot}) in the background after activation, and, when FileInstall's API is wired, lets
 * FileInstall hand it feature files dropped into {@code deploy/}.
 */
@Component(service = FeatureService.class, immediate = true, configurationPid = FeatureComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = FeatureComponent.Config.class)
public final class FeatureComponent implements FeatureService {
    /** Configuration PID. */
    public static final String PID = "io.hypha.features";
    /** Framework property: comma list of features installed at start when not installed yet (default none). */
    public static final String BOOT = "hypha.features.boot";
    /** Name of the state file in the bundle's data area. */
    static final String STATE_FILE = "installed-features.properties";
    private static final String FILEINSTALL_API = "org.apache.felix.fileinstall.ArtifactInstaller";

    private static final Logger LOG = LoggerFactory.getLogger("io.hypha.features");

    /** Configuration of the features bundle. */
    @ObjectClassDefinition(name = "Hypha features", description = "Where features and their bundles are found.")
    public @interface Config {
        /** @return repository directories */
        @AttributeDefinition(description = "Maven-layout repository directories searched for bundle artifacts, in order."
                + " Empty: the framework property hypha.features.repositories (comma list) if set, else ${hypha.home}/system.")
        String[] repositories() default {};

        /** @return whether to fall back to the local Maven repository */
        @AttributeDefinition(description = "After the repositories, also search the local Maven repository (maven.repo.local,"
                + " else ~/.m2/repository). A developer convenience; the framework property hypha.features.mavenLocal=false"
                + " also turns it off.")
        boolean mavenLocalFallback() default true;

        /** @return feature directories */
        @AttributeDefinition(description = "Directories of feature JSON files, later ones overriding earlier ones."
                + " Empty: ${hypha.home}/features. ${hypha.data}/deploy is always searched last.")
        String[] featureDirectories() default {};

        /** @return refresh timeout */
        @AttributeDefinition(description = "Longest wait, in seconds, for the framework to finish refreshing the bundles an"
                + " uninstall removed (at least 1).")
        long refreshTimeoutSeconds() default 30;
    }

    @Reference
    private org.osgi.service.feature.FeatureService osgiFeatures;

    private BundleContext context;
    private FeatureManager manager;
    private ExecutorService boot;
    private volatile boolean closing;
    private ServiceRegistration<?> deployer;

    @Activate
    void activate(BundleContext context, Config config) {
        this.context = context;
        manager = new FeatureManager(context, new FeatureReader(osgiFeatures), context.getDataFile(STATE_FILE).toPath(),
                Settings.from(config, this::property));
        LOG.info("features: directories {}, repositories {}", manager.settings().featureDirectories(), manager.settings().repositories());
        deployer = registerDeployer(context, manager);

        List<String> bootFeatures = bootFeatures(context.getProperty(BOOT));
        if (!bootFeatures.isEmpty()) {
            // In the background: starting bundles from inside activate would nest their activation in ours.
            boot = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "hypha-features-boot");
                t.setDaemon(true);
                return t;
            });
            boot.execute(() -> manager.installBoot(bootFeatures, () -> closing));
        }
    }

    @Modified
    void modified(Config config) {
        manager.settings(Settings.from(config, this::property));
    }

    @Deactivate
    void deactivate() {
        closing = true;
        if (deployer != null) {
            try {
                deployer.unregister();
            } catch (IllegalStateException e) {
                // already gone with the bundle
            }
        }
        if (boot != null) {
            // No interrupt: an interrupted bundle install can leave the framework's cache half-written.
            boot.shutdown();
            try {
                if (!boot.awaitTermination(manager.settings().refreshTimeout().toSeconds() + 30, TimeUnit.SECONDS)) {
                    LOG.warn("boot feature installation still running at deactivation");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Registers the FileInstall deployer if FileInstall's (optionally imported) API is wired to this bundle. */
    private static ServiceRegistration<?> registerDeployer(BundleContext context, FeatureManager manager) {
        try {
            FeatureComponent.class.getClassLoader().loadClass(FILEINSTALL_API);
        } catch (ClassNotFoundException | LinkageError e) {
            LOG.info("FileInstall is not available: feature files dropped into deploy/ are not installed automatically");
            return null;
        }
        return FeatureArtifactInstaller.registerWith(context, manager);
    }

    /**
     * @param value the {@code hypha.features.boot} property
     * @return the feature names it lists, in order, without blanks and duplicates
     */
    static List<String> bootFeatures(String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).distinct().toList();
    }

    private String property(String name) {
        String value = context.getProperty(name);
        return value != null ? value : System.getProperty(name);
    }

    @Override
    public List<FeatureInfo> features() {
        return manager.features();
    }

    @Override
    public FeatureChange install(String name, boolean dryRun) throws FeatureException {
        return manager.install(name, dryRun);
    }

    @Override
    public FeatureChange uninstall(String name, boolean dryRun) throws FeatureException {
        return manager.uninstall(name, dryRun);
    }
}
