package io.hypha.identity.internal.tls;

import io.hypha.api.NodeId;
import io.hypha.api.identity.NodeIdentity;
import io.hypha.api.transport.TransportCredentials;
import io.hypha.api.transport.TransportException;
import io.hypha.identity.internal.Crypto;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's {@link TransportCredentials}: a fresh ECDSA P-256 key pair per activation (per node start), vouched
 * for by the node key through the {@link SignedKey} extension, and short-lived self-signed certificates for it that
 * are re-issued before they expire. Thread-safe.
 *
 * <h2>Why the key pair lives as long as the activation</h2>
 * {@link #certificate()} and {@link #certificateKey()} are two calls; a TLS stack asks for one, then the other. If
 * the key changed at renewal, a handshake racing a renewal could pair a certificate with the wrong key. So renewal
 * re-issues the certificate for the same key (the node key's signature, which covers only the key, stays valid),
 * and every certificate this instance ever returns matches {@link #certificateKey()}. A new key pair comes with each
 * node start or configuration change (re-activation), as in libp2p.
 *
 * <h2>Renewal</h2>
 * Lazy, in {@link #certificate()}: when the current certificate has less than the renewal margin left, a new one is
 * issued (a millisecond of ECDSA signing) before returning. No thread or timer is needed.
 *
 * <p>Clocks: a certificate is valid from {@code clockSkewSeconds} before it was issued, and is renewed
 * {@code renewalMarginSeconds} before it expires; two nodes whose clocks differ by less than the smaller of the two
 * accept each other's certificates.
 */
@Component(service = TransportCredentials.class, configurationPid = TlsCredentialsComponent.PID)
@Designate(ocd = TlsCredentialsComponent.Config.class)
public final class TlsCredentialsComponent implements TransportCredentials {
    /** Configuration PID of this component. */
    public static final String PID = "io.hypha.identity.tls";

    private static final Logger LOG = LoggerFactory.getLogger(TlsCredentialsComponent.class);

    /** Configuration of the TLS credentials. */
    @ObjectClassDefinition(id = PID, name = "Hypha TLS credentials",
            description = "The short-lived certificates that transports present: a fresh ECDSA P-256 key per node "
                    + "start, vouched for by the node's Ed25519 key in a certificate extension.")
    public @interface Config {
        /** @return certificate lifetime in seconds */
        @AttributeDefinition(name = "Certificate validity (seconds)",
                description = "How long each certificate is valid after it is issued. Shorter limits how long a stolen "
                        + "certificate key is useful; each renewal costs one ECDSA signature. At least 60 and more than "
                        + "the renewal margin. Default 86400 (24 hours).")
        long validitySeconds() default 86_400L;

        /** @return renewal margin in seconds */
        @AttributeDefinition(name = "Renewal margin (seconds)",
                description = "A certificate is replaced when less than this much of its validity is left, so peers "
                        + "whose clocks run ahead by less than this still accept it. At least 0 and less than the "
                        + "validity. Default 3600 (1 hour).")
        long renewalMarginSeconds() default 3_600L;

        /** @return backdating of notBefore in seconds */
        @AttributeDefinition(name = "Clock skew allowance (seconds)",
                description = "Each certificate's notBefore is set this far before its issue time, so peers whose "
                        + "clocks run behind by less than this accept it. At least 0, at most 86400. Default 3600 "
                        + "(1 hour).")
        long clockSkewSeconds() default 3_600L;
    }

    /**
     * Checked settings.
     *
     * @param validity      how long a certificate is valid after issue
     * @param renewalMargin how long before expiry it is replaced
     * @param clockSkew     how far notBefore lies before the issue time
     */
    public record Settings(Duration validity, Duration renewalMargin, Duration clockSkew) {
        /** Shortest validity accepted. */
        public static final Duration MIN_VALIDITY = Duration.ofMinutes(1);
        /** Largest clock skew allowance accepted. */
        public static final Duration MAX_CLOCK_SKEW = Duration.ofDays(1);
        /** The defaults of {@link Config}. */
        public static final Settings DEFAULTS = new Settings(Duration.ofHours(24), Duration.ofHours(1), Duration.ofHours(1));

        /** @throws IllegalArgumentException with the attribute to fix, if a value is out of range */
        public Settings {
            Objects.requireNonNull(validity, "validity");
            Objects.requireNonNull(renewalMargin, "renewalMargin");
            Objects.requireNonNull(clockSkew, "clockSkew");
            if (validity.compareTo(MIN_VALIDITY) < 0) {
                throw new IllegalArgumentException(PID + ": validitySeconds must be at least " + MIN_VALIDITY.toSeconds()
                        + ", got " + validity.toSeconds());
            }
            if (renewalMargin.isNegative() || renewalMargin.compareTo(validity) >= 0) {
                throw new IllegalArgumentException(PID + ": renewalMarginSeconds must be at least 0 and less than "
                        + "validitySeconds (" + validity.toSeconds() + "), got " + renewalMargin.toSeconds());
            }
            if (clockSkew.isNegative() || clockSkew.compareTo(MAX_CLOCK_SKEW) > 0) {
                throw new IllegalArgumentException(PID + ": clockSkewSeconds must be between 0 and "
                        + MAX_CLOCK_SKEW.toSeconds() + ", got " + clockSkew.toSeconds());
            }
        }

        /**
         * @param config the component configuration
         * @return its settings
         * @throws IllegalArgumentException if a value is out of range
         */
        public static Settings of(Config config) {
            return new Settings(Duration.ofSeconds(config.validitySeconds()), Duration.ofSeconds(config.renewalMarginSeconds()),
                    Duration.ofSeconds(config.clockSkewSeconds()));
        }
    }

    /** A certificate and the instant from which it must be replaced. */
    private record Issued(X509Certificate certificate, Instant renewAt) {
    }

    private final NodeId node;
    private final Settings settings;
    private final Clock clock;
    private final CertificateIssuer issuer;
    private final PeerCertificateVerifier verifier;
    private final Object renewLock = new Object();
    private volatile Issued current;

    /**
     * Makes the key pair and the first certificate.
     *
     * @param identity the node identity that vouches for the certificates
     * @param config   the configuration
     * @throws IllegalArgumentException if the configuration is out of range (the component then stays inactive)
     */
    @Activate
    public TlsCredentialsComponent(@Reference NodeIdentity identity, Config config) {
        this(identity, Settings.of(config), Clock.systemUTC(), new SecureRandom());
    }

    /**
     * For tests and use without OSGi.
     *
     * @param identity the node identity
     * @param settings the settings
     * @param clock    the time certificates are issued and checked at
     * @param random   the randomness for keys and serials
     */
    public TlsCredentialsComponent(NodeIdentity identity, Settings settings, Clock clock, SecureRandom random) {
        this.node = identity.id();
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.issuer = new CertificateIssuer(identity, CertificateIssuer.newKeyPair(random), random);
        this.verifier = new PeerCertificateVerifier(clock, new Crypto());
        this.current = issue(clock.instant());
        LOG.info("Node {} TLS credentials ready: {} certificate valid until {}", node, CertificateIssuer.CURVE,
                current.certificate().getNotAfter().toInstant());
    }

    @Override
    public X509Certificate certificate() {
        Issued issued = current;
        Instant now = clock.instant();
        if (now.isBefore(issued.renewAt())) {
            return issued.certificate();
        }
        synchronized (renewLock) {
            issued = current;
            if (!now.isBefore(issued.renewAt())) {
                issued = issue(now);
                current = issued;
                LOG.debug("Node {} renewed its TLS certificate; valid until {}", node,
                        issued.certificate().getNotAfter().toInstant());
            }
            return issued.certificate();
        }
    }

    @Override
    public PrivateKey certificateKey() {
        return issuer.keyPair().getPrivate();
    }

    @Override
    public NodeId verifyPeer(X509Certificate[] chain, NodeId expected) throws TransportException {
        try {
            return verifier.verify(chain, expected);
        } catch (PeerCertificateException e) {
            LOG.debug("Node {} refused a peer certificate ({}): {}", node, e.reason(), e.getMessage());
            throw e;
        }
    }

    /** @return the settings in force */
    public Settings settings() {
        return settings;
    }

    private Issued issue(Instant now) {
        // X.509 times have whole seconds; rounding here keeps renewAt consistent with the certificate's notAfter.
        Instant issuedAt = now.truncatedTo(ChronoUnit.SECONDS);
        Instant notAfter = issuedAt.plus(settings.validity());
        X509Certificate certificate = issuer.issue(issuedAt.minus(settings.clockSkew()), notAfter);
        return new Issued(certificate, notAfter.minus(settings.renewalMargin()));
    }

    @Override
    public String toString() {
        return "TlsCredentials{" + node + "}";
    }
}
