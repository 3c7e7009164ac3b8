package io.hypha.identity.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hypha.api.NodeId;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.X25519PublicKeyParameters;
import org.junit.jupiter.api.Test;

class X25519KeysTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void convertsLibsodiumsTestKeyToTheSameX25519Keys() {
        // libsodium test/default/ed25519_convert.c and .exp: the seed, and the keys crypto_sign_ed25519_pk_to_curve25519
        // and crypto_sign_ed25519_sk_to_curve25519 give for it.
        byte[] seed = HEX.parseHex("421151a459faeade3d247115f94aedae42318124095afabe4d1451a559faedee");
        Ed25519NodeKey key = Ed25519NodeKey.fromSeed(seed);

        assertThat(HEX.formatHex(X25519Keys.publicKey(key.id())))
                .isEqualTo("f1814f0e8ff1043d8a44d25babff3cedcae6c22c3edaa48f857ae70de2baae50");
        assertThat(HEX.formatHex(X25519Keys.privateKey(seed)))
                .isEqualTo("8052030376d47112be7f73ed7a019293dd12ad910b654455798b4667d73de166");
    }

    @Test
    void convertedPublicKeyIsThePublicKeyOfTheConvertedPrivateKey() {
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < 50; i++) {
            Ed25519NodeKey key = Ed25519NodeKey.generate(random);
            byte[] scalar = X25519Keys.privateKey(key.seed());

            byte[] fromScalar = new X25519PrivateKeyParameters(scalar, 0).generatePublicKey().getEncoded();

            assertThat(X25519Keys.publicKey(key.id())).isEqualTo(fromScalar);
        }
    }

    @Test
    void twoNodesAgreeOnASharedSecretFromTheirConvertedKeys() {
        SecureRandom random = new SecureRandom();
        Ed25519NodeKey a = Ed25519NodeKey.generate(random);
        Ed25519NodeKey b = Ed25519NodeKey.generate(random);

        byte[] ab = new byte[32];
        byte[] ba = new byte[32];
        new X25519PrivateKeyParameters(X25519Keys.privateKey(a.seed()), 0)
                .generateSecret(new X25519PublicKeyParameters(X25519Keys.publicKey(b.id()), 0), ab, 0);
        new X25519PrivateKeyParameters(X25519Keys.privateKey(b.seed()), 0)
                .generateSecret(new X25519PublicKeyParameters(X25519Keys.publicKey(a.id()), 0), ba, 0);

        assertThat(ab).isEqualTo(ba).isNotEqualTo(new byte[32]);
    }

    @Test
    void clampsThePrivateScalar() {
        byte[] scalar = X25519Keys.privateKey(new byte[32]);

        assertThat(scalar[0] & 7).isZero();
        assertThat(scalar[31] & 0x80).isZero();
        assertThat(scalar[31] & 0x40).isEqualTo(0x40);
    }

    @Test
    void refusesIdsThatAreNotPointsOfThePrimeOrderGroup() {
        byte[] neutral = new byte[32];
        neutral[0] = 1; // y = 1: the neutral point
        byte[] orderFour = new byte[32]; // y = 0: a point of order 4
        byte[] nonCanonical = HEX.parseHex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"); // y = p

        for (byte[] bad : new byte[][] {neutral, orderFour, nonCanonical}) {
            assertThatThrownBy(() -> X25519Keys.publicKey(NodeId.of(bad)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a valid Ed25519 public key");
        }
    }
}
