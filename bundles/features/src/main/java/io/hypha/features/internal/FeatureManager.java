package io.hypha.features.internal;

import io.hypha.features.FeatureChange;
import io.hypha.features.FeatureException;
import io.hypha.features.FeatureException.Reason;
import io.hypha.features.FeatureInfo;
import io.hypha.features.FeatureService;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.wiring.FrameworkWiring;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out feature operations against the framework: checks, plans ({@link Planner}), applies with rollback,
 * and records the result ({@link FeatureState}). Operations are serialised by one lock, so the plan an operation
 * computes is still true when it is applied.
 *
 * <p>Refreshes are limited to bundles this class removed, and skipped (with a warning) when a bundle outside them
 * is wired to them: a refresh would restart that bundle, and installing a feature never restarts unrelated bundles.
 */
final class FeatureManager implements FeatureService {
    private static final Logger LOG = LoggerFactory.getLogger("io.hypha.features");

    private final BundleContext context;
    private final FeatureCatalog catalog;
    private final Path stateFile;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile Settings settings;
    /** Guarded by {@link #lock}. */
    private FeatureState state;

    /**
     * @param context   the features bundle's context
     * @param reader    parses feature files
     * @param stateFile where the installed-features state is kept
     * @param settings  directories and repositories
     */
    FeatureManager(BundleContext context, FeatureReader reader, Path stateFile, Settings settings) {
        this.context = context;
        this.catalog = new FeatureCatalog(reader);
        this.stateFile = stateFile;
        this.settings = settings;
        this.state = loadState(stateFile);
    }

    /** @param settings new directories and repositories, used from the next operation on */
    void settings(Settings settings) {
        this.settings = settings;
    }

    /** @return the settings in force */
    Settings settings() {
        return settings;
    }

