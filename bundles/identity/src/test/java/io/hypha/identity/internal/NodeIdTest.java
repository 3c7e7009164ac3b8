package io.hypha.identity.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hypha.api.NodeId;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Tests of {@link NodeId} (in plugin-api) where real keys are at hand. */
class NodeIdTest {
    private final SecureRandom random = new SecureRandom();

    @Test
    void printsAndParsesBackTheSameId() {
        for (int i = 0; i < 50; i++) {
            NodeId id = Ed25519NodeKey.generate(random).id();
            String text = id.toString();

            assertThat(text).hasSize(52).matches("[a-z2-7]{52}");
            assertThat(NodeId.parse(text)).isEqualTo(id).hasSameHashCodeAs(id);
            assertThat(NodeId.parse(text.toUpperCase())).isEqualTo(id);
        }
    }

    @Test
    void usesRfc4648Base32() {
        byte[] key = Arrays.copyOf("fooba".getBytes(StandardCharsets.US_ASCII), 32);

        assertThat(NodeId.of(new byte[32]).toString()).isEqualTo("a".repeat(52));
        assertThat(NodeId.of(key).toString()).startsWith("mzxw6ytb");
        assertThat(NodeId.of(key).shortForm()).isEqualTo("mzxw6ytb");
    }

    @Test
    void rejectsTextThatIsNotANodeId() {
        String valid = Ed25519NodeKey.generate(random).id().toString();

        assertThatThrownBy(() -> NodeId.parse(valid.substring(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NodeId.parse(valid + "a")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NodeId.parse("1" + valid.substring(1))).isInstanceOf(IllegalArgumentException.class);
        // The 52nd character carries 1 data bit and 4 padding bits, which must be zero.
        assertThatThrownBy(() -> NodeId.parse("a".repeat(51) + "b")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void comparesByKeyBytesUnsigned() {
        byte[] low = new byte[32];
        byte[] high = new byte[32];
        high[0] = (byte) 0x80;

        assertThat(NodeId.of(low)).isLessThan(NodeId.of(high));
        assertThat(NodeId.of(low.clone())).isEqualTo(NodeId.of(low));
    }

    @Test
    void copiesTheKeySoCallersCannotChangeIt() {
        byte[] key = new byte[32];
        NodeId id = NodeId.of(key);
        key[0] = 1;
        id.publicKey()[1] = 1;

        assertThat(id).isEqualTo(NodeId.of(new byte[32]));
    }
}
