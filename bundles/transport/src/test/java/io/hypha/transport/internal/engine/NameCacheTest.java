package io.hypha.transport.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class NameCacheTest {
    private final NameCache cache = new NameCache();

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theSameBytesGiveTheSameInstanceSoItsHashIsComputedOnce() throws Exception {
        String first = cache.decode(utf8("stream-sink"));
        assertThat(cache.decode(utf8("stream-sink"))).isSameAs(first).isEqualTo("stream-sink");
        assertThat(cache.decode(utf8("échange"))).isEqualTo("échange");
    }

    @Test
    void moreNamesThanSlotsAreStillDecodedRight() throws Exception {
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < NameCache.SLOTS * 2; i++) {
                assertThat(cache.decode(utf8("engine-" + i))).isEqualTo("engine-" + i);
            }
        }
    }

    @Test
    void invalidUtf8IsRefusedAndNotCached() {
        byte[] bad = {(byte) 0xc3, (byte) 0x28};
        assertThatThrownBy(() -> cache.decode(bad)).isInstanceOf(InvalidProtocolBufferException.class);
        assertThatThrownBy(() -> cache.decode(bad.clone())).isInstanceOf(InvalidProtocolBufferException.class);
    }
}
