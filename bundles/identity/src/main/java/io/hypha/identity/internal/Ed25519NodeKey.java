package io.hypha.identity.internal;

import io.hypha.api.NodeId;
import io.hypha.api.identity.NodeIdentity;
import java.security.SecureRandom;
import java.util.Objects;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * A node's Ed25519 key pair, the plain (framework-free) {@link NodeIdentity}. Tools and benchmarks that run
 * without OSGi build one with {@link #generate} or load one with {@link KeyFile}. Immutable and thread-safe.
 */
public final class Ed25519NodeKey implements NodeIdentity {
    /** Length of the private seed in bytes (RFC 8032). */
    public static final int SEED_LENGTH = Ed25519PrivateKeyParameters.KEY_SIZE;

    private final Ed25519PrivateKeyParameters privateKey;
    private final NodeId id;

    private Ed25519NodeKey(Ed25519PrivateKeyParameters privateKey) {
        this.privateKey = privateKey;
        this.id = NodeId.of(privateKey.generatePublicKey().getEncoded());
    }

    /**
     * @param random the source of the new seed
     * @return a fresh key
     */
    public static Ed25519NodeKey generate(SecureRandom random) {
        return new Ed25519NodeKey(new Ed25519PrivateKeyParameters(Objects.requireNonNull(random, "random")));
    }

    /**
     * @param seed the 32-byte RFC 8032 private key; copied, so the caller may wipe it
     * @return the key
     * @throws IllegalArgumentException if the seed is not 32 bytes
     */
    public static Ed25519NodeKey fromSeed(byte[] seed) {
        if (seed.length != SEED_LENGTH) {
            throw new IllegalArgumentException("an Ed25519 seed is " + SEED_LENGTH + " bytes, got " + seed.length);
        }
        return new Ed25519NodeKey(new Ed25519PrivateKeyParameters(seed, 0));
    }

    @Override
    public NodeId id() {
        return id;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if the context is empty or contains U+0000
     */
    @Override
    public byte[] sign(String context, byte[] message) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(message, "message");
        // Ed25519Signer buffers the message and is not thread-safe: one per call (it is cheap).
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, privateKey);
        Crypto.feed(signer, context, message);
        return signer.generateSignature();
    }

    /** @return a copy of the 32-byte seed, for {@link KeyFile} only; the caller wipes it */
    byte[] seed() {
        return privateKey.getEncoded();
    }

    /** Shows the node id only: the private key must never reach a log. */
    @Override
    public String toString() {
        return "Ed25519NodeKey{" + id + "}";
    }
}
