package io.hypha.relay.internal.engine;

import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import io.hypha.api.advert.AdvertContent;
import io.hypha.api.advert.NodeAdvert;
import io.hypha.api.advert.TransportAddress;
import io.hypha.relay.internal.wire.RelayCodec;
import io.hypha.relay.internal.wire.RelayMessage;
import io.hypha.relay.internal.wire.WireException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Builders for the tests: adverts, application envelopes, relay messages between nodes. */
final class Messages {
    private static final AtomicLong IDS = new AtomicLong(1000);

    private Messages() {
    }

    /** @return an advert of {@code edge} listing {@code relays} and no address (never verified by the relay engine) */
    static NodeAdvert advert(NodeId edge, NodeId... relays) {
        Instant now = Instant.parse("2025-01-01T00:00:00Z");
        return new NodeAdvert(new AdvertContent(edge, List.<TransportAddress>of(), List.of(relays), 1, 1, 1, now,
                now.plusSeconds(86_400 * 365)), new byte[64]);
    }

    /** @return a message from engine {@code app} on {@code from} to engine {@code inbox} on {@code to} */
    static Envelope app(NodeId from, NodeId to, String text, long expiresAt) {
        return Envelope.builder().src(EngineAddress.of(from, "app")).dst(EngineAddress.of(to, "inbox"))
                .id(IDS.incrementAndGet()).type("app.msg").payload(text.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .expiresAt(expiresAt).build();
    }

    /** @return a relay message as the relay engine of {@code from} sends it to the one of {@code to} */
    static Envelope relay(NodeId from, NodeId to, RelayMessage m) {
        return Envelope.builder().src(EngineAddress.of(from, RelayEngine.NAME)).dst(EngineAddress.of(to, RelayEngine.NAME))
                .id(IDS.incrementAndGet()).type(m.type()).payload(RelayCodec.encode(m)).build();
    }

    /** @return the relay message an envelope carries */
    static RelayMessage decode(Envelope e) {
        try {
            return RelayCodec.decode(e.type(), e.payload());
        } catch (WireException ex) {
            throw new AssertionError("not a relay message: " + e, ex);
        }
    }

    /** @return the payload of an application envelope as text */
    static String text(Envelope e) {
        return new String((byte[]) e.payload(), java.nio.charset.StandardCharsets.UTF_8);
    }
}
