package io.hypha.transport.quic.internal;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;

/**
 * QUIC client authentication inside the connection (docs/wire-protocol.md, "QUIC client authentication").
 *
 * <p>Why: agent15 3.1, kwik's TLS engine, never sends a CertificateRequest, so a QUIC listener cannot ask the dialler
 * for a certificate in the TLS handshake. The dialler therefore proves its node identity in the first frames of the
 * connection's stream, before any frame reaches the Transport engine:
 *
 * <pre>
 *  dialler                                      listener
 *    │── CERTIFICATE 0x01 ‖ certificate DER ────▶│  verifyPeer(cert, any)
 *    │◀── CHALLENGE  0x02 ‖ nonce (32 bytes) ─────│
 *    │── PROOF       0x03 ‖ signature ───────────▶│  signature over (nonce, both certificates)
 *    │◀── ACCEPTED   0x04  |  REFUSED 0x05 ‖ why ──│
 * </pre>
 *
 * The signature is made with the dialler's certificate key over
 * {@code UTF-8("hypha-quic-client-auth-v1") ‖ 0x00 ‖ nonce ‖ SHA-256(listener certificate) ‖ SHA-256(dialler
 * certificate)}. The nonce makes it fresh; the listener's certificate (the one the dialler saw in the QUIC TLS
 * handshake) binds it to this listener, so a node that a dialler connects to cannot relay the proof to a third node.
 * Stateless helper; thread-safe.
 */
final class ClientAuth {
    /** Message types: the first byte of each authentication frame body. */
    enum Type {
        CERTIFICATE(1), CHALLENGE(2), PROOF(3), ACCEPTED(4), REFUSED(5);

        final byte code;

        Type(int code) {
            this.code = (byte) code;
        }

        static Type of(byte code) {
            for (Type t : values()) {
                if (t.code == code) {
                    return t;
                }
            }
            return null;
        }
    }

    /** Why a listener refused a dialler, as sent in REFUSED. */
    enum Refusal {
        /** The certificate proves no node, the node is denied, or the proof does not verify. */
        AUTHENTICATION_FAILED(1),
        /** The listener has no room for another connection, or it stopped accepting. */
        UNAVAILABLE(2),
        /** An authentication message was malformed or out of order. */
        MALFORMED(3);

        final byte code;

        Refusal(int code) {
            this.code = (byte) code;
        }

        static Refusal of(byte code) {
            for (Refusal r : values()) {
                if (r.code == code) {
                    return r;
                }
            }
            return MALFORMED;
        }
    }

    /** Length of the listener's nonce. */
    static final int NONCE_LENGTH = 32;
    /** The largest authentication frame accepted (a certificate is well under 2 KiB). */
    static final int MAX_MESSAGE = 8192;
    private static final byte[] CONTEXT = "hypha-quic-client-auth-v1".getBytes(StandardCharsets.UTF_8);

    private ClientAuth() {
    }

    /**
     * @param type    the message type
     * @param payload what follows the type byte (may be empty)
     * @return the frame body
     */
    static byte[] message(Type type, byte[] payload) {
        byte[] body = new byte[1 + payload.length];
        body[0] = type.code;
        System.arraycopy(payload, 0, body, 1, payload.length);
        return body;
    }

    /**
     * @param body a received frame body
     * @return its type, or {@code null} if it is empty or unknown
     */
    static Type typeOf(ByteBuffer body) {
        return body.hasRemaining() ? Type.of(body.get(body.position())) : null;
    }

    /** @return the payload of a received frame body (after the type byte), copied */
    static byte[] payloadOf(ByteBuffer body) {
        ByteBuffer b = body.duplicate();
        b.get();
        byte[] payload = new byte[b.remaining()];
        b.get(payload);
        return payload;
    }

    /**
     * @param der a certificate's DER encoding
     * @return the certificate
     * @throws CertificateException if it does not parse
     */
    static X509Certificate parseCertificate(byte[] der) throws CertificateException {
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    }

    /**
     * The dialler's proof.
     *
     * @param key                 the dialler's certificate key
     * @param nonce               the listener's challenge
     * @param listenerCertificate the certificate the listener presented in the QUIC handshake
     * @param diallerCertificate  the certificate the dialler sent in CERTIFICATE
     * @return the signature
     * @throws GeneralSecurityException if the key cannot sign
     */
    static byte[] sign(PrivateKey key, byte[] nonce, X509Certificate listenerCertificate, X509Certificate diallerCertificate)
            throws GeneralSecurityException {
        Signature signature = Signature.getInstance(algorithmFor(key));
        signature.initSign(key);
        signature.update(signedBytes(nonce, listenerCertificate, diallerCertificate));
        return signature.sign();
    }

    /**
     * Checks a dialler's proof.
     *
     * @return whether {@code proof} is the dialler certificate key's signature for this nonce and these certificates
     */
    static boolean verify(byte[] proof, byte[] nonce, X509Certificate listenerCertificate, X509Certificate diallerCertificate) {
        try {
            PublicKey key = diallerCertificate.getPublicKey();
            Signature signature = Signature.getInstance(algorithmFor(key));
            signature.initVerify(key);
            signature.update(signedBytes(nonce, listenerCertificate, diallerCertificate));
            return signature.verify(proof);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    private static byte[] signedBytes(byte[] nonce, X509Certificate listener, X509Certificate dialler)
            throws CertificateEncodingException {
        if (nonce.length != NONCE_LENGTH) {
            throw new IllegalArgumentException("a nonce has " + NONCE_LENGTH + " bytes, got " + nonce.length);
        }
        ByteBuffer bytes = ByteBuffer.allocate(CONTEXT.length + 1 + NONCE_LENGTH + 64);
        bytes.put(CONTEXT).put((byte) 0).put(nonce).put(sha256(listener.getEncoded())).put(sha256(dialler.getEncoded()));
        return bytes.array();
    }

    /** ECDSA with the hash that matches the curve (P-256: SHA-256, P-384: SHA-384), or Ed25519. */
    private static String algorithmFor(java.security.Key key) throws GeneralSecurityException {
        if (key instanceof ECKey ec) {
            int bits = ec.getParams().getCurve().getField().getFieldSize();
            return bits <= 256 ? "SHA256withECDSA" : bits <= 384 ? "SHA384withECDSA" : "SHA512withECDSA";
        }
        if ("Ed25519".equals(key.getAlgorithm()) || "EdDSA".equals(key.getAlgorithm())) {
            return "Ed25519";
        }
        throw new GeneralSecurityException("no signature algorithm for a " + key.getAlgorithm() + " key");
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is always present", e);
        }
    }
}
