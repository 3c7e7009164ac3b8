package io.hypha.wire.advert;

import io.hypha.api.NodeId;
import io.hypha.api.advert.AdvertContent;
import io.hypha.api.advert.TransportAddress;
import io.hypha.identity.internal.Crypto;
import io.hypha.identity.internal.Ed25519NodeKey;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Keys, contents and a codec for advert tests. */
final class Adverts {
    static final Instant NOW = Instant.parse("2030-06-01T12:00:00Z");
    static final Duration SKEW = Duration.ofMinutes(5);

    private Adverts() {
    }

    static Ed25519NodeKey key(int seedByte) {
        byte[] seed = new byte[32];
        java.util.Arrays.fill(seed, (byte) seedByte);
        return Ed25519NodeKey.fromSeed(seed);
    }

    static ProtobufAdvertCodec codec() {
        return new ProtobufAdvertCodec(new Crypto(), SKEW);
    }

    static AdvertContent content(NodeId node, long version) {
        return new AdvertContent(node,
                List.of(new TransportAddress(URI.create("quic://127.0.0.1:4002"), 200),
                        new TransportAddress(URI.create("tls://127.0.0.1:4001"), 100)),
                List.of(key(90).id(), key(91).id()),
                1, 2, version, NOW.minusSeconds(60), NOW.plus(Duration.ofHours(1)));
    }
}
