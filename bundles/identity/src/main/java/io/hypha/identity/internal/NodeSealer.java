package io.hypha.identity.internal;

import io.hypha.api.NodeId;
import io.hypha.api.seal.SealException;
import io.hypha.api.seal.SealException.Reason;
import io.hypha.api.seal.Sealer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.X25519PublicKeyParameters;

/**
 * The {@link Sealer} of a node: seals with a fresh ephemeral X25519 key per message for the recipient's X25519 key
 * (derived from its node id by {@link X25519Keys}), and opens with this node's X25519 key (derived from its seed).
 * Thread-safe: it holds only immutable keys and a thread-safe random source.
 *
 * <h2>Format {@code hypha-seal-v1}</h2>
 * <pre>
 *  offset  0        1                    33                   65                        65+n        65+n+16
 *          ┌────────┬────────────────────┬────────────────────┬─────────────────────────┬───────────┐
 *          │ 0x01   │ recipient NodeId   │ ephemeral X25519   │ ciphertext (n bytes)    │ Poly1305  │
 *          │ format │ (32, Ed25519 key)  │ public key E (32)  │ ChaCha20 of plaintext   │ tag (16)  │
 *          └────────┴────────────────────┴────────────────────┴─────────────────────────┴───────────┘
 *          └──────────────── header: AEAD additional data ────┘
 *
 *  shared     = X25519(e, R)                      e: ephemeral private key, R: recipient's X25519 public key
 *  key ‖ nonce = HKDF-SHA256(ikm = shared, salt = E ‖ R, info = UTF-8("hypha-seal-v1"), 44 bytes)  (32 ‖ 12)
 *  ciphertext ‖ tag = ChaCha20-Poly1305(key, nonce, aad = header, plaintext)            (RFC 8439)
 * </pre>
 * The key is new for every message (a new ephemeral key), so a nonce derived with it is never reused. The recipient
 * id in the header lets a node tell a payload for someone else from a damaged one, and as additional data it binds
 * the payload to its recipient. The overhead is {@link #OVERHEAD} bytes.
 */
final class NodeSealer implements Sealer {
    /** The context string in the key derivation; names the format. */
    static final String CONTEXT = "hypha-seal-v1";
    /** First byte of every sealed payload of this format. */
    static final byte FORMAT = 1;
    /** Bytes before the ciphertext: format, recipient, ephemeral key. */
    static final int HEADER_LENGTH = 1 + NodeId.LENGTH + X25519Keys.LENGTH;
    /** Length of the Poly1305 tag. */
    static final int TAG_LENGTH = 16;
    /** Bytes a sealed payload has beyond its plaintext. */
    static final int OVERHEAD = HEADER_LENGTH + TAG_LENGTH;

    /** Recipients whose X25519 key is remembered; a relay's senders seal for few edges, many times each. */
    static final int RECIPIENT_CACHE_SIZE = 1_024;

    private static final byte[] INFO = CONTEXT.getBytes(StandardCharsets.UTF_8);
    private static final int KEY_LENGTH = 32;
    private static final int NONCE_LENGTH = 12;

