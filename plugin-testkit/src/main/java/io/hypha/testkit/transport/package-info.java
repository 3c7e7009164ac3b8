/**
 * The {@link io.hypha.api.transport.TransportProtocol} contract suite: extend
 * {@link io.hypha.testkit.transport.TransportProtocolContract} in a JUnit 5 test of your transport, give it a protocol
 * factory, node credentials and a bind address, and it checks dial and listen, authentication both ways, whole
 * ordered frames, frame limits, backpressure, close and error behaviour.
 *
 * <pre>
 *  TransportProtocolContract (abstract, JUnit 5)          your test
 *    newProtocol() ─────────────────────────────────────▶ new MyTransport(...)
 *    newCredentials() ──────────────────────────────────▶ a fresh node identity's TransportCredentials
 *    bindAddress() ─────────────────────────────────────▶ my://127.0.0.1:0
 *        │ node a ── listen ──┐
 *        │ node b ── dial ────┴─▶ frames both ways ─▶ {@link io.hypha.testkit.transport.RecordingConnectionHandler}
 *        ▼                                              (records, checks callback rules, waits with deadlines)
 * </pre>
 *
 * <p>{@link io.hypha.testkit.transport.MemoryTransport} is a transport inside one JVM that passes the suite: a fake
 * for testing what sits above transports (the Transport engine) without sockets, with failure injection
 * ({@code dropConnections}).
 *
 * <p>This package, unlike the rest of the testkit, needs JUnit Jupiter's API (5.10 or later) on the test class path.
 * The testkit declares it as an optional dependency, so a user of {@code io.hypha.testkit} alone does not get it, and
 * the bundle imports {@code org.junit.jupiter.api} optionally: the suite is for plain-JVM tests.
 */
@Export
@Version("1.0.0")
package io.hypha.testkit.transport;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
