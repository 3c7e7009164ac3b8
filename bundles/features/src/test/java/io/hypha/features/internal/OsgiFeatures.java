package io.hypha.features.internal;

import java.util.ServiceLoader;

/** The real Apache Felix Feature Service implementation, found the way a plain-classpath user finds it. */
final class OsgiFeatures {
    private OsgiFeatures() {
    }

    static org.osgi.service.feature.FeatureService service() {
        return ServiceLoader.load(org.osgi.service.feature.FeatureService.class).findFirst()
                .orElseThrow(() -> new AssertionError("org.apache.felix.feature is not on the test classpath"));
    }

    static FeatureReader reader() {
        return new FeatureReader(service());
    }
}
