/**
 * Test an engine without a framework: {@link io.hypha.testkit.EngineHarness} hosts one
 * {@link io.hypha.api.engine.Engine} with a deterministic, single-threaded
 * {@link io.hypha.api.engine.EngineContext}, and {@link io.hypha.testkit.ManualClock} is the time it sees.
 *
 * <pre>
 *  test ──deliver/request──▶ EngineHarness ──onMessage──▶ engine under test
 *    ▲                            │  ▲
 *    └──sent()/nextSent()─────────┘  └──reply()/fail()/advance()── test answers the engine's requests, moves time
 * </pre>
 *
 * Nothing here depends on a test framework: assertion helpers throw {@link java.lang.AssertionError}, which every
 * framework reports as a failure.
 */
@Export
@Version("1.0.0")
package io.hypha.testkit;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
