/**
 * End-to-end sealing: a payload for one node that nobody else can read, not even the relays that carry and store it.
 *
 * <pre>
 *  sender A                 relay R (stores, forwards)                 edge node E
 *  Sealer.seal(E, bytes) ──▶ sealed bytes: R sees E's id, lengths ──▶ Sealer.open(sealed) ──▶ bytes
 *                            and random-looking bytes only               (or SealException: MALFORMED,
 *                                                                         NOT_FOR_THIS_NODE, TAMPERED)
 * </pre>
 *
 * The {@link io.hypha.api.seal.Sealer} service is implemented by the platform's identity bundle with the node's own
 * key; no plugin holds key material. {@code docs/wire-protocol.md} (section "Sealed payloads") defines the format:
 * X25519 with a fresh ephemeral key per message, HKDF-SHA256 and ChaCha20-Poly1305.
 */
@Export
@Version("1.1.0")
package io.hypha.api.seal;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
