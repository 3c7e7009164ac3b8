/**
 * Signed node adverts: how a node tells the network where it can be reached.
 *
 * <p>A {@link io.hypha.api.advert.NodeAdvert} says which addresses a node listens on (with weights), which relays
 * hold messages for it while it is away, which protocol versions it speaks, and for how long all this is true. The
 * node signs it with its own key, so anyone can check it without trusting whoever passed it on. The
 * {@link io.hypha.api.advert.AdvertCodec} service (implemented by the platform) signs, encodes, decodes and checks
 * adverts; a check yields an {@link io.hypha.api.advert.AdvertCheck}: the advert, or an
 * {@link io.hypha.api.advert.AdvertRejection} saying why it was refused.
 *
 * <pre>
 *  node N                                   any node
 *  AdvertContent ──sign(N's key)──▶ NodeAdvert ──encode──▶ bytes ──(registry, handshake, relays)──▶ decode
 *                                                                        │
 *                                  AdvertCheck.Accepted(advert) ◀───────┴──▶ AdvertCheck.Rejected(reason)
 *                                  (keep it if its version is higher than the one held)
 * </pre>
 *
 * Everything here except the service interface is an immutable value type, safe to share between threads.
 * {@code docs/wire-protocol.md} (section "Node adverts") defines the encoding and the signature.
 */
@Export
@Version("1.1.0")
package io.hypha.api.advert;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
