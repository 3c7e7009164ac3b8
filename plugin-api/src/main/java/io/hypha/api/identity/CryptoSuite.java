package io.hypha.api.identity;

import io.hypha.api.NodeId;
import org.osgi.annotation.versioning.ProviderType;

/** Verification and hashing as Hypha defines them. Implemented by the platform; thread-safe. */
@ProviderType
public interface CryptoSuite {
    /** Length of a digest in bytes. */
    int DIGEST_LENGTH = 32;

    /**
     * Checks a signature made by {@link NodeIdentity#sign}.
     *
     * @param signer    the key that is claimed to have signed
     * @param context   the domain-separation context it was signed under
     * @param message   the signed bytes
     * @param signature the signature
     * @return whether the signature is valid; {@code false} (never an exception) for malformed signatures
     */
    boolean verify(NodeId signer, String context, byte[] message, byte[] signature);

    /**
     * @param data the bytes to hash
     * @return their BLAKE3-256 digest
     */
    byte[] digest(byte[] data);
}
