package io.hypha.features.internal;

import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;

/**
 * What the planner needs to know about a bundle already in the framework.
 *
 * @param id       the bundle id
 * @param key      its symbolic name and version
 * @param state    its {@link Bundle#getState() state}
 * @param fragment whether it is a fragment
 */
record PresentBundle(long id, BundleKey key, int state, boolean fragment) {
    /**
     * @param bundle a bundle
     * @return its snapshot, or {@code null} if it has no symbolic name (a legacy bundle no feature can name)
     */
    static PresentBundle of(Bundle bundle) {
        String bsn = bundle.getSymbolicName();
        if (bsn == null) {
            return null;
        }
        String host = bundle.getHeaders("").get(Constants.FRAGMENT_HOST);
        return new PresentBundle(bundle.getBundleId(), new BundleKey(bsn, bundle.getVersion().toString()), bundle.getState(), host != null);
    }

    /** @return whether it is active or activating, so stopping it changes something */
    boolean isRunning() {
        return state == Bundle.ACTIVE || state == Bundle.STARTING;
    }
}
