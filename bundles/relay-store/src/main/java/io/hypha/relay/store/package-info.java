/**
 * The relay's store of messages for edge nodes that are not connected: {@link io.hypha.relay.store.RelayStore}.
 *
 * <pre>
 *  sender ──▶ relay engine ──storeAsync(edge, origin, expiry, envelope)──▶ RelayStore ──group commit──▶ disk
 *                 ▲   │ STORED(seq) once durable: now the relay may acknowledge to the sender
 *                 │   │ QUOTA_FULL / STORE_FULL / EXPIRED / TOO_LARGE: reported to the sender, nothing dropped silently
 *                 │   └──pending(edge, afterSeq, max)──▶ forward to the edge when it connects, in seq order
 *                 └──────ack(edge, upToSeq)◀── edge acknowledges; expire(now) ──▶ report EXPIRED to senders
 * </pre>
 *
 * The store keeps opaque envelopes (sealed end to end, see {@code io.hypha.api.seal}); it never reads them. It is
 * plain Java: the relay engine opens it with its own configuration, and tests and tools use it without OSGi.
 */
@Export
@Version("1.0.0")
package io.hypha.relay.store;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
