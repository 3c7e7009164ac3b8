package io.hypha.api.identity;

import io.hypha.api.NodeId;
import org.osgi.annotation.versioning.ProviderType;

/**
 * This node's identity: its id and the ability to sign with its Ed25519 key. The private key never leaves the
 * identity bundle. Implemented by the platform; thread-safe.
 */
@ProviderType
public interface NodeIdentity {
    /** @return this node's id (its Ed25519 public key) */
    NodeId id();

    /**
     * Signs {@code message} under a domain-separation context, so that a signature made for one purpose can never
     * be replayed as another. The signed bytes are {@code UTF-8(context) || 0x00 || message}.
     *
     * @param context a fixed purpose string such as {@code hypha-node-advert-v1}
     * @param message the canonical encoding of what is signed
     * @return the 64-byte Ed25519 signature
     */
    byte[] sign(String context, byte[] message);
}
