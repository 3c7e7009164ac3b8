package io.hypha.identity.internal;

import io.hypha.api.NodeId;
import java.util.Arrays;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.math.ec.rfc7748.X25519Field;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * A node's X25519 key, derived from its Ed25519 key as libsodium does ({@code crypto_sign_ed25519_pk_to_curve25519}
 * and {@code crypto_sign_ed25519_sk_to_curve25519}), so one node key serves both signing and key agreement, and a
 * node's id is enough to seal a payload for it.
 *
 * <ul>
 *   <li>Public key: the Ed25519 point (x, y) maps to the Montgomery u-coordinate {@code u = (1 + y) / (1 - y) mod p}
 *       (the birational map of RFC 7748, section 4.1). The Ed25519 key must be a valid point of the prime-order
 *       subgroup, as libsodium requires.</li>
 *   <li>Private key: the first 32 bytes of SHA-512(seed), clamped as in RFC 7748 ({@code & 248} on the first byte,
 *       {@code & 127 | 64} on the last): the very scalar Ed25519 signs with, so the two public keys belong to the same
 *       scalar.</li>
 * </ul>
 * The field arithmetic is BouncyCastle's ({@link X25519Field}); the point check is {@link Ed25519#validatePublicKeyFull}.
 * Stateless.
 */
final class X25519Keys {
    /** Length of X25519 keys in bytes. */
    static final int LENGTH = 32;

    private X25519Keys() {
    }

    /**
     * @param node an Ed25519 public key
     * @return its X25519 public key (little-endian u-coordinate)
     * @throws IllegalArgumentException if the key is not a point of the curve's prime-order subgroup (such a key cannot
     *                                  belong to a node)
     */
    static byte[] publicKey(NodeId node) {
        byte[] ed = node.publicKey();
        if (!Ed25519.validatePublicKeyFull(ed, 0)) {
            throw new IllegalArgumentException("node id " + node + " is not a valid Ed25519 public key "
                    + "(not on the curve, or of small order), so nothing can be sealed for it");
        }
        // The encoding is y (255 bits, little-endian) with the sign of x in the top bit, which the map does not use.
        ed[LENGTH - 1] &= 0x7f;
        int[] y = X25519Field.create();
        X25519Field.decode(ed, 0, y);
        int[] onePlusY = X25519Field.create();
        int[] oneMinusY = X25519Field.create();
        int[] one = X25519Field.create();
        X25519Field.one(one);
        X25519Field.add(one, y, onePlusY);
        X25519Field.sub(one, y, oneMinusY);
        // 1 - y is never 0 here: y = 1 is the neutral point, which validatePublicKeyFull refuses.
        int[] inverse = X25519Field.create();
        X25519Field.inv(oneMinusY, inverse);
        int[] u = X25519Field.create();
        X25519Field.mul(onePlusY, inverse, u);
        X25519Field.normalize(u);
        byte[] out = new byte[LENGTH];
        X25519Field.encode(u, out, 0);
        return out;
    }

    /**
     * @param seed the 32-byte Ed25519 private key (RFC 8032 seed); not modified
     * @return the clamped X25519 private scalar; the caller wipes it after use
     */
    static byte[] privateKey(byte[] seed) {
        SHA512Digest sha512 = new SHA512Digest();
        sha512.update(seed, 0, seed.length);
        byte[] hash = new byte[sha512.getDigestSize()];
        sha512.doFinal(hash, 0);
        byte[] scalar = Arrays.copyOf(hash, LENGTH);
        Arrays.fill(hash, (byte) 0);
        scalar[0] &= (byte) 248;
        scalar[LENGTH - 1] &= 127;
        scalar[LENGTH - 1] |= 64;
        return scalar;
    }
}