    private final NodeId self;
    private final byte[] selfKey;
    private final X25519PrivateKeyParameters privateKey;
    private final byte[] publicKey;
    private final SecureRandom random;
    /**
     * Converted recipient keys, least recently used first. Converting checks that the id is a point of the prime-order
     * group, which costs about as much as a Diffie-Hellman: a third of a seal.
     */
    private final Map<NodeId, byte[]> recipientKeys = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<NodeId, byte[]> eldest) {
            return size() > RECIPIENT_CACHE_SIZE;
        }
    };

    /**
     * @param key    this node's key
     * @param random the source of ephemeral keys
     */
    NodeSealer(Ed25519NodeKey key, SecureRandom random) {
        this.self = key.id();
        this.selfKey = self.publicKey();
        this.random = Objects.requireNonNull(random, "random");
        byte[] seed = key.seed();
        byte[] scalar = X25519Keys.privateKey(seed);
        try {
            this.privateKey = new X25519PrivateKeyParameters(scalar, 0);
        } finally {
            Arrays.fill(seed, (byte) 0);
            Arrays.fill(scalar, (byte) 0);
        }
        this.publicKey = privateKey.generatePublicKey().getEncoded();
    }

    /** @return this node's X25519 public key (equal to {@code X25519Keys.publicKey(id)}) */
    byte[] x25519PublicKey() {
        return publicKey.clone();
    }

    @Override
    public byte[] seal(NodeId recipient, byte[] plaintext) {
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(plaintext, "plaintext");
        byte[] recipientKey = recipientKey(recipient);
        X25519PrivateKeyParameters ephemeral = new X25519PrivateKeyParameters(random);
        byte[] ephemeralKey = ephemeral.generatePublicKey().getEncoded();

        byte[] out = new byte[OVERHEAD + plaintext.length];
        out[0] = FORMAT;
        System.arraycopy(recipient.publicKey(), 0, out, 1, NodeId.LENGTH);
        System.arraycopy(ephemeralKey, 0, out, 1 + NodeId.LENGTH, X25519Keys.LENGTH);

        byte[] shared = new byte[X25519PrivateKeyParameters.SECRET_SIZE];
        // Cannot fail: the recipient key is of prime order (checked above) and the ephemeral scalar is clamped.
        ephemeral.generateSecret(new X25519PublicKeyParameters(recipientKey, 0), shared, 0);
        ChaCha20Poly1305 aead = aead(true, shared, ephemeralKey, recipientKey, out);
        int written = aead.processBytes(plaintext, 0, plaintext.length, out, HEADER_LENGTH);
        try {
            aead.doFinal(out, HEADER_LENGTH + written);
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException("cannot happen: encryption has no tag to check", e);
        }
        return out;
    }

    @Override
    public byte[] open(byte[] sealed) throws SealException {
        Objects.requireNonNull(sealed, "sealed");
        if (sealed.length < OVERHEAD) {
            throw new SealException(Reason.MALFORMED, "a sealed payload has at least " + OVERHEAD + " bytes, got " + sealed.length);
        }
        if (sealed[0] != FORMAT) {
            throw new SealException(Reason.MALFORMED, "unknown sealed payload format " + (sealed[0] & 0xff));
        }
        if (!Arrays.equals(sealed, 1, 1 + NodeId.LENGTH, selfKey, 0, NodeId.LENGTH)) {
            throw new SealException(Reason.NOT_FOR_THIS_NODE, "the payload is sealed for node "
                    + NodeId.of(Arrays.copyOfRange(sealed, 1, 1 + NodeId.LENGTH)) + ", not for " + self);
        }
        byte[] ephemeralKey = Arrays.copyOfRange(sealed, 1 + NodeId.LENGTH, HEADER_LENGTH);
        byte[] shared = new byte[X25519PrivateKeyParameters.SECRET_SIZE];
        try {
            privateKey.generateSecret(new X25519PublicKeyParameters(ephemeralKey, 0), shared, 0);
        } catch (IllegalStateException e) {
            // BouncyCastle refuses an all-zero shared secret: the ephemeral key was replaced by a small-order point.
            throw new SealException(Reason.TAMPERED, "the ephemeral key is not usable");
        }
        ChaCha20Poly1305 aead = aead(false, shared, ephemeralKey, publicKey, sealed);
        byte[] plaintext = new byte[sealed.length - OVERHEAD];
        try {
            int written = aead.processBytes(sealed, HEADER_LENGTH, sealed.length - HEADER_LENGTH, plaintext, 0);
            aead.doFinal(plaintext, written);
            return plaintext;
        } catch (InvalidCipherTextException e) {
            Arrays.fill(plaintext, (byte) 0);
            throw new SealException(Reason.TAMPERED, "authentication failed: the payload was altered");
        }
    }

    private byte[] recipientKey(NodeId recipient) {
        synchronized (recipientKeys) {
            byte[] key = recipientKeys.get(recipient);
            if (key != null) {
                return key;
            }
        }
        byte[] key = X25519Keys.publicKey(recipient);
        synchronized (recipientKeys) {
            recipientKeys.put(recipient, key);
        }
        return key;
    }

    /**
     * Derives the message key and nonce, wipes the shared secret, and returns the cipher with the header as
     * additional data.
     */
    private static ChaCha20Poly1305 aead(boolean encrypt, byte[] shared, byte[] ephemeralKey, byte[] recipientKey, byte[] header) {
        byte[] salt = new byte[2 * X25519Keys.LENGTH];
        System.arraycopy(ephemeralKey, 0, salt, 0, X25519Keys.LENGTH);
        System.arraycopy(recipientKey, 0, salt, X25519Keys.LENGTH, X25519Keys.LENGTH);
        HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
        hkdf.init(new HKDFParameters(shared, salt, INFO));
        byte[] okm = new byte[KEY_LENGTH + NONCE_LENGTH];
        hkdf.generateBytes(okm, 0, okm.length);
        Arrays.fill(shared, (byte) 0);
        ChaCha20Poly1305 aead = new ChaCha20Poly1305();
        aead.init(encrypt, new AEADParameters(new KeyParameter(okm, 0, KEY_LENGTH), TAG_LENGTH * 8,
                Arrays.copyOfRange(okm, KEY_LENGTH, okm.length)));
        Arrays.fill(okm, (byte) 0);
        aead.processAADBytes(header, 0, HEADER_LENGTH);
        return aead;
    }

    @Override
    public String toString() {
        return "NodeSealer{" + self + "}";
    }
}
