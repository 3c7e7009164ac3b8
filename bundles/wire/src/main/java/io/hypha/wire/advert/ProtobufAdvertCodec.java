package io.hypha.wire.advert;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import io.hypha.api.NodeId;
import io.hypha.api.advert.AdvertCheck;
import io.hypha.api.advert.AdvertCodec;
import io.hypha.api.advert.AdvertContent;
import io.hypha.api.advert.AdvertRejection;
import io.hypha.api.advert.NodeAdvert;
import io.hypha.api.advert.TransportAddress;
import io.hypha.api.identity.CryptoSuite;
import io.hypha.api.identity.NodeIdentity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The platform's {@link AdvertCodec}: adverts as the protocol buffers message {@code hypha.wire.v1.NodeAdvert}
 * ({@code hypha_advert.proto}), signed over their canonical encoding. Stateless and thread-safe; signatures are made
 * by a {@link NodeIdentity} and checked by a {@link CryptoSuite}, so this class holds no crypto of its own.
 *
 * <h2>Canonical encoding</h2>
 * The content is encoded as a {@code NodeAdvert} message without its {@code signature} field, with deterministic
 * serialization: fields in increasing field number, each present once, repeated fields one entry per element in
 * list order, proto3 default values (0, empty) left out, varints minimal. The signed bytes are
 * {@code UTF-8("hypha-node-advert-v1") || 0x00 || encoding}. A verifier does not check the bytes it received: it
 * rebuilds the canonical encoding from the decoded fields and checks the signature over that, so only the content
 * counts, and an advert can be stored and sent on in any valid encoding.
 *
 * <h2>Strictness</h2>
 * An advert is {@link AdvertRejection#MALFORMED} if it is larger than {@link #MAX_ENCODED_LENGTH}, is not a valid
 * encoding, has a field this version does not know (it would be covered by the signer's bytes but not by the
 * rebuilt ones; new fields come with a new signing context), a node id or relay that is not 32 bytes, a signature
 * that is not 64 bytes, an unparseable URI, or breaks a rule of {@link AdvertContent} or {@link TransportAddress}.
 */
public final class ProtobufAdvertCodec implements AdvertCodec {
    /** The clock skew allowed by default: an advert created up to this far in the future is accepted. */
    public static final Duration DEFAULT_MAX_CLOCK_SKEW = Duration.ofMinutes(5);
    /**
     * Largest encoded advert accepted. The largest valid advert (16 addresses of 256 characters, 8 relays) is about
     * 4.7 KiB; refusing more before parsing bounds the work a peer can cause.
     */
    public static final int MAX_ENCODED_LENGTH = 8_192;

    private final CryptoSuite crypto;
    private final Duration maxClockSkew;

    /**
     * @param crypto       verifies signatures
     * @param maxClockSkew how far in the future an advert's creation time may be (the signer's clock may run ahead);
     *                     not negative
     * @throws IllegalArgumentException if the skew is negative
     */
    public ProtobufAdvertCodec(CryptoSuite crypto, Duration maxClockSkew) {
        this.crypto = Objects.requireNonNull(crypto, "crypto");
        this.maxClockSkew = Objects.requireNonNull(maxClockSkew, "maxClockSkew");
        if (maxClockSkew.isNegative()) {
            throw new IllegalArgumentException("maxClockSkew must not be negative, got " + maxClockSkew);
        }
    }

    /** @return the clock skew allowed for creation times */
    public Duration maxClockSkew() {
        return maxClockSkew;
    }

    /**
     * The canonical encoding of an advert's content: what its signature covers (after the context prefix).
     *
     * @param content the content
     * @return the deterministic encoding of the {@code NodeAdvert} message without a signature
     */
    public static byte[] canonicalEncoding(AdvertContent content) {
        return deterministic(toMessage(content).build());
    }

    @Override
    public NodeAdvert sign(AdvertContent content, NodeIdentity signer) {
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(signer, "signer");
        if (!signer.id().equals(content.node())) {
            throw new IllegalArgumentException("node " + signer.id() + " cannot sign an advert about node " + content.node());
        }
        return new NodeAdvert(content, signer.sign(SIGNING_CONTEXT, canonicalEncoding(content)));
    }

    @Override
    public byte[] encode(NodeAdvert advert) {
        Objects.requireNonNull(advert, "advert");
        return deterministic(toMessage(advert.content()).setSignature(ByteString.copyFrom(advert.signature())).build());
    }

    @Override
    public AdvertCheck decode(byte[] encoded, NodeId expected, Instant now) {
        Objects.requireNonNull(encoded, "encoded");
        Objects.requireNonNull(now, "now");
        NodeAdvert advert = parse(encoded);
        return advert == null ? new AdvertCheck.Rejected(AdvertRejection.MALFORMED) : verify(advert, expected, now);
    }

    @Override
    public AdvertCheck verify(NodeAdvert advert, NodeId expected, Instant now) {
        Objects.requireNonNull(advert, "advert");
        Objects.requireNonNull(now, "now");
        AdvertContent content = advert.content();
        if (!crypto.verify(content.node(), SIGNING_CONTEXT, canonicalEncoding(content), advert.signature())) {
            return new AdvertCheck.Rejected(AdvertRejection.BAD_SIGNATURE);
        }
        if (expected != null && !expected.equals(content.node())) {
            return new AdvertCheck.Rejected(AdvertRejection.WRONG_NODE);
        }
        if (content.created().isAfter(now.plus(maxClockSkew))) {
            return new AdvertCheck.Rejected(AdvertRejection.NOT_YET_VALID);
        }
        if (content.isExpired(now)) {
            return new AdvertCheck.Rejected(AdvertRejection.EXPIRED);
        }
        return new AdvertCheck.Accepted(advert);
    }

    /** @return the advert, or null if the bytes are malformed */
    private static NodeAdvert parse(byte[] encoded) {
        if (encoded.length > MAX_ENCODED_LENGTH) {
            return null;
        }
        io.hypha.wire.NodeAdvert message;
        try {
            message = io.hypha.wire.NodeAdvert.parseFrom(encoded);
        } catch (InvalidProtocolBufferException e) {
            return null;
        }
        if (hasUnknownFields(message)) {
            return null;
        }
        try {
            List<TransportAddress> addresses = new ArrayList<>(message.getAddressesCount());
            for (io.hypha.wire.TransportAddress address : message.getAddressesList()) {
                addresses.add(new TransportAddress(new URI(address.getUri()), address.getWeight()));
            }
            List<NodeId> relays = new ArrayList<>(message.getRelaysCount());
            for (ByteString relay : message.getRelaysList()) {
                relays.add(NodeId.of(relay.toByteArray()));
            }
            AdvertContent content = new AdvertContent(NodeId.of(message.getNodeId().toByteArray()), addresses, relays,
                    message.getMinVersion(), message.getMaxVersion(), message.getVersion(),
                    Instant.ofEpochMilli(message.getCreatedAt()), Instant.ofEpochMilli(message.getExpiresAt()));
            return new NodeAdvert(content, message.getSignature().toByteArray());
        } catch (URISyntaxException | IllegalArgumentException | ArithmeticException e) {
            // Out-of-range values (uint32/uint64 beyond Java's signed range read as negative), wrong lengths, bad URIs.
            return null;
        }
    }

    private static boolean hasUnknownFields(io.hypha.wire.NodeAdvert message) {
        if (!message.getUnknownFields().asMap().isEmpty()) {
            return true;
        }
        for (io.hypha.wire.TransportAddress address : message.getAddressesList()) {
            if (!address.getUnknownFields().asMap().isEmpty()) {
                return true;
            }
        }
        return false;
    }

    private static io.hypha.wire.NodeAdvert.Builder toMessage(AdvertContent content) {
        io.hypha.wire.NodeAdvert.Builder builder = io.hypha.wire.NodeAdvert.newBuilder()
                .setNodeId(ByteString.copyFrom(content.node().publicKey()))
                .setMinVersion(content.minProtocolVersion())
                .setMaxVersion(content.maxProtocolVersion())
                .setVersion(content.version())
                .setCreatedAt(content.created().toEpochMilli())
                .setExpiresAt(content.expires().toEpochMilli());
        for (TransportAddress address : content.addresses()) {
            builder.addAddresses(io.hypha.wire.TransportAddress.newBuilder()
                    .setUri(address.uri().toString())
                    .setWeight(address.weight()));
        }
        for (NodeId relay : content.relays()) {
            builder.addRelays(ByteString.copyFrom(relay.publicKey()));
        }
        return builder;
    }

    private static byte[] deterministic(MessageLite message) {
        byte[] out = new byte[message.getSerializedSize()];
        CodedOutputStream stream = CodedOutputStream.newInstance(out);
        stream.useDeterministicSerialization();
        try {
            message.writeTo(stream);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot happen: writing to an array of the exact size", e);
        }
        stream.checkNoSpaceLeft();
        return out;
    }

    @Override
    public String toString() {
        return "ProtobufAdvertCodec{maxClockSkew=" + maxClockSkew + "}";
    }
}
