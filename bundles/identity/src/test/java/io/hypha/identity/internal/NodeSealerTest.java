package io.hypha.identity.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hypha.api.NodeId;
import io.hypha.api.seal.SealException;
import io.hypha.api.seal.SealException.Reason;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class NodeSealerTest {
    private final SecureRandom random = new SecureRandom();
    private final Ed25519NodeKey edgeKey = Ed25519NodeKey.generate(random);
    private final Ed25519NodeKey senderKey = Ed25519NodeKey.generate(random);
    private final NodeSealer edge = new NodeSealer(edgeKey, random);
    private final NodeSealer sender = new NodeSealer(senderKey, random);
    private final byte[] message = "meet at the relay at noon; bring the sealed box".getBytes(StandardCharsets.UTF_8);

    private static void assertReason(ThrowingCallable open, Reason reason) {
        assertThatThrownBy(open).isInstanceOfSatisfying(SealException.class, e -> assertThat(e.reason()).isEqualTo(reason));
    }

    @Test
    void recipientOpensWhatWasSealedForIt() throws Exception {
        for (int length : new int[] {0, 1, 63, 64, 65, 1024, 100_000}) {
            byte[] plaintext = new byte[length];
            random.nextBytes(plaintext);

            byte[] sealed = sender.seal(edgeKey.id(), plaintext);

            assertThat(sealed).hasSize(length + NodeSealer.OVERHEAD);
            assertThat(edge.open(sealed)).isEqualTo(plaintext);
        }
        assertThat(NodeSealer.OVERHEAD).isEqualTo(81);
    }

    @Test
    void aNodeCanSealForItself() throws Exception {
        assertThat(edge.open(edge.seal(edgeKey.id(), message))).isEqualTo(message);
    }

    @Test
    void anotherNodeCannotOpenIt() {
        byte[] sealed = sender.seal(edgeKey.id(), message);

        assertReason(() -> sender.open(sealed), Reason.NOT_FOR_THIS_NODE);
    }

    @Test
    void anotherNodeCannotOpenItEvenWhenTheHeaderIsRewrittenForIt() {
        byte[] sealed = sender.seal(edgeKey.id(), message);
        System.arraycopy(senderKey.id().publicKey(), 0, sealed, 1, 32);

        assertReason(() -> sender.open(sealed), Reason.TAMPERED);
    }

    @Test
    void anyChangedBitAfterTheRecipientIsDetected() {
        byte[] sealed = sender.seal(edgeKey.id(), message);

        for (int i = 1 + 32; i < sealed.length; i++) {
            for (int bit = 0; bit < 8; bit += 3) {
                byte[] tampered = sealed.clone();
                tampered[i] ^= (byte) (1 << bit);
                String part = i < NodeSealer.HEADER_LENGTH ? "ephemeral key"
                        : i < sealed.length - NodeSealer.TAG_LENGTH ? "ciphertext" : "tag";
                assertThatThrownBy(() -> edge.open(tampered)).as("%s byte %d bit %d", part, i, bit)
                        .isInstanceOfSatisfying(SealException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TAMPERED));
            }
        }
    }

    @Test
    void changedRecipientIsNotForThisNodeAndUnknownFormatIsMalformed() {
        byte[] sealed = sender.seal(edgeKey.id(), message);
        byte[] otherRecipient = sealed.clone();
        otherRecipient[5] ^= 1;
        byte[] otherFormat = sealed.clone();
        otherFormat[0] = 2;

        assertReason(() -> edge.open(otherRecipient), Reason.NOT_FOR_THIS_NODE);
        assertReason(() -> edge.open(otherFormat), Reason.MALFORMED);
    }

    @Test
    void smallOrderEphemeralKeyIsTampering() {
        byte[] sealed = sender.seal(edgeKey.id(), message);
        Arrays.fill(sealed, 33, 65, (byte) 0); // u = 0: X25519 with it gives the all-zero secret

        assertReason(() -> edge.open(sealed), Reason.TAMPERED);
    }

    @Test
    void truncatedPayloadsAreRefused() {
        byte[] sealed = sender.seal(edgeKey.id(), message);

        assertReason(() -> edge.open(new byte[0]), Reason.MALFORMED);
        assertReason(() -> edge.open(Arrays.copyOf(sealed, NodeSealer.OVERHEAD - 1)), Reason.MALFORMED);
        assertReason(() -> edge.open(Arrays.copyOf(sealed, sealed.length - 1)), Reason.TAMPERED);
        assertReason(() -> edge.open(Arrays.copyOf(sealed, NodeSealer.OVERHEAD)), Reason.TAMPERED);
    }

    @Test
    void whatARelaySeesRevealsNothingOfThePayload() {
        byte[] first = sender.seal(edgeKey.id(), message);
        byte[] second = sender.seal(edgeKey.id(), message);

        // Same recipient header, then nothing in common: a new ephemeral key and an unrelated ciphertext each time.
        assertThat(Arrays.copyOf(first, 33)).isEqualTo(Arrays.copyOf(second, 33));
        assertThat(Arrays.copyOfRange(first, 33, 65)).isNotEqualTo(Arrays.copyOfRange(second, 33, 65));
        byte[] c1 = Arrays.copyOfRange(first, 65, first.length);
        byte[] c2 = Arrays.copyOfRange(second, 65, second.length);
        int equalBytes = 0;
        for (int i = 0; i < c1.length; i++) {
            equalBytes += c1[i] == c2[i] ? 1 : 0;
        }
        assertThat(equalBytes).as("bytes equal by chance").isLessThan(8);
        assertThat(indexOf(first, Arrays.copyOf(message, 8))).isEqualTo(-1);
        assertThat(indexOf(first, senderKey.id().publicKey())).as("the sender is not named").isEqualTo(-1);
    }

    @Test
    void refusesToSealForAnIdThatIsNotAKey() {
        byte[] neutral = new byte[32];
        neutral[0] = 1;

        assertThatThrownBy(() -> sender.seal(NodeId.of(neutral), message)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void opensWithAnIndependentImplementationOfTheDocumentedFormat() throws Exception {
        // The recipient side written from the format description with the JDK's own X25519, HMAC and ChaCha20-Poly1305.
        byte[] sealed = sender.seal(edgeKey.id(), message);
        byte[] header = Arrays.copyOf(sealed, 65);
        byte[] ephemeral = Arrays.copyOfRange(sealed, 33, 65);
        byte[] recipientX = X25519Keys.publicKey(edgeKey.id());

        KeyFactory xdh = KeyFactory.getInstance("XDH");
        PrivateKey mine = xdh.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, X25519Keys.privateKey(edgeKey.seed())));
        PublicKey theirs = xdh.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, littleEndian(ephemeral)));
        KeyAgreement agreement = KeyAgreement.getInstance("XDH");
        agreement.init(mine);
        agreement.doPhase(theirs, true);
        byte[] shared = agreement.generateSecret();

        // HKDF (RFC 5869): extract, then expand to 44 bytes = T(1) || first 12 bytes of T(2).
        byte[] info = "hypha-seal-v1".getBytes(StandardCharsets.UTF_8);
        byte[] prk = hmac(concat(ephemeral, recipientX), shared);
        byte[] t1 = hmac(prk, concat(info, new byte[] {1}));
        byte[] t2 = hmac(prk, concat(concat(t1, info), new byte[] {2}));
        byte[] okm = Arrays.copyOf(concat(t1, t2), 44);
        Cipher chacha = Cipher.getInstance("ChaCha20-Poly1305");
        chacha.init(Cipher.DECRYPT_MODE, new SecretKeySpec(okm, 0, 32, "ChaCha20"), new IvParameterSpec(okm, 32, 12));
        chacha.updateAAD(header);

        assertThat(chacha.doFinal(sealed, 65, sealed.length - 65)).isEqualTo(message);
    }

    // ---------------------------------------------------------------- sealFrom / openFrom (hypha-seal-from-v1)

    private final Ed25519NodeKey strangerKey = Ed25519NodeKey.generate(random);
    private final NodeSealer stranger = new NodeSealer(strangerKey, random);

    @Test
    void recipientOpensWhatTheSenderSealedFromItself() throws Exception {
        for (int length : new int[] {0, 1, 63, 64, 65, 1024, 100_000}) {
            byte[] plaintext = new byte[length];
            random.nextBytes(plaintext);

            byte[] sealed = sender.sealFrom(edgeKey.id(), plaintext);

            assertThat(sealed).hasSize(length + NodeSealer.FROM_OVERHEAD);
            assertThat(sealed[0]).isEqualTo(NodeSealer.FROM_FORMAT);
            assertThat(edge.openFrom(senderKey.id(), sealed)).isEqualTo(plaintext);
        }
        assertThat(NodeSealer.FROM_OVERHEAD).isEqualTo(29);
    }

    @Test
    void bothDirectionsOfAPairWorkWithCachedKeysAndANodeCanSealFromItselfForItself() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(edge.openFrom(senderKey.id(), sender.sealFrom(edgeKey.id(), message))).isEqualTo(message);
            assertThat(sender.openFrom(edgeKey.id(), edge.sealFrom(senderKey.id(), message))).isEqualTo(message);
        }
        assertThat(edge.openFrom(edgeKey.id(), edge.sealFrom(edgeKey.id(), message))).isEqualTo(message);
    }

    @Test
    void anyChangedBitOfASealedFromPayloadIsTampering() {
        byte[] sealed = sender.sealFrom(edgeKey.id(), message);

        for (int i = 1; i < sealed.length; i++) {
            for (int bit = 0; bit < 8; bit += 3) {
                byte[] tampered = sealed.clone();
                tampered[i] ^= (byte) (1 << bit);
                String part = i < NodeSealer.FROM_HEADER_LENGTH ? "nonce"
                        : i < sealed.length - NodeSealer.TAG_LENGTH ? "ciphertext" : "tag";
                assertThatThrownBy(() -> edge.openFrom(senderKey.id(), tampered)).as("%s byte %d bit %d", part, i, bit)
                        .isInstanceOfSatisfying(SealException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TAMPERED));
            }
        }
        assertReason(() -> edge.openFrom(senderKey.id(), Arrays.copyOf(sealed, sealed.length - 1)), Reason.TAMPERED);
    }

    @Test
    void aPayloadSealedByAnotherNodeDoesNotOpenAsTheClaimedSender() throws Exception {
        // A relay (or any node) sealing for the edge cannot pass it off as the sender's: the pair key differs.
        byte[] forged = stranger.sealFrom(edgeKey.id(), message);

        assertReason(() -> edge.openFrom(senderKey.id(), forged), Reason.TAMPERED);
        assertThat(edge.openFrom(strangerKey.id(), forged)).as("it opens as the stranger's, which it is").isEqualTo(message);
    }

    @Test
    void anotherRecipientCannotOpenIt() {
        byte[] sealed = sender.sealFrom(edgeKey.id(), message);

        assertReason(() -> stranger.openFrom(senderKey.id(), sealed), Reason.TAMPERED);
        assertReason(() -> sender.openFrom(senderKey.id(), sealed), Reason.TAMPERED);
        assertReason(() -> sender.openFrom(edgeKey.id(), sealed), Reason.TAMPERED);
    }

    @Test
    void malformedSealedFromPayloadsAreRefused() {
        byte[] sealed = sender.sealFrom(edgeKey.id(), message);
        byte[] otherFormat = sealed.clone();
        otherFormat[0] = NodeSealer.FORMAT;
        byte[] anonymous = sender.seal(edgeKey.id(), message);

        assertReason(() -> edge.openFrom(senderKey.id(), new byte[0]), Reason.MALFORMED);
        assertReason(() -> edge.openFrom(senderKey.id(), Arrays.copyOf(sealed, NodeSealer.FROM_OVERHEAD - 1)), Reason.MALFORMED);
        assertReason(() -> edge.openFrom(senderKey.id(), otherFormat), Reason.MALFORMED);
        assertReason(() -> edge.openFrom(senderKey.id(), anonymous), Reason.MALFORMED);
        assertReason(() -> edge.open(sealed), Reason.MALFORMED);
        assertReason(() -> edge.openFrom(senderKey.id(), Arrays.copyOf(sealed, NodeSealer.FROM_OVERHEAD)), Reason.TAMPERED);
    }

    @Test
    void anIdThatIsNotAKeyCanNeitherBeSealedForNorHaveSealed() {
        byte[] neutral = new byte[32];
        neutral[0] = 1;
        byte[] sealed = sender.sealFrom(edgeKey.id(), message);

        assertThatThrownBy(() -> sender.sealFrom(NodeId.of(neutral), message)).isInstanceOf(IllegalArgumentException.class);
        assertReason(() -> edge.openFrom(NodeId.of(neutral), sealed), Reason.TAMPERED);
    }

    @Test
    void sealingTheSameBytesTwiceGivesUnrelatedPayloads() {
        byte[] first = sender.sealFrom(edgeKey.id(), message);
        byte[] second = sender.sealFrom(edgeKey.id(), message);

        assertThat(Arrays.copyOfRange(first, 1, NodeSealer.FROM_HEADER_LENGTH))
                .as("fresh nonce").isNotEqualTo(Arrays.copyOfRange(second, 1, NodeSealer.FROM_HEADER_LENGTH));
        assertThat(Arrays.copyOfRange(first, NodeSealer.FROM_HEADER_LENGTH, first.length))
                .isNotEqualTo(Arrays.copyOfRange(second, NodeSealer.FROM_HEADER_LENGTH, second.length));
        assertThat(indexOf(first, Arrays.copyOf(message, 8))).isEqualTo(-1);
        assertThat(indexOf(first, senderKey.id().publicKey())).as("the sender is not named").isEqualTo(-1);
        assertThat(indexOf(first, edgeKey.id().publicKey())).as("nor the recipient").isEqualTo(-1);
    }

    @Test
    void opensFromWithAnIndependentImplementationOfTheDocumentedFormat() throws Exception {
        // The recipient side written from the format description with the JDK's own X25519, HMAC and ChaCha20-Poly1305.
        byte[] sealed = sender.sealFrom(edgeKey.id(), message);
        byte[] senderId = senderKey.id().publicKey();
        byte[] recipientId = edgeKey.id().publicKey();

        KeyFactory xdh = KeyFactory.getInstance("XDH");
        PrivateKey mine = xdh.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, X25519Keys.privateKey(edgeKey.seed())));
        PublicKey theirs = xdh.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519,
                littleEndian(X25519Keys.publicKey(senderKey.id()))));
        KeyAgreement agreement = KeyAgreement.getInstance("XDH");
        agreement.init(mine);
        agreement.doPhase(theirs, true);
        byte[] shared = agreement.generateSecret();

        // HKDF (RFC 5869) without salt (HashLen zero bytes), expanded to 32 bytes = T(1).
        byte[] info = concat(concat("hypha-seal-from-v1".getBytes(StandardCharsets.UTF_8), senderId), recipientId);
        byte[] prk = hmac(new byte[32], shared);
        byte[] key = hmac(prk, concat(info, new byte[] {1}));
        Cipher chacha = Cipher.getInstance("ChaCha20-Poly1305");
        chacha.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(sealed, 1, 12));
        chacha.updateAAD(concat(concat(new byte[] {2}, senderId), recipientId));

        assertThat(chacha.doFinal(sealed, 13, sealed.length - 13)).isEqualTo(message);
    }

    private static byte[] hmac(byte[] key, byte[] data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data);
    }

    private static BigInteger littleEndian(byte[] bytes) {
        byte[] big = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            big[i] = bytes[bytes.length - 1 - i];
        }
        return new BigInteger(1, big);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
