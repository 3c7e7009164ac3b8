package io.hypha.identity.internal.tls;

import io.hypha.api.NodeId;
import io.hypha.identity.internal.Crypto;
import io.hypha.identity.internal.tls.PeerCertificateException.Reason;
import java.io.IOException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;

/**
 * Checks that a peer's certificate chain proves a node identity, the libp2p TLS way. Stateless apart from its clock;
 * thread-safe.
 *
 * <p>The checks, in order; the first that fails decides the {@link Reason}:
 * <ol>
 *   <li>exactly one certificate ({@link Reason#NO_CERTIFICATE}, {@link Reason#TOO_MANY_CERTIFICATES});</li>
 *   <li>it parses as X.509 v3, with no extension repeated ({@link Reason#UNPARSEABLE_CERTIFICATE});</li>
 *   <li>now is within notBefore..notAfter, both inclusive ({@link Reason#NOT_YET_VALID}, {@link Reason#EXPIRED});</li>
 *   <li>its key is ECDSA P-256 or P-384, or Ed25519 ({@link Reason#UNSUPPORTED_KEY});</li>
 *   <li>every critical extension is understood ({@link Reason#UNKNOWN_CRITICAL_EXTENSION}); understood are the
 *       node identity extension, basic constraints, key usage, extended key usage and subject alternative names
 *       (the last four are allowed and ignored);</li>
 *   <li>it is signed by its own key, with matching algorithm identifiers ({@link Reason#BAD_SELF_SIGNATURE});</li>
 *   <li>it has the node identity extension ({@link Reason#MISSING_EXTENSION}), a well-formed {@link SignedKey}
 *       ({@link Reason#MALFORMED_EXTENSION});</li>
 *   <li>the node key's signature over the certificate's SubjectPublicKeyInfo, as encoded in the certificate,
 *       verifies ({@link Reason#BAD_SIGNATURE});</li>
 *   <li>the node is the expected one, if one is expected ({@link Reason#WRONG_PEER}).</li>
 * </ol>
 * Nothing else about the certificate matters: names, serial and issuer are informational. The TLS handshake itself
 * proves that the peer holds the certificate's private key.
 */
public final class PeerCertificateVerifier {
    private static final Set<ASN1ObjectIdentifier> UNDERSTOOD_CRITICAL = Set.of(SignedKey.OID,
            Extension.basicConstraints, Extension.keyUsage, Extension.extendedKeyUsage, Extension.subjectAlternativeName);

    private final Clock clock;
    private final Crypto crypto;

