package io.hypha.identity.internal.tls;

import io.hypha.identity.internal.Ed25519NodeKey;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Builds certificates that the real issuer never would, to test that the verifier refuses them. */
final class TestCertificates {
    static final SecureRandom RANDOM = new SecureRandom();

    private TestCertificates() {
    }

    static KeyPair ecKeyPair(String curve) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec(curve), RANDOM);
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] spki(KeyPair keyPair) {
        try {
            return SubjectPublicKeyInfo.getInstance(keyPair.getPublic().getEncoded()).getEncoded("DER");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The extension value a node key would make for a certificate key. */
    static byte[] signedKeyFor(Ed25519NodeKey node, KeyPair certificateKey) {
        return new SignedKey(node.id().publicKey(), node.sign(SignedKey.SIGNING_CONTEXT, spki(certificateKey))).toDer();
    }

    /** A certificate under construction; every part can be replaced. */
    static final class Builder {
        private KeyPair subjectKey;
        private PrivateKey signingKey;
        private String signatureAlgorithm = "SHA256withECDSA";
        private Instant notBefore = Instant.now().minusSeconds(60);
        private Instant notAfter = Instant.now().plusSeconds(3600);
        private final List<Object[]> extensions = new ArrayList<>();

        Builder(KeyPair subjectKey) {
            this.subjectKey = subjectKey;
            this.signingKey = subjectKey.getPrivate();
        }

        /** A well-formed node certificate, as the real issuer makes, that tests then spoil. */
        static Builder forNode(Ed25519NodeKey node) {
            KeyPair keyPair = ecKeyPair("secp256r1");
            return new Builder(keyPair).extension(SignedKey.OID, false, signedKeyFor(node, keyPair));
        }

        Builder signedWith(PrivateKey key, String algorithm) {
            this.signingKey = key;
            this.signatureAlgorithm = algorithm;
            return this;
        }

        Builder validity(Instant from, Instant to) {
            this.notBefore = from;
            this.notAfter = to;
            return this;
        }

        Builder withoutExtensions() {
            extensions.clear();
            return this;
        }

        Builder extension(ASN1ObjectIdentifier oid, boolean critical, byte[] value) {
            extensions.add(new Object[] {oid, critical, value});
            return this;
        }

        X509Certificate build() {
            try {
                X500Name name = new X500Name("CN=test");
                X509v3CertificateBuilder builder = new X509v3CertificateBuilder(name, BigInteger.valueOf(RANDOM.nextInt(1 << 30) + 1L),
                        Date.from(notBefore), Date.from(notAfter), name,
                        SubjectPublicKeyInfo.getInstance(subjectKey.getPublic().getEncoded()));
                for (Object[] e : extensions) {
                    builder.addExtension((ASN1ObjectIdentifier) e[0], (Boolean) e[1], (byte[]) e[2]);
                }
                return new JcaX509CertificateConverter().getCertificate(
                        builder.build(new JcaContentSignerBuilder(signatureAlgorithm).build(signingKey)));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
