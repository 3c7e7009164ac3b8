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
 * Also seals from this node to another ({@link #sealFrom}, authenticated by both static keys) and opens what another
 * node sealed for this one that way ({@link #openFrom}). Thread-safe: it holds immutable keys, caches guarded by
 * their own locks, and a thread-safe random source.
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
 *
 * <h2>Format {@code hypha-seal-from-v1} ({@link #sealFrom}, {@link #openFrom})</h2>
 * <pre>
 *  offset  0        1                 13                          13+n        13+n+16
 *          ┌────────┬─────────────────┬───────────────────────────┬───────────┐
 *          │ 0x02   │ nonce (12)      │ ciphertext (n bytes)      │ Poly1305  │
 *          │ format │ random per seal │ ChaCha20 of plaintext     │ tag (16)  │
 *          └────────┴─────────────────┴───────────────────────────┴───────────┘
 *
 *  shared = X25519(s, P)         s: this node's static X25519 key, P: the peer's (both derived as above)
 *  key    = HKDF-SHA256(ikm = shared, salt = none, info = UTF-8("hypha-seal-from-v1") ‖ sender id ‖ recipient id, 32)
 *  ciphertext ‖ tag = ChaCha20-Poly1305(key, nonce, aad = 0x02 ‖ sender id ‖ recipient id, plaintext)
 * </pre>
 * Both nodes compute the same shared secret, so the recipient derives the key from the sender's id and its own key:
 * a payload that opens was sealed by the sender (or by the recipient itself), and nobody else, a relay included, can
 * forge one. The ids in the key derivation and in the additional data give each direction of a pair its own key and
 * bind the payload to both nodes. The per-pair keys are cached ({@link #PAIR_CACHE_SIZE} peers), so a seal costs one
 * AEAD pass; each payload gets a fresh random 96-bit nonce, which stays safe for far more payloads per pair than a
 * node sends (random nonces collide with probability about {@code m^2 / 2^97} after {@code m} payloads). No forward
 * secrecy: whoever later steals either static key can open past payloads. The overhead is {@link #FROM_OVERHEAD}
 * bytes.
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

    /** The context string in the key derivation of {@link #sealFrom}; names the format. */
    static final String FROM_CONTEXT = "hypha-seal-from-v1";
    /** First byte of every payload sealed with {@link #sealFrom}. */
    static final byte FROM_FORMAT = 2;
    /** Length of the random nonce of {@link #sealFrom}. */
    static final int NONCE_LENGTH = 12;
    /** Bytes before the ciphertext of {@link #sealFrom}: format and nonce. */
    static final int FROM_HEADER_LENGTH = 1 + NONCE_LENGTH;
    /** Bytes a payload sealed with {@link #sealFrom} has beyond its plaintext. */
    static final int FROM_OVERHEAD = FROM_HEADER_LENGTH + TAG_LENGTH;
    /** Peers whose pair keys ({@link #sealFrom}, {@link #openFrom}) are remembered, least recently used dropped first. */
    static final int PAIR_CACHE_SIZE = 1_024;

    private static final byte[] INFO = CONTEXT.getBytes(StandardCharsets.UTF_8);
    private static final byte[] FROM_INFO = FROM_CONTEXT.getBytes(StandardCharsets.UTF_8);
    private static final int KEY_LENGTH = 32;

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
     * The two keys of this node with one peer: for what this node seals for it, and for what it sealed for this node.
     * Immutable once made; never handed out.
     */
    private record PairKeys(byte[] sealKey, byte[] openKey) {
    }

    /** Pair keys by peer, least recently used first; bounded like {@link #recipientKeys}. */
    private final Map<NodeId, PairKeys> pairKeys = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<NodeId, PairKeys> eldest) {
            return size() > PAIR_CACHE_SIZE;
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

    @Override
    public byte[] sealFrom(NodeId recipient, byte[] plaintext) {
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(plaintext, "plaintext");
        PairKeys keys = pairKeys(recipient); // IllegalArgumentException for an id that is no valid key
        byte[] out = new byte[FROM_OVERHEAD + plaintext.length];
        out[0] = FROM_FORMAT;
        byte[] nonce = new byte[NONCE_LENGTH];
        random.nextBytes(nonce);
        System.arraycopy(nonce, 0, out, 1, NONCE_LENGTH);
        ChaCha20Poly1305 aead = new ChaCha20Poly1305();
        aead.init(true, new AEADParameters(new KeyParameter(keys.sealKey()), TAG_LENGTH * 8, nonce));
        byte[] aad = pairData(selfKey, recipient.publicKey());
        aead.processAADBytes(aad, 0, aad.length);
        int written = aead.processBytes(plaintext, 0, plaintext.length, out, FROM_HEADER_LENGTH);
        try {
            aead.doFinal(out, FROM_HEADER_LENGTH + written);
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException("cannot happen: encryption has no tag to check", e);
        }
        return out;
    }

    @Override
    public byte[] openFrom(NodeId sender, byte[] sealed) throws SealException {
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(sealed, "sealed");
        if (sealed.length < FROM_OVERHEAD) {
            throw new SealException(Reason.MALFORMED, "a payload sealed from a node has at least " + FROM_OVERHEAD
                    + " bytes, got " + sealed.length);
        }
        if (sealed[0] != FROM_FORMAT) {
            throw new SealException(Reason.MALFORMED, "unknown sealed-from payload format " + (sealed[0] & 0xff));
        }
        PairKeys keys;
        try {
            keys = pairKeys(sender);
        } catch (IllegalArgumentException e) {
            // No node holds such an id (it cannot sign), so no node can have sealed this as that sender.
            throw new SealException(Reason.TAMPERED, "the claimed sender " + sender + " is not a valid node key");
        }
        ChaCha20Poly1305 aead = new ChaCha20Poly1305();
        aead.init(false, new AEADParameters(new KeyParameter(keys.openKey()), TAG_LENGTH * 8,
                Arrays.copyOfRange(sealed, 1, FROM_HEADER_LENGTH)));
        byte[] aad = pairData(sender.publicKey(), selfKey);
        aead.processAADBytes(aad, 0, aad.length);
        byte[] plaintext = new byte[sealed.length - FROM_OVERHEAD];
        try {
            int written = aead.processBytes(sealed, FROM_HEADER_LENGTH, sealed.length - FROM_HEADER_LENGTH, plaintext, 0);
            aead.doFinal(plaintext, written);
            return plaintext;
        } catch (InvalidCipherTextException e) {
            Arrays.fill(plaintext, (byte) 0);
            throw new SealException(Reason.TAMPERED, "authentication failed: the payload was altered, or was not sealed by "
                    + sender + " for " + self);
        }
    }

    /**
     * The keys this node shares with {@code peer}, from the cache or derived (one X25519 agreement and two HKDF runs).
     *
     * @throws IllegalArgumentException if the peer's id is not a valid Ed25519 key
     */
    private PairKeys pairKeys(NodeId peer) {
        synchronized (pairKeys) {
            PairKeys keys = pairKeys.get(peer);
            if (keys != null) {
                return keys;
            }
        }
        byte[] peerKey = recipientKey(peer);
        byte[] shared = new byte[X25519PrivateKeyParameters.SECRET_SIZE];
        try {
            privateKey.generateSecret(new X25519PublicKeyParameters(peerKey, 0), shared, 0);
        } catch (IllegalStateException e) {
            // An all-zero secret: impossible for a key of the prime-order group, which recipientKey checked.
            throw new IllegalArgumentException("node id " + peer + " gives no usable shared secret", e);
        }
        byte[] peerId = peer.publicKey();
        PairKeys keys = new PairKeys(pairKey(shared, selfKey, peerId), pairKey(shared, peerId, selfKey));
        Arrays.fill(shared, (byte) 0);
        synchronized (pairKeys) {
            pairKeys.put(peer, keys);
        }
        return keys;
    }

    /** The key for payloads {@code sender} seals for {@code recipient}: HKDF-SHA256 over the shared secret. */
    private static byte[] pairKey(byte[] shared, byte[] sender, byte[] recipient) {
        byte[] info = new byte[FROM_INFO.length + 2 * NodeId.LENGTH];
        System.arraycopy(FROM_INFO, 0, info, 0, FROM_INFO.length);
        System.arraycopy(sender, 0, info, FROM_INFO.length, NodeId.LENGTH);
        System.arraycopy(recipient, 0, info, FROM_INFO.length + NodeId.LENGTH, NodeId.LENGTH);
        HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
        hkdf.init(new HKDFParameters(shared, null, info));
        byte[] key = new byte[KEY_LENGTH];
        hkdf.generateBytes(key, 0, KEY_LENGTH);
        return key;
    }

    /** The additional data of a sealed-from payload: its format byte, then the sender's and the recipient's ids. */
    private static byte[] pairData(byte[] sender, byte[] recipient) {
        byte[] aad = new byte[1 + 2 * NodeId.LENGTH];
        aad[0] = FROM_FORMAT;
        System.arraycopy(sender, 0, aad, 1, NodeId.LENGTH);
        System.arraycopy(recipient, 0, aad, 1 + NodeId.LENGTH, NodeId.LENGTH);
        return aad;
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
