package io.hypha.identity.internal.tls;

import static io.hypha.identity.internal.tls.TestCertificates.RANDOM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.hypha.api.NodeId;
import io.hypha.api.transport.TransportError;
import io.hypha.identity.internal.Crypto;
import io.hypha.identity.internal.Ed25519NodeKey;
import io.hypha.identity.internal.tls.PeerCertificateException.Reason;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509v1CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

class PeerCertificateVerifierTest {
    private static final Instant NOW = Instant.parse("2030-01-01T12:00:00Z");

    private final Ed25519NodeKey alice = Ed25519NodeKey.generate(RANDOM);
    private final Ed25519NodeKey bob = Ed25519NodeKey.generate(RANDOM);
    private final PeerCertificateVerifier verifier = verifierAt(NOW);

    private static PeerCertificateVerifier verifierAt(Instant now) {
        return new PeerCertificateVerifier(Clock.fixed(now, ZoneOffset.UTC), new Crypto());
    }

    /** A certificate exactly as the real issuer makes it, valid for an hour around NOW. */
    private X509Certificate issued(Ed25519NodeKey node) {
        CertificateIssuer issuer = new CertificateIssuer(node, CertificateIssuer.newKeyPair(RANDOM), RANDOM);
        return issuer.issue(NOW.minusSeconds(1800), NOW.plusSeconds(1800));
    }

    private TestCertificates.Builder forged(Ed25519NodeKey node) {
        return TestCertificates.Builder.forNode(node).validity(NOW.minusSeconds(60), NOW.plusSeconds(60));
    }

    private PeerCertificateException refusal(X509Certificate[] chain, NodeId expected) {
        PeerCertificateException e = catchThrowableOfType(() -> verifier.verify(chain, expected), PeerCertificateException.class);
        assertThat(e).as("the verifier should have refused").isNotNull();
        assertThat(e.error()).isEqualTo(TransportError.AUTHENTICATION_FAILED);
        assertThat(e.getMessage()).startsWith("AUTHENTICATION_FAILED: ");
        return e;
    }

    private PeerCertificateException refusal(X509Certificate certificate) {
        return refusal(new X509Certificate[] {certificate}, null);
    }

    @Test
    void verifiesAGoodCertificateAndYieldsItsNodeId() throws Exception {
        X509Certificate certificate = issued(alice);

        assertThat(verifier.verify(new X509Certificate[] {certificate}, alice.id())).isEqualTo(alice.id());
        assertThat(verifier.verify(new X509Certificate[] {certificate}, null)).isEqualTo(alice.id());
    }

    @Test
    void acceptsACertificateFromTheFirstToTheLastSecondOfItsValidity() throws Exception {
        X509Certificate certificate = issued(alice);
        X509Certificate[] chain = {certificate};

        assertThat(verifierAt(NOW.minusSeconds(1800)).verify(chain, alice.id())).isEqualTo(alice.id());
        assertThat(verifierAt(NOW.plusSeconds(1800)).verify(chain, alice.id())).isEqualTo(alice.id());
    }

    @Test
    void refusesACertificateWithoutTheIdentityExtension() {
        PeerCertificateException e = refusal(forged(alice).withoutExtensions().build());

        assertThat(e.reason()).isEqualTo(Reason.MISSING_EXTENSION);
        assertThat(e.getMessage()).contains("no node identity extension", SignedKey.OID.getId());
    }

    @Test
    void refusesATamperedSignatureInTheExtension() throws Exception {
        KeyPair key = TestCertificates.ecKeyPair("secp256r1");
        SignedKey genuine = SignedKey.parse(TestCertificates.signedKeyFor(alice, key));
        byte[] signature = genuine.signature();
        signature[10] ^= 0x01;
        X509Certificate certificate = new TestCertificates.Builder(key).validity(NOW.minusSeconds(60), NOW.plusSeconds(60))
                .extension(SignedKey.OID, false, new SignedKey(genuine.nodeKey(), signature).toDer()).build();

        PeerCertificateException e = refusal(certificate);

        assertThat(e.reason()).isEqualTo(Reason.BAD_SIGNATURE);
        assertThat(e.getMessage()).contains("claims node " + alice.id(), "does not verify");
    }

