package io.hypha.identity.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hypha.api.NodeId;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.junit.jupiter.api.Test;

class CryptoTest {
    private static final String CONTEXT = "hypha-test-v1";
    private static final byte[] MESSAGE = "the canonical encoding".getBytes(StandardCharsets.UTF_8);

    private final SecureRandom random = new SecureRandom();
    private final Ed25519NodeKey key = Ed25519NodeKey.generate(random);
    private final Crypto crypto = new Crypto();

    @Test
    void verifiesWhatTheKeySigned() {
        byte[] signature = key.sign(CONTEXT, MESSAGE);

        assertThat(signature).hasSize(Crypto.SIGNATURE_LENGTH);
        assertThat(crypto.verify(key.id(), CONTEXT, MESSAGE, signature)).isTrue();
    }

    @Test
    void rejectsATamperedMessage() {
        byte[] signature = key.sign(CONTEXT, MESSAGE);
        byte[] tampered = MESSAGE.clone();
        tampered[3] ^= 1;

        assertThat(crypto.verify(key.id(), CONTEXT, tampered, signature)).isFalse();
    }

    @Test
    void rejectsATamperedSignature() {
        byte[] signature = key.sign(CONTEXT, MESSAGE);
        for (int i : new int[] {0, 31, 32, 63}) {
            byte[] tampered = signature.clone();
            tampered[i] ^= 0x40;
            assertThat(crypto.verify(key.id(), CONTEXT, MESSAGE, tampered)).as("bit flipped in byte %d", i).isFalse();
        }
    }

    @Test
    void rejectsASignatureByAnotherKey() {
        Ed25519NodeKey other = Ed25519NodeKey.generate(random);
        byte[] signature = other.sign(CONTEXT, MESSAGE);

        assertThat(crypto.verify(key.id(), CONTEXT, MESSAGE, signature)).isFalse();
        assertThat(crypto.verify(other.id(), CONTEXT, MESSAGE, signature)).isTrue();
    }

    @Test
    void rejectsASignatureMadeUnderAnotherContext() {
        byte[] signature = key.sign("hypha-node-advert-v1", MESSAGE);

        assertThat(crypto.verify(key.id(), "hypha-domain-advert-v1", MESSAGE, signature)).isFalse();
    }

    @Test
    void separatesContextFromMessageSoBytesCannotMoveAcrossTheBoundary() {
        // "ab" + "c" and "a" + "bc" concatenate alike; the 0x00 separator keeps them apart.
        byte[] signature = key.sign("ab", "c".getBytes(StandardCharsets.UTF_8));

        assertThat(crypto.verify(key.id(), "a", "bc".getBytes(StandardCharsets.UTF_8), signature)).isFalse();
    }

    @Test
    void signsUtf8ContextThenZeroThenMessageWithPlainEd25519() {
        byte[] signature = key.sign("ctx-é", MESSAGE);

        byte[] prefix = "ctx-é".getBytes(StandardCharsets.UTF_8);
        Ed25519Signer raw = new Ed25519Signer();
        raw.init(false, new Ed25519PublicKeyParameters(key.id().publicKey()));
        raw.update(prefix, 0, prefix.length);
        raw.update((byte) 0);
        raw.update(MESSAGE, 0, MESSAGE.length);
        assertThat(raw.verifySignature(signature)).isTrue();
    }

    @Test
    void returnsFalseForMalformedSignatures() {
        byte[] good = key.sign(CONTEXT, MESSAGE);
        byte[] allOnes = new byte[64];
        Arrays.fill(allOnes, (byte) 0xff);

        assertThat(crypto.verify(key.id(), CONTEXT, MESSAGE, null)).isFalse();
        assertThat(crypto.verify(key.id(), CONTEXT, MESSAGE, new byte[0])).isFalse();
        assertThat(crypto.verify(key.id(), CONTEXT, MESSAGE, Arrays.copyOf(good, 63))).isFalse();
        assertThat(crypto.verify(key.id(), CONTEXT, MESSAGE, Arrays.copyOf(good, 65))).isFalse();
        assertThat(crypto.verify(key.id(), CONTEXT, MESSAGE, new byte[64])).isFalse();
        assertThat(crypto.verify(key.id(), CONTEXT, MESSAGE, allOnes)).isFalse();
    }

    @Test
    void returnsFalseForASignerThatIsNotACurvePoint() {
        byte[] notAPoint = new byte[32];
        Arrays.fill(notAPoint, (byte) 0xff);

        assertThat(crypto.verify(NodeId.of(notAPoint), CONTEXT, MESSAGE, key.sign(CONTEXT, MESSAGE))).isFalse();
    }

    @Test
    void refusesToSignUnderAnAmbiguousContextAndNeverVerifiesOne() {
        assertThatThrownBy(() -> key.sign("", MESSAGE)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> key.sign("a\0b", MESSAGE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a\\0b");

        assertThat(crypto.verify(key.id(), "", MESSAGE, key.sign(CONTEXT, MESSAGE))).isFalse();
        assertThat(crypto.verify(key.id(), "a\0b", MESSAGE, key.sign(CONTEXT, MESSAGE))).isFalse();
    }

    @Test
    void derivesTheRfc8032PublicKeyFromItsSeed() {
        // RFC 8032 section 7.1, TEST 1.
        byte[] seed = HexFormat.of().parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        byte[] publicKey = HexFormat.of().parseHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");

        assertThat(Ed25519NodeKey.fromSeed(seed).id()).isEqualTo(NodeId.of(publicKey));
    }

    @Test
    void refusesASeedOfTheWrongLength() {
        assertThatThrownBy(() -> Ed25519NodeKey.fromSeed(new byte[31])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void hashesTheEmptyInputToTheOfficialBlake3Vector() {
        assertThat(HexFormat.of().formatHex(crypto.digest(new byte[0])))
                .isEqualTo("af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262");
    }

    @Test
    void hashesToThirtyTwoBytesThatDependOnEveryInputByte() {
        byte[] a = crypto.digest(MESSAGE);
        byte[] changed = MESSAGE.clone();
        changed[changed.length - 1] ^= 1;

        assertThat(a).hasSize(32).isEqualTo(crypto.digest(MESSAGE.clone()));
        assertThat(crypto.digest(changed)).isNotEqualTo(a);
    }

    @Test
    void neverShowsTheSeedInToString() {
        String seedHex = HexFormat.of().formatHex(key.seed());

        assertThat(key.toString()).contains(key.id().toString()).doesNotContain(seedHex);
    }
}
