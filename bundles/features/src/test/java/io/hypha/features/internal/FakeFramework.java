package io.hypha.features.internal;

import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.framework.Version;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.resource.Requirement;
import org.osgi.framework.wiring.BundleCapability;

/**
 * A framework small enough to reason about: a mocked {@link BundleContext} over a table of mocked bundles whose
 * state changes as the real framework's would, and a wiring that records refreshes. Every change is logged in
 * {@link #events} ({@code install x}, {@code start x}, {@code stop x}, {@code uninstall x}, {@code refresh [x, y]}).
 */
final class FakeFramework {
    final BundleContext context = mock(BundleContext.class);
    final List<String> events = new CopyOnWriteArrayList<>();
    /** Symbolic names whose start throws. */
    final Set<String> failOnStart = new HashSet<>();
    /** Bundle id → ids of bundles wired to it (importers), for the dependency closure. */
    final Map<Long, Set<Long>> wiredFrom = new HashMap<>();
    /** Called inside installBundle before the bundle appears (tests use it to block). */
    volatile Runnable onInstall = () -> { };

    private final Map<Long, Bundle> bundles = new LinkedHashMap<>();
    private final Map<Long, Integer> states = new HashMap<>();
    private final Map<Long, String> locations = new HashMap<>();
    private final Bundle system;
    private long nextId = 1;

    FakeFramework() throws Exception {
        system = mock(Bundle.class);
        when(system.getBundleId()).thenReturn(0L);
        when(system.getSymbolicName()).thenReturn("org.apache.felix.framework");
        when(system.getVersion()).thenReturn(new Version("7.0.5"));
        when(system.getState()).thenReturn(Bundle.ACTIVE);
        when(system.getHeaders("")).thenReturn(new Hashtable<>());
        when(system.adapt(FrameworkWiring.class)).thenReturn(new Wiring());
        bundles.put(0L, system);
        states.put(0L, Bundle.ACTIVE);

        when(context.getBundles()).thenAnswer(i -> live().toArray(new Bundle[0]));
        when(context.getBundle(anyLong())).thenAnswer(i -> {
            long id = i.getArgument(0);
            Bundle b = bundles.get(id);
            return b != null && states.get(id) != Bundle.UNINSTALLED ? b : null;
        });
        when(context.installBundle(anyString())).thenAnswer(i -> installFrom(i.getArgument(0)));
    }

    /** Adds a bundle as if installed by someone else. @return it */
    synchronized Bundle add(String bsn, String version, String location, int state) {
        return create(bsn, version, location, state, false);
    }

    /** @return the bundle with that symbolic name, or {@code null} */
    synchronized Bundle find(String bsn) {
        return live().stream().filter(b -> bsn.equals(b.getSymbolicName())).findFirst().orElse(null);
    }

    /** @return symbolic names of the bundles present, in install order, without the system bundle */
    synchronized List<String> present() {
        return live().stream().filter(b -> b != system).map(Bundle::getSymbolicName).toList();
    }

    synchronized int state(String bsn) {
        Bundle b = find(bsn);
        return b == null ? Bundle.UNINSTALLED : states.get(b.getBundleId());
    }

    private synchronized List<Bundle> live() {
        List<Bundle> result = new ArrayList<>();
        for (Bundle b : bundles.values()) {
            if (states.get(b.getBundleId()) != Bundle.UNINSTALLED) {
                result.add(b);
            }
        }
        return result;
    }