    @Test
    void refusesAnExtensionSignedByAnotherNodeKeyThanTheOneItClaims() {
        KeyPair key = TestCertificates.ecKeyPair("secp256r1");
        byte[] bobsSignature = bob.sign(SignedKey.SIGNING_CONTEXT, TestCertificates.spki(key));
        X509Certificate certificate = new TestCertificates.Builder(key).validity(NOW.minusSeconds(60), NOW.plusSeconds(60))
                .extension(SignedKey.OID, false, new SignedKey(alice.id().publicKey(), bobsSignature).toDer()).build();

        PeerCertificateException e = refusal(certificate);

        assertThat(e.reason()).isEqualTo(Reason.BAD_SIGNATURE);
    }

    @Test
    void refusesASignatureMadeUnderAnotherContext() {
        KeyPair key = TestCertificates.ecKeyPair("secp256r1");
        byte[] advertSignature = alice.sign("hypha-node-advert-v1", TestCertificates.spki(key));
        X509Certificate certificate = new TestCertificates.Builder(key).validity(NOW.minusSeconds(60), NOW.plusSeconds(60))
                .extension(SignedKey.OID, false, new SignedKey(alice.id().publicKey(), advertSignature).toDer()).build();

        assertThat(refusal(certificate).reason()).isEqualTo(Reason.BAD_SIGNATURE);
    }

    @Test
    void refusesACertificateWhosePublicKeyIsNotTheSignedOne() {
        // Alice's genuine extension for one key, copied into a certificate for a key an attacker holds.
        KeyPair alicesKey = TestCertificates.ecKeyPair("secp256r1");
        byte[] alicesExtension = TestCertificates.signedKeyFor(alice, alicesKey);
        X509Certificate certificate = new TestCertificates.Builder(TestCertificates.ecKeyPair("secp256r1"))
                .validity(NOW.minusSeconds(60), NOW.plusSeconds(60)).extension(SignedKey.OID, false, alicesExtension).build();

        PeerCertificateException e = refusal(certificate);

        assertThat(e.reason()).isEqualTo(Reason.BAD_SIGNATURE);
        assertThat(e.getMessage()).contains(alice.id().toString());
    }

    @Test
    void refusesACertificateForAnotherNodeThanTheExpectedOne() {
        PeerCertificateException e = refusal(new X509Certificate[] {issued(bob)}, alice.id());

        assertThat(e.reason()).isEqualTo(Reason.WRONG_PEER);
        assertThat(e.getMessage()).contains("node " + bob.id(), "expected node " + alice.id());
    }

    @Test
    void refusesAnExpiredCertificate() {
        X509Certificate certificate = issued(alice);

        PeerCertificateException e = catchThrowableOfType(
                () -> verifierAt(NOW.plusSeconds(1801)).verify(new X509Certificate[] {certificate}, alice.id()),
                PeerCertificateException.class);

        assertThat(e.reason()).isEqualTo(Reason.EXPIRED);
        assertThat(e.getMessage()).contains("expired at " + NOW.plusSeconds(1800));
    }

    @Test
    void refusesACertificateThatIsNotYetValid() {
        X509Certificate certificate = issued(alice);

        PeerCertificateException e = catchThrowableOfType(
                () -> verifierAt(NOW.minusSeconds(1801)).verify(new X509Certificate[] {certificate}, alice.id()),
                PeerCertificateException.class);

        assertThat(e.reason()).isEqualTo(Reason.NOT_YET_VALID);
        assertThat(e.getMessage()).contains("valid only from " + NOW.minusSeconds(1800), "clocks");
    }

    @Test
    void refusesGarbageInTheExtension() {
        byte[] random = new byte[100];
        RANDOM.nextBytes(random);
        random[0] = 0x04; // an OCTET STRING tag with a wrong length, for good measure

        PeerCertificateException e = refusal(forged(alice).withoutExtensions().extension(SignedKey.OID, false, random).build());

        assertThat(e.reason()).isEqualTo(Reason.MALFORMED_EXTENSION);
    }

