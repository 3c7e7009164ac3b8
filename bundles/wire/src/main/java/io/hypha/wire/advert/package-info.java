/**
 * Node adverts on the wire: {@link io.hypha.wire.advert.ProtobufAdvertCodec}, the platform's
 * {@link io.hypha.api.advert.AdvertCodec} (also registered as a service by this bundle), and
 * {@link io.hypha.wire.advert.AdvertTable}, which keeps the newest valid advert of each node and counts what it
 * refused. Both are plain Java, usable without OSGi (tools, tests, the NetRegistry engine).
 *
 * <pre>
 *  bytes from a peer ──▶ AdvertTable.offer ──▶ ProtobufAdvertCodec.decode (parse, signature, node, times)
 *                              │                          │
 *                              │   Accepted ◀─────────────┘ ──▶ newer than held? keep it : OLDER_VERSION
 *                              └─▶ counters by AdvertRejection
 * </pre>
 */
@Export
@Version("1.0.0")
package io.hypha.wire.advert;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
