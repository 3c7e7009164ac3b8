package io.hypha.identity.internal.tls;

import io.hypha.api.NodeId;
import io.hypha.identity.internal.Crypto;
import io.hypha.identity.internal.tls.PeerCertificateException.Reason;
import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;

/**
 * The content of the node identity extension of a Hypha TLS certificate: the node's Ed25519 public key and its
 * signature over the certificate's public key. This is the libp2p TLS scheme with Hypha's own key encoding,
 * signing context and OID (a libp2p peer could not read it, so it must not claim libp2p's OID).
 *
 * <h2>Format</h2>
 * Extension {@link #OID}, not critical, whose value (the extnValue OCTET STRING's content) is the DER encoding of
 * <pre>
 * SignedKey ::= SEQUENCE {
 *     nodeKey    OCTET STRING,  -- the 32-byte Ed25519 public key (RFC 8032): the NodeId
 *     signature  OCTET STRING   -- 64 bytes: Ed25519 over UTF-8("hypha-tls-cert-key-v1") || 0x00 || SPKI
 * }
 * </pre>
 * where {@code SPKI} is the DER encoding of the certificate's SubjectPublicKeyInfo, byte for byte as it appears in
 * the certificate. The signature is what {@code NodeIdentity.sign(SIGNING_CONTEXT, spki)} makes. Decoding is strict:
 * canonical DER, nothing after the sequence, exactly two octet strings of exactly those lengths.
 *
 * @param nodeKey   the 32 bytes of the node's Ed25519 public key
 * @param signature the 64-byte signature over the certificate's SubjectPublicKeyInfo
 */
public record SignedKey(byte[] nodeKey, byte[] signature) {
    /**
     * OID of the node identity extension: {@code 2.25.76981482015168875882386538798477155755}, a UUID-derived OID
     * (ITU-T X.667 / RFC 4122 section 5: arc 2.25 followed by the UUID {@code 39ea1819-6763-4627-aa62-b5e5a28b1dab}
     * as one integer), which needs no registration and cannot collide with anyone else's.
     */
    public static final ASN1ObjectIdentifier OID = new ASN1ObjectIdentifier("2.25.76981482015168875882386538798477155755");

    /** Domain-separation context of the node key's signature over the certificate key. */
    public static final String SIGNING_CONTEXT = "hypha-tls-cert-key-v1";

    /** Copies both arrays and checks their lengths. */
    public SignedKey {
        nodeKey = Objects.requireNonNull(nodeKey, "nodeKey").clone();
        signature = Objects.requireNonNull(signature, "signature").clone();
        if (nodeKey.length != NodeId.LENGTH || signature.length != Crypto.SIGNATURE_LENGTH) {
            throw new IllegalArgumentException("a SignedKey holds a " + NodeId.LENGTH + "-byte key and a "
                    + Crypto.SIGNATURE_LENGTH + "-byte signature, got " + nodeKey.length + " and " + signature.length);
        }
    }

    /** @return a copy of the node key bytes */
    @Override
    public byte[] nodeKey() {
        return nodeKey.clone();
    }

    /** @return a copy of the signature */
    @Override
    public byte[] signature() {
        return signature.clone();
    }

    /** @return the node the extension claims */
    public NodeId node() {
        return NodeId.of(nodeKey);
    }

    /** @return the DER encoding: the value to put in the extension */
    public byte[] toDer() {
        try {
            return new DERSequence(new ASN1Encodable[] {new DEROctetString(nodeKey), new DEROctetString(signature)})
                    .getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new IllegalStateException("DER encoding in memory cannot fail", e);
        }
    }

    /**
     * Decodes an extension value strictly.
     *
     * @param der the extension value (the content of extnValue)
     * @return the signed key
     * @throws PeerCertificateException with {@link Reason#MALFORMED_EXTENSION} if it is not exactly a canonical
     *                                  SignedKey
     */
    public static SignedKey parse(byte[] der) throws PeerCertificateException {
        ASN1Primitive value;
        try {
            // fromByteArray refuses trailing bytes after the first object.
            value = ASN1Primitive.fromByteArray(der);
        } catch (IOException | RuntimeException e) {
            throw malformed("is not DER (" + e.getMessage() + ")", e);
        }
        if (!(value instanceof ASN1Sequence sequence) || sequence.size() != 2
                || !(sequence.getObjectAt(0) instanceof ASN1OctetString key)
                || !(sequence.getObjectAt(1) instanceof ASN1OctetString signature)) {
            throw malformed("is not a SEQUENCE of two OCTET STRINGs", null);
        }
        byte[] canonical;
        try {
            canonical = value.getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw malformed("cannot be re-encoded (" + e.getMessage() + ")", e);
        }
        // BER forms (indefinite lengths, constructed strings, long-form lengths) parse too; only DER is accepted, so
        // that one certificate key has exactly one valid extension encoding.
        if (!Arrays.equals(canonical, der)) {
            throw malformed("is not in canonical DER", null);
        }
        byte[] keyBytes = key.getOctets();
        byte[] signatureBytes = signature.getOctets();
        if (keyBytes.length != NodeId.LENGTH) {
            throw malformed("holds a " + keyBytes.length + "-byte node key instead of " + NodeId.LENGTH, null);
        }
        if (signatureBytes.length != Crypto.SIGNATURE_LENGTH) {
            throw malformed("holds a " + signatureBytes.length + "-byte signature instead of " + Crypto.SIGNATURE_LENGTH, null);
        }
        return new SignedKey(keyBytes, signatureBytes);
    }

    private static PeerCertificateException malformed(String problem, Throwable cause) {
        return new PeerCertificateException(Reason.MALFORMED_EXTENSION,
                "the peer certificate's node identity extension " + problem, cause);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SignedKey other && Arrays.equals(nodeKey, other.nodeKey) && Arrays.equals(signature, other.signature);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(nodeKey) + Arrays.hashCode(signature);
    }

    @Override
    public String toString() {
        return "SignedKey{" + node() + "}";
    }
}
