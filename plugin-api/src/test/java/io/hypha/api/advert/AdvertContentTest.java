package io.hypha.api.advert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hypha.api.NodeId;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdvertContentTest {
    private static final NodeId NODE = node(1);
    private static final Instant CREATED = Instant.parse("2030-01-01T00:00:00Z");
    private static final Instant EXPIRES = CREATED.plusSeconds(3600);

    static NodeId node(int b) {
        byte[] key = new byte[32];
        key[0] = (byte) b;
        return NodeId.of(key);
    }

    private static AdvertContent content(List<TransportAddress> addresses, List<NodeId> relays) {
        return new AdvertContent(NODE, addresses, relays, 1, 1, 1, CREATED, EXPIRES);
    }

    @Test
    void keepsItsFieldsAndCopiesTheLists() {
        List<TransportAddress> addresses = new ArrayList<>(List.of(TransportAddress.of("quic://127.0.0.1:4002")));
        List<NodeId> relays = new ArrayList<>(List.of(node(2)));

        AdvertContent content = new AdvertContent(NODE, addresses, relays, 1, 2, 7, CREATED, EXPIRES);
        addresses.clear();
        relays.clear();

        assertThat(content.addresses()).containsExactly(new TransportAddress(URI.create("quic://127.0.0.1:4002"), 100));
        assertThat(content.relays()).containsExactly(node(2));
        assertThat(content.version()).isEqualTo(7);
        assertThatThrownBy(() -> content.addresses().add(TransportAddress.of("tls://x:1")))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void dropsTimePrecisionBeyondTheMillisecond() {
        AdvertContent content = new AdvertContent(NODE, List.of(), List.of(), 1, 1, 1,
                CREATED.plusNanos(1_234_567), EXPIRES.plusNanos(999_999));

        assertThat(content.created()).isEqualTo(CREATED.plusMillis(1));
        assertThat(content.expires()).isEqualTo(EXPIRES);
    }

    @Test
    void refusesTooManyAddressesOrRelays() {
        List<TransportAddress> addresses = new ArrayList<>();
        for (int i = 0; i <= AdvertContent.MAX_ADDRESSES; i++) {
            addresses.add(TransportAddress.of("tls://127.0.0.1:" + (4000 + i)));
        }
        List<NodeId> relays = new ArrayList<>();
        for (int i = 0; i <= AdvertContent.MAX_RELAYS; i++) {
            relays.add(node(10 + i));
        }

        assertThatThrownBy(() -> content(addresses, List.of())).hasMessageContaining("at most 16 addresses");
        assertThatThrownBy(() -> content(List.of(), relays)).hasMessageContaining("at most 8 relays");
        assertThat(content(addresses.subList(0, 16), relays.subList(0, 8)).relays()).hasSize(8);
    }

    @Test
    void refusesDuplicatesAndSelfRelay() {
        assertThatThrownBy(() -> content(List.of(TransportAddress.of("tls://h:1"), new TransportAddress(URI.create("tls://h:1"), 5)), List.of()))
                .hasMessageContaining("listed twice");
        assertThatThrownBy(() -> content(List.of(), List.of(node(2), node(2)))).hasMessageContaining("listed twice");
        assertThatThrownBy(() -> content(List.of(), List.of(NODE))).hasMessageContaining("its own relay");
    }

    @Test
    void refusesBadVersionsAndTimes() {
        assertThatThrownBy(() -> new AdvertContent(NODE, List.of(), List.of(), 0, 1, 1, CREATED, EXPIRES))
                .hasMessageContaining("1 <= min <= max");
        assertThatThrownBy(() -> new AdvertContent(NODE, List.of(), List.of(), 2, 1, 1, CREATED, EXPIRES))
                .hasMessageContaining("1 <= min <= max");
        assertThatThrownBy(() -> new AdvertContent(NODE, List.of(), List.of(), 1, 1, 0, CREATED, EXPIRES))
                .hasMessageContaining("at least 1");
        assertThatThrownBy(() -> new AdvertContent(NODE, List.of(), List.of(), 1, 1, 1, EXPIRES, CREATED))
                .hasMessageContaining("expire after");
        assertThatThrownBy(() -> new AdvertContent(NODE, List.of(), List.of(), 1, 1, 1, CREATED, CREATED))
                .hasMessageContaining("expire after");
        assertThatThrownBy(() -> new AdvertContent(NODE, List.of(), List.of(), 1, 1, 1, Instant.EPOCH.minusMillis(1), EXPIRES))
                .hasMessageContaining("before 1970");
        assertThatThrownBy(() -> new AdvertContent(NODE, List.of(), List.of(), 1, 1, 1, CREATED, Instant.MAX))
                .isInstanceOf(ArithmeticException.class);
    }

    @Test
    void expiresAtItsExpiryInstant() {
        AdvertContent content = content(List.of(), List.of());

        assertThat(content.isExpired(EXPIRES.minusMillis(1))).isFalse();
        assertThat(content.isExpired(EXPIRES)).isTrue();
    }

    @Test
    void checksTransportAddresses() {
        assertThat(TransportAddress.of("QUIC://h:1").scheme()).isEqualTo("quic");
        assertThatThrownBy(() -> TransportAddress.of("h:1/x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TransportAddress.of("/just/a/path")).hasMessageContaining("absolute");
        assertThatThrownBy(() -> TransportAddress.of("mailto:x@y")).hasMessageContaining("hierarchical");
        assertThatThrownBy(() -> new TransportAddress(URI.create("tls://h:1"), -1)).hasMessageContaining("weight");
        assertThatThrownBy(() -> new TransportAddress(URI.create("tls://h:1"), 65_536)).hasMessageContaining("weight");
        String longHost = String.join("", Collections.nCopies(250, "a"));
        assertThatThrownBy(() -> TransportAddress.of("tls://" + longHost + ":1")).hasMessageContaining("at most 256");
    }

    @Test
    void signedAdvertsCompareByContentAndSignatureBytes() {
        AdvertContent content = content(List.of(), List.of());
        byte[] signature = new byte[64];
        NodeAdvert a = new NodeAdvert(content, signature);
        signature[0] = 1;
        NodeAdvert b = new NodeAdvert(content, signature);

        assertThat(a).isEqualTo(new NodeAdvert(content, new byte[64])).hasSameHashCodeAs(new NodeAdvert(content, new byte[64]));
        assertThat(a).isNotEqualTo(b);
        assertThat(a.signature()[0]).isZero();
        assertThat(b.signature()[0]).isEqualTo((byte) 1);
        assertThat(a.toString()).contains(NODE.toString()).contains("v1");
        assertThatThrownBy(() -> new NodeAdvert(content, new byte[63])).hasMessageContaining("64 bytes");
    }
}