    @Override
    public List<FeatureInfo> features() {
        lock.lock();
        try {
            Map<String, FeatureDefinition> definitions = catalog.definitions(settings.featureDirectories());
            Set<String> names = new TreeSet<>(definitions.keySet());
            names.addAll(state.features().keySet());
            List<FeatureInfo> result = new ArrayList<>(names.size());
            for (String name : names) {
                FeatureDefinition def = definitions.get(name);
                FeatureState.Installed installed = state.features().get(name);
                if (def != null) {
                    result.add(new FeatureInfo(name, def.id(), def.description(), installed != null,
                            def.bundles().stream().map(e -> e.coordinates().toString()).toList(), def.source().toString()));
                } else {
                    result.add(new FeatureInfo(name, installed.id(), "", true,
                            installed.requires().stream().map(BundleKey::toString).toList(), ""));
                }
            }
            return result;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public FeatureChange install(String name, boolean dryRun) throws FeatureException {
        requireName(name);
        lock.lock();
        try {
            Settings s = settings;
            FeatureDefinition def = catalog.lookup(s.featureDirectories(), name);
            List<BundleArtifact> artifacts = new ArtifactResolver(s.repositories()).resolve(def);
            Planner.InstallPlan plan = Planner.planInstall(def, artifacts, presentBundles(), state);
            if (dryRun) {
                return plan.change(false);
            }
            apply(plan);
            FeatureChange change = plan.change(true);
            LOG.info("feature '{}' installed: {} bundles installed, {} started, {} removed", name,
                    change.toInstall().size(), change.toStart().size(), change.toUninstall().size());
            return change;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public FeatureChange uninstall(String name, boolean dryRun) throws FeatureException {
        requireName(name);
        lock.lock();
        try {
            if (!state.isInstalled(name)) {
                String installed = state.features().isEmpty() ? "no feature is installed"
                        : "installed: " + String.join(", ", state.features().keySet());
                throw new FeatureException(Reason.NOT_INSTALLED, name, "feature '" + name + "' is not installed (" + installed + ")");
            }
            Planner.UninstallPlan plan = Planner.planUninstall(name, presentBundles(), state);
            if (dryRun) {
                return plan.change(false);
            }
            commit(transfer(state.without(name), plan.release().transfers()));
            List<String> failures = removeBundles(plan.release().remove());
            if (!failures.isEmpty()) {
                throw new FeatureException(Reason.UNINSTALL_FAILED, name, "feature '" + name
                        + "' is uninstalled but some of its bundles could not be removed: " + String.join("; ", failures));
            }
            FeatureChange change = plan.change(true);
            LOG.info("feature '{}' uninstalled: {} bundles removed", name, change.toUninstall().size());
            return change;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Installs the boot features that are not installed yet, in order. A failure is logged and the next feature
     * is tried: the node still comes up, and the operator sees why.
     *
     * @param names     the boot features
     * @param cancelled tells the loop to stop early (the component is going away)
     */
    void installBoot(List<String> names, BooleanSupplier cancelled) {
        for (String name : names) {
            if (cancelled.getAsBoolean()) {
                return;
            }
            if (isInstalled(name)) {
                LOG.debug("boot feature '{}' is already installed", name);
                continue;
            }
            try {
                install(name, false);
            } catch (FeatureException e) {
                LOG.error("boot feature '{}' was not installed ({}): {}", name, e.reason(), e.getMessage());
            } catch (RuntimeException e) {
                LOG.error("boot feature '{}' was not installed", name, e);
            }
        }
    }

    /**
     * A feature file was deployed or changed (FileInstall): make it known and bring the node to it.
     *
     * @param file the feature file
     * @return the change
     * @throws FeatureException as {@link #install}
     */
    FeatureChange deploy(Path file) throws FeatureException {
        String name = FeatureReader.featureName(file);
        if (name == null) {
            throw new FeatureException(Reason.MALFORMED, file.getFileName().toString(), "deployed file " + file
                    + " is not named <feature-name>.json with letters, digits, '.', '_' or '-'");
        }
        lock.lock();
        try {
            catalog.addDeployed(file);
            return install(name, false);
        } finally {
            lock.unlock();
        }
    }

    /**
     * A deployed feature file was deleted (FileInstall): uninstall its feature if installed.
     *
     * @param file the feature file
     * @throws FeatureException as {@link #uninstall}, except {@code NOT_INSTALLED}
     */
    void undeploy(Path file) throws FeatureException {
        String name = FeatureReader.featureName(file);
        lock.lock();
        try {
            catalog.removeDeployed(file);
            if (name != null && state.isInstalled(name)) {
                uninstall(name, false);
            }
        } finally {
            lock.unlock();
        }
    }

    /** @param name a feature @return whether it is installed */
    boolean isInstalled(String name) {
        lock.lock();
        try {
            return state.isInstalled(name);
        } finally {
            lock.unlock();
        }
    }

    private void apply(Planner.InstallPlan plan) throws FeatureException {
        Map<BundleKey, Bundle> installedNow = new LinkedHashMap<>();
        List<Bundle> startedNow = new ArrayList<>();
        try {
            for (BundleArtifact artifact : plan.install()) {
                try {
                    installedNow.put(artifact.key(), context.installBundle(artifact.path().toUri().toString()));
                } catch (BundleException | RuntimeException e) {
                    throw failed(plan, "could not install " + artifact.entry().coordinates() + " from " + artifact.path() + ": " + e.getMessage(), e);
                }
            }
            Map<BundleKey, Bundle> present = bundlesByKey();
            for (BundleKey key : plan.start()) {
                Bundle bundle = installedNow.containsKey(key) ? installedNow.get(key) : present.get(key);
                if (bundle == null) {
                    throw failed(plan, "bundle " + key + " was uninstalled while the feature was being installed", null);
                }
                if (bundle.getState() == Bundle.ACTIVE || bundle.getState() == Bundle.STARTING) {
                    continue;
                }
                try {
                    bundle.start();
                    startedNow.add(bundle);
                } catch (BundleException | RuntimeException e) {
                    throw failed(plan, "bundle " + key + " did not start: " + e.getMessage(), e);
                }
            }
        } catch (FeatureException e) {
            rollback(installedNow.values(), startedNow);
            throw e;
        }

        List<Long> owns = new ArrayList<>();
        Map<BundleKey, Long> kept = plan.kept().stream().collect(Collectors.toMap(PresentBundle::key, PresentBundle::id, (a, b) -> a));
        for (BundleKey key : plan.requires()) {
            Bundle fresh = installedNow.get(key);
            Long id = fresh != null ? Long.valueOf(fresh.getBundleId()) : kept.get(key);
            if (id != null) {
                owns.add(id);
            }
        }
        FeatureState next = state.with(new FeatureState.Installed(plan.feature(), plan.featureId(), plan.requires(), owns));
        commit(transfer(next, plan.release().transfers()));
        List<String> failures = removeBundles(plan.release().remove());
        for (String failure : failures) {
            LOG.warn("feature '{}': a bundle it no longer lists could not be removed: {}", plan.feature(), failure);
        }
    }

    private FeatureException failed(Planner.InstallPlan plan, String problem, Throwable cause) {
        return new FeatureException(Reason.INSTALL_FAILED, plan.feature(), "feature '" + plan.feature() + "' was not installed: "
                + problem + "; the bundles it had installed were removed again", cause);
    }

    /** Undoes a failed install: stops what it started, uninstalls what it installed, in reverse order. */
    private void rollback(Collection<Bundle> installed, List<Bundle> started) {
        Set<Bundle> installedSet = new HashSet<>(installed);
        for (int i = started.size() - 1; i >= 0; i--) {
            Bundle bundle = started.get(i);
            if (!installedSet.contains(bundle)) {
                try {
                    bundle.stop();
                } catch (BundleException | RuntimeException e) {
                    LOG.warn("rollback: could not stop {}: {}", bundle.getSymbolicName(), e.toString());
                }
            }
        }
        List<Bundle> reversed = new ArrayList<>(installed);
        java.util.Collections.reverse(reversed);
        List<Bundle> removed = new ArrayList<>();
        for (Bundle bundle : reversed) {
            try {
                bundle.uninstall();
                removed.add(bundle);
            } catch (BundleException | RuntimeException e) {
                LOG.warn("rollback: could not uninstall {}: {}", bundle.getSymbolicName(), e.toString());
            }
        }
        refresh(removed);
    }

    /** Stops and uninstalls bundles in the given order, then refreshes just them. @return failures, for operators */
    private List<String> removeBundles(List<PresentBundle> remove) {
        List<String> failures = new ArrayList<>();
        List<Bundle> removed = new ArrayList<>();
        for (PresentBundle p : remove) {
            Bundle bundle = context.getBundle(p.id());
            if (bundle == null || bundle.getState() == Bundle.UNINSTALLED) {
                continue;
            }
            try {
                if (bundle.getState() == Bundle.ACTIVE || bundle.getState() == Bundle.STARTING) {
                    bundle.stop();
                }
                bundle.uninstall();
                removed.add(bundle);
            } catch (BundleException | RuntimeException e) {
                failures.add(p.key() + ": " + e.getMessage());
            }
        }
        refresh(removed);
        return failures;
    }

    /**
     * Refreshes removed bundles so the framework lets go of them, unless a bundle outside them is wired to them:
     * refreshing would then restart that bundle, so they stay pending until the next restart.
     */
    private void refresh(List<Bundle> removed) {
        if (removed.isEmpty()) {
            return;
        }
        FrameworkWiring wiring = context.getBundle(Constants.SYSTEM_BUNDLE_ID).adapt(FrameworkWiring.class);
        Set<Long> ids = removed.stream().map(Bundle::getBundleId).collect(Collectors.toSet());
        List<String> dependents = wiring.getDependencyClosure(removed).stream()
                .filter(b -> !ids.contains(b.getBundleId()))
                .map(b -> b.getSymbolicName() + " [" + b.getBundleId() + "]")
                .sorted().toList();
        if (!dependents.isEmpty()) {
            LOG.warn("not refreshing removed bundles {}: {} still use them and would restart; they are released at the next restart",
                    removed.stream().map(Bundle::getSymbolicName).toList(), dependents);
            return;
        }
        CountDownLatch done = new CountDownLatch(1);
        wiring.refreshBundles(removed, event -> done.countDown());
        try {
            if (!done.await(settings.refreshTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("refresh of removed bundles did not finish within {}", settings.refreshTimeout());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static FeatureState transfer(FeatureState base, Map<String, List<Long>> transfers) {
        FeatureState result = base;
        for (Map.Entry<String, List<Long>> t : transfers.entrySet()) {
            FeatureState.Installed heir = result.features().get(t.getKey());
            if (heir != null) {
                List<Long> owns = new ArrayList<>(heir.owns());
                owns.addAll(t.getValue());
                result = result.with(new FeatureState.Installed(heir.name(), heir.id(), heir.requires(), owns));
            }
        }
        return result;
    }

    /** Records a new state; a write failure is logged, the state still holds in memory. */
    private void commit(FeatureState next) {
        state = next;
        try {
            next.save(stateFile);
        } catch (IOException e) {
            LOG.error("cannot write the installed-features state to {}: {}; it will be lost at restart", stateFile, e.toString());
        }
    }

    private List<PresentBundle> presentBundles() {
        List<PresentBundle> present = new ArrayList<>();
        for (Bundle bundle : context.getBundles()) {
            if (bundle.getState() != Bundle.UNINSTALLED) {
                PresentBundle p = PresentBundle.of(bundle);
                if (p != null) {
                    present.add(p);
                }
            }
        }
        return present;
    }

    private Map<BundleKey, Bundle> bundlesByKey() {
        Map<BundleKey, Bundle> map = new LinkedHashMap<>();
        for (Bundle bundle : context.getBundles()) {
            if (bundle.getSymbolicName() != null && bundle.getState() != Bundle.UNINSTALLED) {
                map.putIfAbsent(new BundleKey(bundle.getSymbolicName(), bundle.getVersion().toString()), bundle);
            }
        }
        return map;
    }

    private static void requireName(String name) throws FeatureException {
        if (!FeatureReader.isValidName(name)) {
            throw new FeatureException(Reason.UNKNOWN_FEATURE, String.valueOf(name), "'" + name
                    + "' is not a feature name (letters, digits, '.', '_' or '-')");
        }
    }

    private FeatureState loadState(Path file) {
        try {
            FeatureState loaded = FeatureState.load(file);
            // Forget bundles uninstalled by hand while the node was down, so they are never mistaken for ours.
            FeatureState cleaned = loaded;
            for (FeatureState.Installed f : loaded.features().values()) {
                List<Long> alive = f.owns().stream().filter(id -> context.getBundle(id) != null).toList();
                if (alive.size() != f.owns().size()) {
                    cleaned = cleaned.with(new FeatureState.Installed(f.name(), f.id(), f.requires(), alive));
                }
            }
            return cleaned;
        } catch (IOException | RuntimeException e) {
            LOG.error("cannot read the installed-features state {}: {}; starting with no feature recorded as installed", file, e.toString());
            return FeatureState.empty();
        }
    }
}
