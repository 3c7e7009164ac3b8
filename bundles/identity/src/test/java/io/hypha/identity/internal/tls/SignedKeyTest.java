package io.hypha.identity.internal.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.hypha.identity.internal.tls.PeerCertificateException.Reason;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class SignedKeyTest {
    private static final byte[] KEY = filled(32, 0x11);
    private static final byte[] SIGNATURE = filled(64, 0x22);

    private static byte[] filled(int length, int value) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    private static Reason refusalOf(String hexDer) {
        PeerCertificateException e = catchThrowableOfType(() -> SignedKey.parse(HexFormat.of().parseHex(hexDer)),
                PeerCertificateException.class);
        assertThat(e).as("parse should have refused " + hexDer).isNotNull();
        return e.reason();
    }

    @Test
    void encodesTheDocumentedDerSequenceOfTwoOctetStrings() {
        byte[] der = new SignedKey(KEY, SIGNATURE).toDer();

        assertThat(hex(der)).isEqualTo("3064" + "0420" + hex(KEY) + "0440" + hex(SIGNATURE));
    }

    @Test
    void parsesWhatItEncodes() throws Exception {
        SignedKey parsed = SignedKey.parse(new SignedKey(KEY, SIGNATURE).toDer());

        assertThat(parsed.nodeKey()).isEqualTo(KEY);
        assertThat(parsed.signature()).isEqualTo(SIGNATURE);
        assertThat(parsed).isEqualTo(new SignedKey(KEY, SIGNATURE));
    }

    @Test
    void refusesEverythingButCanonicalDerOfTheRightShape() {
        String good = "3064" + "0420" + hex(KEY) + "0440" + hex(SIGNATURE);

        assertThat(refusalOf("")).isEqualTo(Reason.MALFORMED_EXTENSION);
        assertThat(refusalOf("ff00ff")).isEqualTo(Reason.MALFORMED_EXTENSION);
        assertThat(refusalOf(good + "00")).as("trailing byte").isEqualTo(Reason.MALFORMED_EXTENSION);
        assertThat(refusalOf(good.substring(0, good.length() - 2))).as("truncated").isEqualTo(Reason.MALFORMED_EXTENSION);
        assertThat(refusalOf("308164" + good.substring(4))).as("long-form length (BER)").isEqualTo(Reason.MALFORMED_EXTENSION);
        assertThat(refusalOf("3080" + good.substring(4) + "0000")).as("indefinite length (BER)").isEqualTo(Reason.MALFORMED_EXTENSION);
        assertThat(refusalOf("3042" + "0420" + hex(KEY) + "0420" + hex(KEY))).as("short signature").isEqualTo(Reason.MALFORMED_EXTENSION);
        assertThat(refusalOf("3066" + "0420" + hex(KEY) + "0440" + hex(SIGNATURE) + "0500")).as("three elements")
                .isEqualTo(Reason.MALFORMED_EXTENSION);
        assertThat(refusalOf("3064" + "0c20" + hex(KEY) + "0440" + hex(SIGNATURE))).as("UTF8String instead of OCTET STRING")
                .isEqualTo(Reason.MALFORMED_EXTENSION);
        assertThat(refusalOf("0420" + hex(KEY))).as("not a sequence").isEqualTo(Reason.MALFORMED_EXTENSION);
    }

    @Test
    void refusesToBuildOneWithWrongLengths() {
        assertThatThrownBy(() -> new SignedKey(new byte[31], SIGNATURE)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SignedKey(KEY, new byte[65])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void usesAUuidDerivedOidAndAVersionedContext() {
        assertThat(SignedKey.OID.getId()).startsWith("2.25.");
        assertThat(SignedKey.SIGNING_CONTEXT).isEqualTo("hypha-tls-cert-key-v1");
    }
}
