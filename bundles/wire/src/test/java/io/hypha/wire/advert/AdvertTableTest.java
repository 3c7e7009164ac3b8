package io.hypha.wire.advert;

import static io.hypha.wire.advert.Adverts.NOW;
import static io.hypha.wire.advert.Adverts.codec;
import static io.hypha.wire.advert.Adverts.content;
import static io.hypha.wire.advert.Adverts.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hypha.api.advert.AdvertCodec;
import io.hypha.api.advert.AdvertContent;
import io.hypha.api.advert.AdvertRejection;
import io.hypha.api.advert.NodeAdvert;
import io.hypha.api.advert.TransportAddress;
import io.hypha.identity.internal.Ed25519NodeKey;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdvertTableTest {
    private final ProtobufAdvertCodec codec = codec();
    private final Ed25519NodeKey a = key(1);
    private final Ed25519NodeKey b = key(2);
    private final AdvertTable table = new AdvertTable(codec, 10);

    private NodeAdvert advert(Ed25519NodeKey key, long version) {
        return codec.sign(content(key.id(), version), key);
    }

    private NodeAdvert advert(Ed25519NodeKey key, long version, Instant expires) {
        AdvertContent c = content(key.id(), version);
        return codec.sign(new AdvertContent(c.node(), c.addresses(), c.relays(), 1, 1, version, c.created(), expires), key);
    }

    @Test
    void newerVersionReplacesTheHeldAdvert() {
        NodeAdvert v1 = advert(a, 1);
        NodeAdvert v2 = advert(a, 2);

        assertThat(table.offer(v1, null, NOW)).isEqualTo(new AdvertTable.Offer.Accepted(v1, null));
        assertThat(table.offer(codec.encode(v2), a.id(), NOW)).isEqualTo(new AdvertTable.Offer.Accepted(v2, v1));

        assertThat(table.get(a.id(), NOW)).contains(v2);
        assertThat(table.version(a.id())).isEqualTo(2);
        assertThat(table.version(b.id())).isZero();
    }

    @Test
    void replayedOlderAdvertDoesNotReplaceTheNewerOne() {
        NodeAdvert v1 = advert(a, 1);
        NodeAdvert v2 = advert(a, 2);
        table.offer(v2, null, NOW);

        assertThat(table.offer(codec.encode(v1), null, NOW)).isEqualTo(new AdvertTable.Offer.Rejected(AdvertRejection.OLDER_VERSION));

        assertThat(table.get(a.id(), NOW)).contains(v2);
        assertThat(table.rejections(AdvertRejection.OLDER_VERSION)).isEqualTo(1);
    }

    @Test
    void sameAdvertAgainChangesNothingAndIsNotCounted() {
        NodeAdvert v1 = advert(a, 1);
        table.offer(v1, null, NOW);

        assertThat(table.offer(codec.encode(v1), null, NOW)).isEqualTo(new AdvertTable.Offer.Unchanged(v1));
        assertThat(table.rejections().values()).allMatch(count -> count == 0);
    }

    @Test
    void secondAdvertWithTheSameVersionIsRefused() {
        NodeAdvert first = advert(a, 3);
        AdvertContent c = first.content();
        NodeAdvert equivocation = codec.sign(new AdvertContent(c.node(), List.of(TransportAddress.of("tls://10.9.9.9:1")),
                c.relays(), 1, 2, 3, c.created(), c.expires()), a);
        table.offer(first, null, NOW);

        assertThat(table.offer(equivocation, null, NOW)).isEqualTo(new AdvertTable.Offer.Rejected(AdvertRejection.OLDER_VERSION));
        assertThat(table.get(a.id(), NOW)).contains(first);
    }

    @Test
    void forgedAdvertIsCountedAndDoesNotChangeTheTable() {
        NodeAdvert genuine = advert(a, 1);
        AdvertContent newer = content(a.id(), 9);
        NodeAdvert forged = new NodeAdvert(newer, b.sign(AdvertCodec.SIGNING_CONTEXT, ProtobufAdvertCodec.canonicalEncoding(newer)));
        table.offer(genuine, null, NOW);

        assertThat(table.offer(codec.encode(forged), null, NOW)).isEqualTo(new AdvertTable.Offer.Rejected(AdvertRejection.BAD_SIGNATURE));

        assertThat(table.get(a.id(), NOW)).contains(genuine);
        assertThat(table.rejections(AdvertRejection.BAD_SIGNATURE)).isEqualTo(1);
    }

    @Test
    void countsEveryRejectionByReason() {
        NodeAdvert advertOfB = advert(b, 1);
        table.offer(new byte[] {1, 2, 3}, null, NOW);
        table.offer(codec.encode(advertOfB), a.id(), NOW);
        table.offer(advertOfB, null, advertOfB.expires());
        table.offer(advertOfB, null, advertOfB.created().minusSeconds(3600));
        table.offer(new byte[] {7}, null, NOW);

        assertThat(table.rejections()).containsEntry(AdvertRejection.MALFORMED, 2L)
                .containsEntry(AdvertRejection.WRONG_NODE, 1L)
                .containsEntry(AdvertRejection.EXPIRED, 1L)
                .containsEntry(AdvertRejection.NOT_YET_VALID, 1L)
                .containsEntry(AdvertRejection.BAD_SIGNATURE, 0L)
                .containsEntry(AdvertRejection.OLDER_VERSION, 0L);
        assertThat(table.size()).isZero();
    }

    @Test
    void expiredAdvertIsHiddenThenRemovedButBlocksOlderVersionsUntilThen() {
        NodeAdvert v2 = advert(a, 2, NOW.plusSeconds(10));
        NodeAdvert v1 = advert(a, 1, NOW.plusSeconds(100));
        table.offer(v2, null, NOW);
        Instant later = NOW.plusSeconds(20);

        assertThat(table.get(a.id(), later)).isEmpty();
        assertThat(table.adverts(later)).isEmpty();
        assertThat(table.offer(v1, null, later)).isEqualTo(new AdvertTable.Offer.Rejected(AdvertRejection.OLDER_VERSION));
        assertThat(table.removeExpired(later)).containsExactly(v2);
        assertThat(table.size()).isZero();
    }

    @Test
    void fullTableRefusesNewNodesButTakesUpdatesAndMakesRoomFromExpiredAdverts() {
        AdvertTable small = new AdvertTable(codec, 2);
        Ed25519NodeKey c = key(3);
        NodeAdvert shortLived = advert(a, 1, NOW.plusSeconds(10));
        small.offer(shortLived, null, NOW);
        small.offer(advert(b, 1), null, NOW);

        assertThat(small.offer(advert(c, 1), null, NOW)).isEqualTo(new AdvertTable.Offer.Full());
        assertThat(small.offer(advert(b, 2), null, NOW)).isInstanceOf(AdvertTable.Offer.Accepted.class);
        assertThat(small.fullRefusals()).isEqualTo(1);

        Instant later = NOW.plusSeconds(20);
        assertThat(small.offer(advert(c, 1), null, later)).isInstanceOf(AdvertTable.Offer.Accepted.class);
        assertThat(small.adverts(later)).extracting(NodeAdvert::node).containsExactlyInAnyOrder(b.id(), c.id());
        assertThatThrownBy(() -> new AdvertTable(codec, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void listsValidAdvertsInNodeOrderAndForgetsOnRequest() {
        table.offer(advert(b, 1), null, NOW);
        table.offer(advert(a, 1), null, NOW);

        assertThat(table.adverts(NOW)).extracting(NodeAdvert::node)
                .containsExactly(a.id().compareTo(b.id()) < 0 ? new io.hypha.api.NodeId[] {a.id(), b.id()} : new io.hypha.api.NodeId[] {b.id(), a.id()});
        assertThat(table.remove(a.id())).isTrue();
        assertThat(table.remove(a.id())).isFalse();
        assertThat(table.size()).isEqualTo(1);
    }
}
