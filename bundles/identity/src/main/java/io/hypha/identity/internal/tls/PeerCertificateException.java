package io.hypha.identity.internal.tls;

import io.hypha.api.transport.TransportError;
import io.hypha.api.transport.TransportException;
import java.util.Objects;

/**
 * A peer's certificate does not prove a node identity. Always {@link TransportError#AUTHENTICATION_FAILED} for the
 * transports (which see only {@link TransportException}); {@link #reason()} says which check failed, for tests,
 * metrics and logs inside the identity bundle.
 */
public final class PeerCertificateException extends TransportException {
    private static final long serialVersionUID = 1L;

    /** Which check of {@link PeerCertificateVerifier} failed. A closed set, one meaning per case. */
    public enum Reason {
        /** The peer sent no certificate (or a null one). */
        NO_CERTIFICATE,
        /** The peer sent more than its own certificate; the scheme allows exactly one. */
        TOO_MANY_CERTIFICATES,
        /** The certificate is not a parseable X.509 certificate. */
        UNPARSEABLE_CERTIFICATE,
        /** The current time is before the certificate's notBefore. */
        NOT_YET_VALID,
        /** The current time is after the certificate's notAfter. */
        EXPIRED,
        /** The certificate key is not one of the accepted types (ECDSA P-256 or P-384, Ed25519). */
        UNSUPPORTED_KEY,
        /** The certificate carries a critical extension this verifier does not understand. */
        UNKNOWN_CRITICAL_EXTENSION,
        /** The certificate is not validly signed by its own key. */
        BAD_SELF_SIGNATURE,
        /** The certificate has no node identity extension. */
        MISSING_EXTENSION,
        /** The node identity extension is not a well-formed SignedKey. */
        MALFORMED_EXTENSION,
        /** The node key's signature over the certificate key does not verify. */
        BAD_SIGNATURE,
        /** The certificate proves a node other than the one expected. */
        WRONG_PEER
    }

    /** Which check failed. */
    private final Reason reason;

    /**
     * @param reason  which check failed
     * @param message a sentence for operators saying what was found
     * @param cause   the underlying exception, or {@code null}
     */
    public PeerCertificateException(Reason reason, String message, Throwable cause) {
        super(TransportError.AUTHENTICATION_FAILED, message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** @return which check failed */
    public Reason reason() {
        return reason;
    }
}
