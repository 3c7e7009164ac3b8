package io.hypha.netregistry.test;

import io.hypha.api.NodeId;
import io.hypha.api.advert.AdvertCodec;
import io.hypha.api.advert.AdvertContent;
import io.hypha.api.advert.NodeAdvert;
import io.hypha.api.advert.TransportAddress;
import io.hypha.identity.internal.Crypto;
import io.hypha.identity.internal.Ed25519NodeKey;
import io.hypha.wire.advert.ProtobufAdvertCodec;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/** Real keys, the real codec, and adverts made with them (honest or forged). */
public final class Keys {
    private Keys() {
    }

    /** @param seedByte fills the seed @return the same key for the same byte */
    public static Ed25519NodeKey key(int seedByte) {
        byte[] seed = new byte[Ed25519NodeKey.SEED_LENGTH];
        Arrays.fill(seed, (byte) seedByte);
        return Ed25519NodeKey.fromSeed(seed);
    }

    /** @return the platform's codec with a 5 minute clock skew */
    public static ProtobufAdvertCodec codec() {
        return new ProtobufAdvertCodec(new Crypto(), Duration.ofMinutes(5));
    }

    /** @return content for a node: one TLS address on the given port, valid an hour from {@code created} */
    public static AdvertContent content(NodeId node, long version, int port, Instant created) {
        return new AdvertContent(node, List.of(new TransportAddress(URI.create("tls://127.0.0.1:" + port), 100)),
                List.of(), 1, 1, version, created, created.plus(Duration.ofHours(1)));
    }

    /** @return an honest advert of the key's node */
    public static NodeAdvert advert(Ed25519NodeKey key, long version, int port, Instant created) {
        return codec().sign(content(key.id(), version, port, created), key);
    }

    /** @return an advert about {@code victim} signed by {@code forger}'s key, as an attacker would make it */
    public static NodeAdvert forged(NodeId victim, Ed25519NodeKey forger, long version, int port, Instant created) {
        AdvertContent content = content(victim, version, port, created);
        byte[] signature = forger.sign(AdvertCodec.SIGNING_CONTEXT, ProtobufAdvertCodec.canonicalEncoding(content));
        return new NodeAdvert(content, signature);
    }

    /** @return the encoding */
    public static byte[] encode(NodeAdvert advert) {
        return codec().encode(advert);
    }
}
