package io.hypha.bench.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class VarintTest {
    @Test
    void writesLengthsAsProtobufVarintsAndReadsThemBack() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int v : new int[] {0, 100, 127, 128, 10_240, Integer.MAX_VALUE}) {
            Varint.write(out, v);
        }
        byte[] bytes = out.toByteArray();
        // 100 fits one byte; 10,240 = 0x2800 takes two: 0x80 | 0x00, 0x50
        assertThat(bytes[1]).isEqualTo((byte) 100);
        assertThat(bytes[5]).isEqualTo((byte) 0x80);
        assertThat(bytes[6]).isEqualTo((byte) 0x50);
        ByteArrayInputStream in = new ByteArrayInputStream(bytes);
        for (int v : new int[] {0, 100, 127, 128, 10_240, Integer.MAX_VALUE}) {
            assertThat(Varint.read(in)).isEqualTo(v);
        }
        assertThat(BareRound.varintSize(100)).isEqualTo(1);
        assertThat(BareRound.varintSize(10_240)).isEqualTo(2);
    }

    @Test
    void refusesTruncatedAndOverlongPrefixes() {
        assertThatThrownBy(() -> Varint.read(new ByteArrayInputStream(new byte[] {(byte) 0x80}))).isInstanceOf(EOFException.class);
        byte[] overlong = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01};
        assertThatThrownBy(() -> Varint.read(new ByteArrayInputStream(overlong))).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> Varint.write(new ByteArrayOutputStream(), -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
