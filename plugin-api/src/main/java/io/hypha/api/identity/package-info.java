/**
 * Identity services: the node's Ed25519 key ({@link io.hypha.api.identity.NodeIdentity}) and the primitives every
 * protocol uses to check others ({@link io.hypha.api.identity.CryptoSuite}: Ed25519 verification, BLAKE3-256).
 * No plugin writes its own crypto.
 */
@Export
@Version("1.0.0")
package io.hypha.api.identity;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
