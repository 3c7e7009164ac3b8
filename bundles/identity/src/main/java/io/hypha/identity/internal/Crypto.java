package io.hypha.identity.internal;

import io.hypha.api.NodeId;
import io.hypha.api.identity.CryptoSuite;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.bouncycastle.crypto.Signer;
import org.bouncycastle.crypto.digests.Blake3Digest;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * Hypha's verification and hashing: Ed25519 over a domain-separated message, and BLAKE3-256. Stateless and
 * thread-safe; usable without OSGi.
 *
 * <p>The signed bytes are {@code UTF-8(context) || 0x00 || message}. A context must be non-empty and must not contain
 * U+0000, otherwise the separator would be ambiguous ({@code "a\0b" + "c"} and {@code "a" + "b\0c"} would sign
 * the same bytes).
 */
public final class Crypto implements CryptoSuite {
    /** Length of an Ed25519 signature in bytes. */
    public static final int SIGNATURE_LENGTH = 64;

    @Override
    public boolean verify(NodeId signer, String context, byte[] message, byte[] signature) {
        Objects.requireNonNull(signer, "signer");
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(message, "message");
        if (signature == null || signature.length != SIGNATURE_LENGTH || !isValidContext(context)) {
            return false;
        }
        try {
            Ed25519Signer verifier = new Ed25519Signer();
            verifier.init(false, new Ed25519PublicKeyParameters(signer.publicKey()));
            feed(verifier, context, message);
            return verifier.verifySignature(signature);
        } catch (RuntimeException e) {
            // BouncyCastle rejects some malformed keys by throwing; for a verifier they are simply "not valid".
            return false;
        }
    }

    @Override
    public byte[] digest(byte[] data) {
        Objects.requireNonNull(data, "data");
        Blake3Digest blake3 = new Blake3Digest(DIGEST_LENGTH * 8);
        blake3.update(data, 0, data.length);
        byte[] out = new byte[DIGEST_LENGTH];
        blake3.doFinal(out, 0);
        return out;
    }

    /**
     * Feeds the domain-separated signing input to a signer or verifier, without copying the message.
     *
     * @throws IllegalArgumentException if the context is empty or contains U+0000
     */
    static void feed(Signer signer, String context, byte[] message) {
        if (!isValidContext(context)) {
            throw new IllegalArgumentException("a signing context must be non-empty and free of U+0000, got '"
                    + context.replace("\0", "\\0") + "'");
        }
        byte[] prefix = context.getBytes(StandardCharsets.UTF_8);
        signer.update(prefix, 0, prefix.length);
        signer.update((byte) 0);
        signer.update(message, 0, message.length);
    }

    private static boolean isValidContext(String context) {
        return !context.isEmpty() && context.indexOf('\0') < 0;
    }
}
