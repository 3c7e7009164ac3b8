/**
 * Features: named sets of bundles that an operator installs and uninstalls as one unit.
 *
 * <p>A feature is an OSGi R8 Feature JSON file ({@code core.json} defines the feature {@code core}) whose bundles
 * are Maven coordinates resolved from the distribution's {@code system/} repository. The
 * {@link io.hypha.features.FeatureService} lists the features it knows and installs or uninstalls one at a time,
 * never restarting bundles outside the feature; a dry run reports the same {@link io.hypha.features.FeatureChange}
 * without changing anything.
 *
 * <pre>
 *  features/*.json ──┐                       ┌── system/&lt;group&gt;/&lt;artifact&gt;/&lt;version&gt;/*.jar
 *  deploy/*.json  ───┴─▶ FeatureService ──────┴──▶ install / start (start-order) ──▶ framework
 *                           │ dry run: FeatureChange only
 *                           └── state (which feature installed which bundle) survives restarts
 * </pre>
 */
@Export
@Version("1.0.0")
package io.hypha.features;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
