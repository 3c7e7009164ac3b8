package io.hypha.netregistry.internal.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RegistryProtocolTest {
    @Test
    void aListOfAdvertsRoundTrips() {
        byte[] big = new byte[300];
        big[299] = 7;
        List<byte[]> items = List.of(new byte[] {1, 2, 3}, new byte[0], big);

        byte[] encoded = RegistryProtocol.encodeList(items);

        assertThat(encoded[0]).isEqualTo((byte) 3);
        assertThat(RegistryProtocol.decodeList(encoded, 3, 300)).hasValueSatisfying(decoded -> {
            assertThat(decoded).hasSize(3);
            assertThat(decoded.get(0)).containsExactly(1, 2, 3);
            assertThat(decoded.get(1)).isEmpty();
            assertThat(decoded.get(2)).isEqualTo(big);
        });
        assertThat(RegistryProtocol.decodeList(new byte[0], 3, 300)).hasValueSatisfying(l -> assertThat(l).isEmpty());
    }

    @Test
    void aListBeyondItsBoundsOrCutShortIsRefused() {
        byte[] two = RegistryProtocol.encodeList(List.of(new byte[] {1}, new byte[] {2}));

        assertThat(RegistryProtocol.decodeList(two, 1, 10)).as("too many items").isEmpty();
        assertThat(RegistryProtocol.decodeList(RegistryProtocol.encodeList(List.of(new byte[11])), 5, 10)).as("item too long").isEmpty();
        assertThat(RegistryProtocol.decodeList(new byte[] {5, 1, 2}, 5, 10)).as("item cut short").isEmpty();
        assertThat(RegistryProtocol.decodeList(new byte[] {(byte) 0x80}, 5, 10)).as("varint cut short").isEmpty();
        assertThat(RegistryProtocol.decodeList(new byte[] {(byte) 0x81, 0x00, 1}, 5, 10)).as("varint not minimal").isEmpty();
        assertThat(RegistryProtocol.decodeList(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1}, 5, 10))
                .as("varint too long").isEmpty();
    }

    @Test
    void aCountIsExactlyOneMinimalVarint() {
        assertThat(RegistryProtocol.decodeCount(RegistryProtocol.encodeCount(16))).contains(16);
        assertThat(RegistryProtocol.decodeCount(RegistryProtocol.encodeCount(300))).contains(300);
        assertThat(RegistryProtocol.encodeCount(300)).containsExactly(0xac, 0x02);
        assertThat(RegistryProtocol.decodeCount(new byte[] {16, 0})).as("trailing bytes").isEmpty();
        assertThat(RegistryProtocol.decodeCount(new byte[0])).isEmpty();
    }
}
