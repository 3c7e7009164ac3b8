package io.hypha.wire.advert;

import static io.hypha.wire.advert.Adverts.NOW;
import static io.hypha.wire.advert.Adverts.SKEW;
import static io.hypha.wire.advert.Adverts.codec;
import static io.hypha.wire.advert.Adverts.content;
import static io.hypha.wire.advert.Adverts.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.hypha.api.NodeId;
import io.hypha.api.advert.AdvertCheck;
import io.hypha.api.advert.AdvertCodec;
import io.hypha.api.advert.AdvertContent;
import io.hypha.api.advert.AdvertRejection;
import io.hypha.api.advert.NodeAdvert;
import io.hypha.api.advert.TransportAddress;
import io.hypha.identity.internal.Crypto;
import io.hypha.identity.internal.Ed25519NodeKey;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class ProtobufAdvertCodecTest {
    private final Ed25519NodeKey key = key(1);
    private final Ed25519NodeKey other = key(2);
    private final ProtobufAdvertCodec codec = codec();
    private final AdvertContent content = content(key.id(), 5);

    private static AdvertCheck accepted(NodeAdvert advert) {
        return new AdvertCheck.Accepted(advert);
    }

    private static AdvertCheck rejected(AdvertRejection reason) {
        return new AdvertCheck.Rejected(reason);
    }

    @Test
    void signedAdvertVerifiesAndSurvivesEncoding() {
        NodeAdvert advert = codec.sign(content, key);

        assertThat(codec.verify(advert, key.id(), NOW)).isEqualTo(accepted(advert));
        assertThat(codec.verify(advert, null, NOW)).isEqualTo(accepted(advert));
        assertThat(codec.decode(codec.encode(advert), key.id(), NOW)).isEqualTo(accepted(advert));
        assertThat(new Crypto().verify(key.id(), AdvertCodec.SIGNING_CONTEXT,
                ProtobufAdvertCodec.canonicalEncoding(content), advert.signature())).isTrue();
    }

    @Test
    void signatureCoversEveryField() {
        NodeAdvert advert = codec.sign(content, key);
        Map<String, UnaryOperator<Values>> tamperings = new LinkedHashMap<>();
        tamperings.put("node", v -> v.node(other.id()));
        tamperings.put("address added", v -> v.addresses(plus(v.addresses, new TransportAddress(URI.create("tls://10.0.0.1:1"), 1))));
        tamperings.put("address removed", v -> v.addresses(v.addresses.subList(0, 1)));
        tamperings.put("address changed", v -> v.addresses(List.of(new TransportAddress(URI.create("quic://127.0.0.1:4003"), 200), v.addresses.get(1))));
        tamperings.put("weight changed", v -> v.addresses(List.of(new TransportAddress(v.addresses.get(0).uri(), 201), v.addresses.get(1))));
        tamperings.put("addresses reordered", v -> v.addresses(List.of(v.addresses.get(1), v.addresses.get(0))));
        tamperings.put("relay added", v -> v.relays(plus(v.relays, key(92).id())));
        tamperings.put("relay removed", v -> v.relays(v.relays.subList(0, 1)));
        tamperings.put("relays reordered", v -> v.relays(List.of(v.relays.get(1), v.relays.get(0))));
        tamperings.put("min version", v -> v.min(2));
        tamperings.put("max version", v -> v.max(3));
        tamperings.put("version", v -> v.version(6));
        tamperings.put("created", v -> v.created(v.created.minusMillis(1)));
        tamperings.put("expires", v -> v.expires(v.expires.plusMillis(1)));

        tamperings.forEach((field, tamper) -> {
            NodeAdvert tampered = new NodeAdvert(tamper.apply(new Values(content)).build(), advert.signature());
            assertThat(codec.verify(tampered, null, NOW)).as(field).isEqualTo(rejected(AdvertRejection.BAD_SIGNATURE));
            assertThat(codec.decode(codec.encode(tampered), null, NOW)).as(field).isEqualTo(rejected(AdvertRejection.BAD_SIGNATURE));
        });
    }

    @Test
    void noSingleBitFlipOfTheEncodingIsAccepted() {
        byte[] encoded = codec.encode(codec.sign(content, key));

        for (int i = 0; i < encoded.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] flipped = encoded.clone();
                flipped[i] ^= (byte) (1 << bit);
                assertThat(codec.decode(flipped, null, NOW)).as("byte %d bit %d", i, bit)
                        .isInstanceOf(AdvertCheck.Rejected.class);
            }
        }
    }

    @Test
    void advertForgedByAnotherKeyIsABadSignature() {
        byte[] forgedSignature = other.sign(AdvertCodec.SIGNING_CONTEXT, ProtobufAdvertCodec.canonicalEncoding(content));
        NodeAdvert forged = new NodeAdvert(content, forgedSignature);

        assertThat(codec.verify(forged, key.id(), NOW)).isEqualTo(rejected(AdvertRejection.BAD_SIGNATURE));
        assertThat(codec.decode(codec.encode(forged), null, NOW)).isEqualTo(rejected(AdvertRejection.BAD_SIGNATURE));
        assertThatThrownBy(() -> codec.sign(content, other)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot sign");
    }

    @Test
    void signatureUnderAnotherContextIsABadSignature() {
        byte[] signature = key.sign("hypha-tls-cert-key-v1", ProtobufAdvertCodec.canonicalEncoding(content));

        assertThat(codec.verify(new NodeAdvert(content, signature), null, NOW)).isEqualTo(rejected(AdvertRejection.BAD_SIGNATURE));
    }

    @Test
    void validAdvertOfAnotherNodeIsTheWrongNode() {
        NodeAdvert advertOfOther = codec.sign(content(other.id(), 1), other);

        assertThat(codec.verify(advertOfOther, key.id(), NOW)).isEqualTo(rejected(AdvertRejection.WRONG_NODE));
        assertThat(codec.decode(codec.encode(advertOfOther), key.id(), NOW)).isEqualTo(rejected(AdvertRejection.WRONG_NODE));
    }

    @Test
    void expiresAtItsExpiryTime() {
        NodeAdvert advert = codec.sign(content, key);

        assertThat(codec.verify(advert, null, advert.expires().minusMillis(1))).isEqualTo(accepted(advert));
        assertThat(codec.verify(advert, null, advert.expires())).isEqualTo(rejected(AdvertRejection.EXPIRED));
        assertThat(codec.decode(codec.encode(advert), null, advert.expires().plusSeconds(1))).isEqualTo(rejected(AdvertRejection.EXPIRED));
    }

    @Test
    void advertCreatedInTheFutureIsAcceptedOnlyWithinTheClockSkew() {
        NodeAdvert withinSkew = codec.sign(new Values(content).created(NOW.plus(SKEW)).build(), key);
        NodeAdvert beyondSkew = codec.sign(new Values(content).created(NOW.plus(SKEW).plusMillis(1)).build(), key);

        assertThat(codec.verify(withinSkew, null, NOW)).isEqualTo(accepted(withinSkew));
        assertThat(codec.verify(beyondSkew, null, NOW)).isEqualTo(rejected(AdvertRejection.NOT_YET_VALID));
        assertThat(new ProtobufAdvertCodec(new Crypto(), Duration.ZERO).verify(withinSkew, null, NOW))
                .isEqualTo(rejected(AdvertRejection.NOT_YET_VALID));
        assertThatThrownBy(() -> new ProtobufAdvertCodec(new Crypto(), Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesMalformedBytes() {
        NodeAdvert advert = codec.sign(content, key);
        io.hypha.wire.NodeAdvert good = message(advert);
        List<byte[]> malformed = new ArrayList<>();
        malformed.add(new byte[0]);
        malformed.add(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff});
        byte[] encoded = codec.encode(advert);
        malformed.add(java.util.Arrays.copyOf(encoded, encoded.length - 1));
        malformed.add(new byte[ProtobufAdvertCodec.MAX_ENCODED_LENGTH + 1]);
        malformed.add(good.toBuilder().setNodeId(ByteString.copyFrom(new byte[31])).build().toByteArray());
        malformed.add(good.toBuilder().setSignature(ByteString.copyFrom(new byte[63])).build().toByteArray());
        malformed.add(good.toBuilder().addRelays(ByteString.copyFrom(new byte[33])).build().toByteArray());
        malformed.add(good.toBuilder().setMinVersion(0).build().toByteArray());
        malformed.add(good.toBuilder().setMaxVersion(-1).build().toByteArray()); // uint32 4294967295
        malformed.add(good.toBuilder().setVersion(-1).build().toByteArray()); // uint64 beyond Java's long
        malformed.add(good.toBuilder().setExpiresAt(good.getCreatedAt()).build().toByteArray());
        malformed.add(good.toBuilder().setCreatedAt(-1).build().toByteArray());
        malformed.add(good.toBuilder().setAddresses(0, good.getAddresses(0).toBuilder().setUri("quic://bad host:1")).build().toByteArray());
        malformed.add(good.toBuilder().setAddresses(0, good.getAddresses(0).toBuilder().setWeight(65_536)).build().toByteArray());
        malformed.add(good.toBuilder().addRelays(good.getNodeId()).build().toByteArray());
        // An unknown field (number 10), as a newer node might add: it would not be covered by the rebuilt encoding.
        malformed.add(concat(good.toByteArray(), new byte[] {0x50, 0x01}));
        malformed.add(good.toBuilder().setAddresses(0, good.getAddresses(0).toBuilder()
                .setUnknownFields(com.google.protobuf.UnknownFieldSet.newBuilder()
                        .addField(3, com.google.protobuf.UnknownFieldSet.Field.newBuilder().addVarint(1).build()).build()))
                .build().toByteArray());

        for (int i = 0; i < malformed.size(); i++) {
            assertThat(codec.decode(malformed.get(i), null, NOW)).as("case %d", i).isEqualTo(rejected(AdvertRejection.MALFORMED));
        }
        assertThat(codec.decode(good.toByteArray(), null, NOW)).isEqualTo(accepted(advert));
    }

    @Test
    void encodingIsTheCanonicalContentFollowedByTheSignature() {
        NodeAdvert advert = codec.sign(content, key);

        byte[] canonical = ProtobufAdvertCodec.canonicalEncoding(content);
        byte[] signatureField = concat(new byte[] {0x4a, 0x40}, advert.signature());

        assertThat(codec.encode(advert)).isEqualTo(concat(canonical, signatureField));
    }

    @Test
    void acceptsAnyValidEncodingOfTheSameContent() {
        NodeAdvert advert = codec.sign(content, key);
        // Fields out of number order and a default value written explicitly: not canonical, same content.
        byte[] reordered = concat(message(advert).toBuilder().clearNodeId().build().toByteArray(),
                concat(new byte[] {0x0a, 0x20}, key.id().publicKey()));

        assertThat(reordered).isNotEqualTo(codec.encode(advert));
        assertThat(codec.decode(reordered, null, NOW)).isEqualTo(accepted(advert));
    }

    @Test
    void canonicalEncodingIsStable() {
        // Pinned bytes for implementers in other languages (also printed in docs/wire-protocol.md).
        NodeId node = NodeId.of(HexFormat.of().parseHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"));
        AdvertContent fixed = new AdvertContent(node, List.of(new TransportAddress(URI.create("quic://127.0.0.1:4002"), 100)),
                List.of(), 1, 1, 1, Instant.ofEpochMilli(1_700_000_000_000L), Instant.ofEpochMilli(1_700_003_600_000L));

        assertThat(HexFormat.of().formatHex(ProtobufAdvertCodec.canonicalEncoding(fixed))).isEqualTo(
                "0a20d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
                        + "12190a15717569633a2f2f3132372e302e302e313a3430303210" + "64"
                        + "2001" + "2801" + "3001" + "3880d095ffbc31" + "4080adf180bd31");

        // Signed with RFC 8032 test 1's key (whose public key is the node above); Ed25519 signatures are deterministic.
        Ed25519NodeKey rfcKey = Ed25519NodeKey.fromSeed(HexFormat.of().parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
        assertThat(rfcKey.id()).isEqualTo(node);
        NodeAdvert signed = codec.sign(fixed, rfcKey);
        assertThat(HexFormat.of().formatHex(signed.signature())).isEqualTo(
                "a01f8dfe0b202f9df57e31c1c88dcefec2a6cf657732b21c65110c793293ab15"
                        + "b06f2c3e35f2ee231afb29cf78a85c15c58982380b91fffa5dbab3a78c6b3305");
    }

    @Test
    void signatureVerifiesWithAnIndependentEd25519OverTheDocumentedSigningInput() throws Exception {
        NodeAdvert advert = codec.sign(content, key);
        byte[] input = concat(concat("hypha-node-advert-v1".getBytes(java.nio.charset.StandardCharsets.UTF_8), new byte[] {0}),
                ProtobufAdvertCodec.canonicalEncoding(content));
        byte[] spki = concat(HexFormat.of().parseHex("302a300506032b6570032100"), key.id().publicKey());

        java.security.Signature jdk = java.security.Signature.getInstance("Ed25519");
        jdk.initVerify(java.security.KeyFactory.getInstance("Ed25519").generatePublic(new java.security.spec.X509EncodedKeySpec(spki)));
        jdk.update(input);

        assertThat(jdk.verify(advert.signature())).isTrue();
    }

    private static io.hypha.wire.NodeAdvert message(NodeAdvert advert) {
        try {
            return io.hypha.wire.NodeAdvert.parseFrom(codec().encode(advert));
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static <T> List<T> plus(List<T> list, T item) {
        List<T> out = new ArrayList<>(list);
        out.add(item);
        return out;
    }

    /** A mutable copy of an advert content's fields, to change one at a time. */
    private static final class Values {
        NodeId node;
        List<TransportAddress> addresses;
        List<NodeId> relays;
        int min;
        int max;
        long version;
        Instant created;
        Instant expires;

        Values(AdvertContent c) {
            node = c.node();
            addresses = c.addresses();
            relays = c.relays();
            min = c.minProtocolVersion();
            max = c.maxProtocolVersion();
            version = c.version();
            created = c.created();
            expires = c.expires();
        }

        Values node(NodeId v) { node = v; return this; }
        Values addresses(List<TransportAddress> v) { addresses = v; return this; }
        Values relays(List<NodeId> v) { relays = v; return this; }
        Values min(int v) { min = v; return this; }
        Values max(int v) { max = v; return this; }
        Values version(long v) { version = v; return this; }
        Values created(Instant v) { created = v; return this; }
        Values expires(Instant v) { expires = v; return this; }

        AdvertContent build() {
            return new AdvertContent(node, addresses, relays, min, max, version, created, expires);
        }
    }
}