    @Test
    void refusesAnExtensionOfTheRightShapeButWrongLengths() {
        byte[] shortKey = hex("3063" + "041f" + "00".repeat(31) + "0440" + "11".repeat(64));

        PeerCertificateException e = refusal(forged(alice).withoutExtensions().extension(SignedKey.OID, false, shortKey).build());

        assertThat(e.reason()).isEqualTo(Reason.MALFORMED_EXTENSION);
    }

    @Test
    void refusesACertificateNotSignedByItsOwnKey() {
        KeyPair other = TestCertificates.ecKeyPair("secp256r1");

        PeerCertificateException e = refusal(forged(alice).signedWith(other.getPrivate(), "SHA256withECDSA").build());

        assertThat(e.reason()).isEqualTo(Reason.BAD_SELF_SIGNATURE);
    }

    @Test
    void refusesACertificateKeyOfAnUnsupportedType() {
        KeyPair p521 = TestCertificates.ecKeyPair("secp521r1");
        X509Certificate certificate = new TestCertificates.Builder(p521).signedWith(p521.getPrivate(), "SHA512withECDSA")
                .validity(NOW.minusSeconds(60), NOW.plusSeconds(60))
                .extension(SignedKey.OID, false, TestCertificates.signedKeyFor(alice, p521)).build();

        PeerCertificateException e = refusal(certificate);

        assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_KEY);
        assertThat(e.getMessage()).contains("P-256");
    }

    @Test
    void refusesAnUnknownCriticalExtensionButAcceptsUnderstoodOnes() throws Exception {
        X509Certificate unknown = forged(alice).extension(new ASN1ObjectIdentifier("1.2.3.4.5"), true, new byte[] {5, 0}).build();
        X509Certificate understood = forged(alice)
                .extension(Extension.basicConstraints, true, new BasicConstraints(false).getEncoded()).build();

        PeerCertificateException e = refusal(unknown);

        assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_CRITICAL_EXTENSION);
        assertThat(e.getMessage()).contains("1.2.3.4.5");
        assertThat(verifier.verify(new X509Certificate[] {understood}, alice.id())).isEqualTo(alice.id());
    }

    @Test
    void acceptsTheIdentityExtensionMarkedCritical() throws Exception {
        KeyPair key = TestCertificates.ecKeyPair("secp256r1");
        X509Certificate certificate = new TestCertificates.Builder(key).validity(NOW.minusSeconds(60), NOW.plusSeconds(60))
                .extension(SignedKey.OID, true, TestCertificates.signedKeyFor(alice, key)).build();

        assertThat(verifier.verify(new X509Certificate[] {certificate}, alice.id())).isEqualTo(alice.id());
    }

    @Test
    void refusesAVersionOneCertificateAsUnparseable() throws Exception {
        KeyPair key = TestCertificates.ecKeyPair("secp256r1");
        X500Name name = new X500Name("CN=v1");
        X509Certificate v1 = new JcaX509CertificateConverter().getCertificate(new X509v1CertificateBuilder(name, BigInteger.ONE,
                Date.from(NOW.minusSeconds(60)), Date.from(NOW.plusSeconds(60)), name,
                SubjectPublicKeyInfo.getInstance(key.getPublic().getEncoded()))
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));

        PeerCertificateException e = refusal(v1);

        assertThat(e.reason()).isEqualTo(Reason.UNPARSEABLE_CERTIFICATE);
        assertThat(e.getMessage()).contains("version 1");
    }

    @Test
    void refusesAnEmptyOrMissingChainAndChainsOfMoreThanOneCertificate() {
        X509Certificate certificate = issued(alice);

        assertThat(refusal(null, null).reason()).isEqualTo(Reason.NO_CERTIFICATE);
        assertThat(refusal(new X509Certificate[0], null).reason()).isEqualTo(Reason.NO_CERTIFICATE);
        assertThat(refusal(new X509Certificate[] {null}, null).reason()).isEqualTo(Reason.NO_CERTIFICATE);
        PeerCertificateException e = refusal(new X509Certificate[] {certificate, certificate}, alice.id());
        assertThat(e.reason()).isEqualTo(Reason.TOO_MANY_CERTIFICATES);
        assertThat(e.getMessage()).contains("2 certificates");
    }

    private static byte[] hex(String s) {
        return java.util.HexFormat.of().parseHex(s);
    }
}