    private Bundle installFrom(String location) throws BundleException {
        onInstall.run();
        synchronized (this) {
            for (Bundle b : live()) {
                if (location.equals(locations.get(b.getBundleId()))) {
                    return b;
                }
            }
            Path jar = Path.of(URI.create(location));
            try (JarFile file = new JarFile(jar.toFile())) {
                Attributes main = file.getManifest().getMainAttributes();
                BundleKey key = BundleKey.of(main.getValue("Bundle-SymbolicName"), main.getValue("Bundle-Version"));
                for (Bundle b : live()) {
                    if (b.getSymbolicName().equals(key.symbolicName()) && b.getVersion().toString().equals(key.version())) {
                        throw new BundleException("duplicate bundle " + key, BundleException.DUPLICATE_BUNDLE_ERROR);
                    }
                }
                events.add("install " + key.symbolicName());
                return create(key.symbolicName(), key.version(), location, Bundle.INSTALLED, main.getValue("Fragment-Host") != null);
            } catch (IOException e) {
                throw new BundleException("cannot read " + location, e);
            }
        }
    }

    private synchronized Bundle create(String bsn, String version, String location, int state, boolean fragment) {
        long id = nextId++;
        Bundle b = mock(Bundle.class);
        when(b.getBundleId()).thenReturn(id);
        when(b.getSymbolicName()).thenReturn(bsn);
        when(b.getVersion()).thenReturn(new Version(version));
        when(b.getLocation()).thenReturn(location);
        when(b.getState()).thenAnswer(i -> states.get(id));
        Hashtable<String, String> headers = new Hashtable<>();
        if (fragment) {
            headers.put("Fragment-Host", "host");
        }
        when(b.getHeaders("")).thenReturn(headers);
        try {
            doAnswer(i -> {
                synchronized (this) {
                    if (fragment) {
                        throw new BundleException("a fragment cannot be started", BundleException.INVALID_OPERATION);
                    }
                    if (failOnStart.contains(bsn)) {
                        states.put(id, Bundle.RESOLVED);
                        throw new BundleException("unresolved requirement: Import-Package: missing.pkg", BundleException.RESOLVE_ERROR);
                    }
                    states.put(id, Bundle.ACTIVE);
                    events.add("start " + bsn);
                    return null;
                }
            }).when(b).start();
            doAnswer(i -> {
                synchronized (this) {
                    states.put(id, Bundle.RESOLVED);
                    events.add("stop " + bsn);
                    return null;
                }
            }).when(b).stop();
            doAnswer(i -> {
                synchronized (this) {
                    states.put(id, Bundle.UNINSTALLED);
                    events.add("uninstall " + bsn);
                    return null;
                }
            }).when(b).uninstall();
        } catch (BundleException e) {
            throw new AssertionError(e);
        }
        bundles.put(id, b);
        states.put(id, state);
        locations.put(id, location);
        return b;
    }

    /** Records refreshes; the closure follows {@link #wiredFrom}. */
    private final class Wiring implements FrameworkWiring {
        @Override
        public Bundle getBundle() {
            return system;
        }

        @Override
        public void refreshBundles(Collection<Bundle> toRefresh, FrameworkListener... listeners) {
            events.add("refresh " + toRefresh.stream().map(Bundle::getSymbolicName).sorted().toList());
            for (FrameworkListener l : listeners) {
                l.frameworkEvent(new FrameworkEvent(FrameworkEvent.PACKAGES_REFRESHED, system, null));
            }
        }

        @Override
        public boolean resolveBundles(Collection<Bundle> toResolve) {
            return true;
        }

        @Override
        public Collection<Bundle> getRemovalPendingBundles() {
            return List.of();
        }

        @Override
        public Collection<Bundle> getDependencyClosure(Collection<Bundle> targets) {
            Set<Bundle> closure = new LinkedHashSet<>(targets);
            List<Bundle> work = new ArrayList<>(targets);
            while (!work.isEmpty()) {
                Bundle b = work.remove(work.size() - 1);
                for (long dependent : wiredFrom.getOrDefault(b.getBundleId(), Set.of())) {
                    Bundle d = bundles.get(dependent);
                    if (closure.add(d)) {
                        work.add(d);
                    }
                }
            }
            return closure;
        }

        @Override
        public Collection<BundleCapability> findProviders(Requirement requirement) {
            return List.of();
        }
    }
}