    /**
     * @param clock  the time certificates must be valid at
     * @param crypto the Ed25519 verifier
     */
    public PeerCertificateVerifier(Clock clock, Crypto crypto) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.crypto = Objects.requireNonNull(crypto, "crypto");
    }

    /**
     * Verifies a peer's chain.
     *
     * @param chain    the peer's certificates, its own first
     * @param expected the node that must be proven, or {@code null} to accept any
     * @return the node the certificate proves
     * @throws PeerCertificateException if any check fails; its reason says which
     */
    public NodeId verify(X509Certificate[] chain, NodeId expected) throws PeerCertificateException {
        if (chain == null || chain.length == 0 || chain[0] == null) {
            throw fail(Reason.NO_CERTIFICATE, "the peer presented no certificate", null);
        }
        if (chain.length > 1) {
            throw fail(Reason.TOO_MANY_CERTIFICATES,
                    "the peer presented " + chain.length + " certificates; a Hypha node presents exactly one", null);
        }
        X509CertificateHolder certificate = parse(chain[0]);

        Instant now = clock.instant();
        Instant notBefore = certificate.getNotBefore().toInstant();
        Instant notAfter = certificate.getNotAfter().toInstant();
        if (now.isBefore(notBefore)) {
            throw fail(Reason.NOT_YET_VALID, "the peer certificate is valid only from " + notBefore + " (now " + now
                    + "); one of the two clocks is wrong", null);
        }
        if (now.isAfter(notAfter)) {
            throw fail(Reason.EXPIRED, "the peer certificate expired at " + notAfter + " (now " + now + ")", null);
        }

        checkKeyType(certificate.getSubjectPublicKeyInfo().getAlgorithm());
        Extensions extensions = certificate.getExtensions();
        if (extensions != null) {
            for (ASN1ObjectIdentifier oid : extensions.getCriticalExtensionOIDs()) {
                if (!UNDERSTOOD_CRITICAL.contains(oid)) {
                    throw fail(Reason.UNKNOWN_CRITICAL_EXTENSION,
                            "the peer certificate has a critical extension " + oid + " that Hypha does not understand", null);
                }
            }
        }
        checkSelfSignature(certificate);

        Extension extension = extensions == null ? null : extensions.getExtension(SignedKey.OID);
        if (extension == null) {
            throw fail(Reason.MISSING_EXTENSION, "the peer certificate has no node identity extension " + SignedKey.OID
                    + "; the peer is not a Hypha node (or speaks another certificate format)", null);
        }
        SignedKey signedKey = SignedKey.parse(extension.getExtnValue().getOctets());

        byte[] spki;
        try {
            spki = certificate.getSubjectPublicKeyInfo().getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw fail(Reason.UNPARSEABLE_CERTIFICATE, "the peer certificate's public key cannot be encoded", e);
        }
        NodeId node = signedKey.node();
        if (!crypto.verify(node, SignedKey.SIGNING_CONTEXT, spki, signedKey.signature())) {
            throw fail(Reason.BAD_SIGNATURE, "the node identity extension of the peer certificate claims node " + node
                    + ", but its signature over the certificate key does not verify with that node's key", null);
        }
        if (expected != null && !expected.equals(node)) {
            throw fail(Reason.WRONG_PEER, "the peer proved to be node " + node + ", not the expected node " + expected, null);
        }
        return node;
    }

    private static X509CertificateHolder parse(X509Certificate certificate) throws PeerCertificateException {
        try {
            X509CertificateHolder holder = new X509CertificateHolder(certificate.getEncoded());
            if (holder.getVersionNumber() != 3) {
                throw fail(Reason.UNPARSEABLE_CERTIFICATE,
                        "the peer certificate is X.509 version " + holder.getVersionNumber() + ", not 3", null);
            }
            return holder;
        } catch (CertificateEncodingException | IOException | RuntimeException e) {
            throw fail(Reason.UNPARSEABLE_CERTIFICATE, "the peer certificate cannot be parsed (" + e.getMessage() + ")", e);
        }
    }

    private static void checkKeyType(AlgorithmIdentifier algorithm) throws PeerCertificateException {
        ASN1ObjectIdentifier type = algorithm.getAlgorithm();
        if (type.equals(EdECObjectIdentifiers.id_Ed25519)) {
            return;
        }
        if (type.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
            Object curve = algorithm.getParameters();
            if (SECObjectIdentifiers.secp256r1.equals(curve) || SECObjectIdentifiers.secp384r1.equals(curve)) {
                return;
            }
            throw fail(Reason.UNSUPPORTED_KEY, "the peer certificate key is on curve " + curve
                    + "; only P-256 and P-384 (named curves) are accepted", null);
        }
        throw fail(Reason.UNSUPPORTED_KEY, "the peer certificate key has type " + type
                + "; only ECDSA P-256, P-384 and Ed25519 are accepted", null);
    }

    private static void checkSelfSignature(X509CertificateHolder certificate) throws PeerCertificateException {
        boolean valid;
        Exception cause = null;
        try {
            // The JDK's providers (no BouncyCastle provider is registered); the holder also checks that the signature
            // algorithm inside the signed part equals the outer one.
            valid = certificate.isSignatureValid(new JcaContentVerifierProviderBuilder().build(certificate));
        } catch (Exception e) {
            valid = false;
            cause = e;
        }
        if (!valid) {
            throw fail(Reason.BAD_SELF_SIGNATURE, "the peer certificate is not validly signed by its own key"
                    + (cause == null ? "" : " (" + cause.getMessage() + ")"), cause);
        }
    }

    private static PeerCertificateException fail(Reason reason, String message, Throwable cause) {
        return new PeerCertificateException(reason, message, cause);
    }
}
