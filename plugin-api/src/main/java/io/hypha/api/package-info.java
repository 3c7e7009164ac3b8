/**
 * Hypha's core vocabulary: who a message is for ({@link io.hypha.api.NodeId}, {@link io.hypha.api.EngineAddress}),
 * the message itself ({@link io.hypha.api.Envelope}) and what happens when it cannot be delivered
 * ({@link io.hypha.api.DeliveryFailure}, {@link io.hypha.api.DeadLetter}).
 *
 * <pre>
 *  engine A ──send──▶ Router ──local──▶ engine runtime ──mailbox──▶ engine B
 *                        │
 *                        └──remote──▶ RemoteGateway (Transport engine) ──frames──▶ TransportProtocol ──▶ peer node
 * </pre>
 *
 * Everything in this package is a value type: immutable and safe to share between threads.
 */
@Export
@Version("1.1.0")
package io.hypha.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
