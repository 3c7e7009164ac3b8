package io.hypha.identity.internal.tls;

import static io.hypha.identity.internal.tls.TestCertificates.RANDOM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hypha.api.transport.TransportException;
import io.hypha.identity.internal.Ed25519NodeKey;
import io.hypha.identity.internal.tls.TlsCredentialsComponent.Settings;
import java.lang.annotation.Annotation;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class TlsCredentialsComponentTest {
    private static final Instant START = Instant.parse("2030-06-01T08:00:00Z");
    private static final Settings SETTINGS = new Settings(Duration.ofHours(24), Duration.ofHours(1), Duration.ofMinutes(10));

    private final Ed25519NodeKey node = Ed25519NodeKey.generate(RANDOM);
    private final MutableClock clock = new MutableClock(START);
    private final TlsCredentialsComponent credentials = new TlsCredentialsComponent(node, SETTINGS, clock, RANDOM);

    @Test
    void issuesAP256CertificateForItsOwnKeyThatProvesTheNode() throws Exception {
        X509Certificate certificate = credentials.certificate();

        assertThat(certificate.getPublicKey()).isInstanceOf(ECPublicKey.class);
        // agent15 (kwik) reads the curve name from the JDK's ECParameterSpec.toString(): keep the JDK's classes.
        assertThat(((ECPublicKey) certificate.getPublicKey()).getParams().toString()).startsWith("secp256r1 ");
        assertThat(certificate.getSigAlgName()).isEqualTo("SHA256withECDSA");
        assertThat(certificate.getVersion()).isEqualTo(3);
        assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=" + node.id());
        assertThat(certificate.getNonCriticalExtensionOIDs()).containsExactly(SignedKey.OID.getId());
        assertThat(certificate.getCriticalExtensionOIDs()).isNullOrEmpty();

        Signature signature = Signature.getInstance("SHA256withECDSA");
        signature.initSign(credentials.certificateKey());
        signature.update(new byte[] {1, 2, 3});
        byte[] signed = signature.sign();
        signature.initVerify(certificate.getPublicKey());
        signature.update(new byte[] {1, 2, 3});
        assertThat(signature.verify(signed)).as("certificateKey() matches certificate()").isTrue();

        assertThat(credentials.verifyPeer(new X509Certificate[] {certificate}, node.id())).isEqualTo(node.id());
    }

    @Test
    void makesItValidFromTheSkewAllowanceBeforeIssueForTheConfiguredValidity() {
        X509Certificate certificate = credentials.certificate();

        assertThat(certificate.getNotBefore().toInstant()).isEqualTo(START.minus(Duration.ofMinutes(10)));
        assertThat(certificate.getNotAfter().toInstant()).isEqualTo(START.plus(Duration.ofHours(24)));
    }

    @Test
    void keepsTheSameCertificateUntilTheRenewalMarginIsReached() {
        X509Certificate first = credentials.certificate();

        clock.set(START.plus(Duration.ofHours(23)).minusSeconds(1));

        assertThat(credentials.certificate()).isSameAs(first);
    }

    @Test
    void renewsTheCertificateBeforeItExpiresAndKeepsTheKey() throws Exception {
        X509Certificate first = credentials.certificate();
        var key = credentials.certificateKey();
        Instant renewal = START.plus(Duration.ofHours(23));

        clock.set(renewal);
        X509Certificate second = credentials.certificate();

        assertThat(second).isNotEqualTo(first);
        assertThat(second.getSerialNumber()).isNotEqualTo(first.getSerialNumber());
        assertThat(second.getNotAfter().toInstant()).isEqualTo(renewal.plus(Duration.ofHours(24)));
        assertThat(second.getPublicKey()).isEqualTo(first.getPublicKey());
        assertThat(credentials.certificateKey()).isSameAs(key);
        assertThat(credentials.verifyPeer(new X509Certificate[] {second}, node.id())).isEqualTo(node.id());
        assertThat(credentials.certificate()).isSameAs(second);
    }

    @Test
    void refusesItsOwnOldCertificateOnceExpired() {
        X509Certificate first = credentials.certificate();

        clock.set(START.plus(Duration.ofHours(24)).plusSeconds(1));

        assertThatThrownBy(() -> credentials.verifyPeer(new X509Certificate[] {first}, node.id()))
                .isInstanceOfSatisfying(PeerCertificateException.class,
                        e -> assertThat(e.reason()).isEqualTo(PeerCertificateException.Reason.EXPIRED));
    }

    @Test
    void makesAFreshKeyPairForEachInstance() {
        TlsCredentialsComponent restarted = new TlsCredentialsComponent(node, SETTINGS, clock, RANDOM);

        assertThat(restarted.certificate().getPublicKey()).isNotEqualTo(credentials.certificate().getPublicKey());
    }

    @Test
    void refusesAPeerThatIsNotTheExpectedNodeAsATransportException() {
        TlsCredentialsComponent other = new TlsCredentialsComponent(Ed25519NodeKey.generate(RANDOM), SETTINGS, clock, RANDOM);

        assertThatThrownBy(() -> credentials.verifyPeer(new X509Certificate[] {other.certificate()}, node.id()))
                .isInstanceOf(TransportException.class)
                .hasMessageContaining("not the expected node " + node.id());
    }

    @Test
    void readsItsSettingsFromTheConfigurationWithDocumentedDefaults() throws Exception {
        Class<?> type = TlsCredentialsComponent.Config.class;
        TlsCredentialsComponent fromDefaults = new TlsCredentialsComponent(node, config(
                (Long) type.getMethod("validitySeconds").getDefaultValue(),
                (Long) type.getMethod("renewalMarginSeconds").getDefaultValue(),
                (Long) type.getMethod("clockSkewSeconds").getDefaultValue()));

        assertThat(fromDefaults.settings()).isEqualTo(Settings.DEFAULTS);
        assertThat(Settings.of(config(600, 0, 0))).isEqualTo(new Settings(Duration.ofMinutes(10), Duration.ZERO, Duration.ZERO));
    }

    @Test
    void refusesSettingsOutOfRangeNamingTheAttribute() {
        assertThatThrownBy(() -> Settings.of(config(59, 0, 0))).hasMessageContaining("validitySeconds");
        assertThatThrownBy(() -> Settings.of(config(3600, 3600, 0))).hasMessageContaining("renewalMarginSeconds");
        assertThatThrownBy(() -> Settings.of(config(3600, -1, 0))).hasMessageContaining("renewalMarginSeconds");
        assertThatThrownBy(() -> Settings.of(config(3600, 0, -1))).hasMessageContaining("clockSkewSeconds");
        assertThatThrownBy(() -> Settings.of(config(3600, 0, 86_401))).hasMessageContaining("clockSkewSeconds");
    }

    static TlsCredentialsComponent.Config config(long validity, long margin, long skew) {
        return new TlsCredentialsComponent.Config() {
            @Override
            public long validitySeconds() {
                return validity;
            }

            @Override
            public long renewalMarginSeconds() {
                return margin;
            }

            @Override
            public long clockSkewSeconds() {
                return skew;
            }

            @Override
            public Class<? extends Annotation> annotationType() {
                return TlsCredentialsComponent.Config.class;
            }
        };
    }

    /** A clock the test moves. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void set(Instant instant) {
            now = instant;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
