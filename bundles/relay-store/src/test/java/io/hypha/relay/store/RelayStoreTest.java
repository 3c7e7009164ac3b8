package io.hypha.relay.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import io.hypha.relay.store.StoreResult.Refusal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RelayStoreTest {
    static final long T0 = 1_900_000_000_000L;
    static final long HOUR = 3_600_000L;

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(T0);
    private final NodeId edge = node(1);
    private final NodeId otherEdge = node(2);
    private final MessageOrigin origin = new MessageOrigin(node(9), "chat", 42);
    private RelayStore store;

    static NodeId node(int b) {
        byte[] key = new byte[32];
        key[0] = (byte) b;
        return NodeId.of(key);
    }

    static byte[] envelope(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private RelayStore open(RelayStoreSettings settings) throws RelayStoreException {
        store = RelayStore.open(dir, settings, clock);
        return store;
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    private static StoreResult stored(long seq) {
        return new StoreResult.Stored(seq);
    }

    private static StoreResult refused(Refusal reason) {
        return new StoreResult.Refused(reason);
    }

    private static List<String> texts(List<StoredMessage> messages) {
        return messages.stream().map(m -> new String(m.envelope(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void numbersEachEdgesMessagesAndReturnsThemInOrder() throws Exception {
        open(RelayStoreSettings.DEFAULTS);

        assertThat(store.store(edge, origin, T0 + HOUR, envelope("a"))).isEqualTo(stored(1));
        assertThat(store.store(otherEdge, origin, T0 + HOUR, envelope("x"))).isEqualTo(stored(1));
        assertThat(store.store(edge, origin, T0 + HOUR, envelope("b"))).isEqualTo(stored(2));
        assertThat(store.store(edge, origin, Envelope.NEVER, envelope("c"))).isEqualTo(stored(3));

        List<StoredMessage> pending = store.pending(edge, 10);
        assertThat(texts(pending)).containsExactly("a", "b", "c");
        assertThat(pending).extracting(StoredMessage::seq).containsExactly(1L, 2L, 3L);
        assertThat(pending.get(0).origin()).isEqualTo(origin);
        assertThat(pending.get(0).storedAt()).isEqualTo(T0);
        assertThat(pending.get(0).expiresAt()).isEqualTo(T0 + HOUR);
        assertThat(texts(store.pending(edge, 1, 1))).containsExactly("b");
        assertThat(texts(store.pending(otherEdge, 10))).containsExactly("x");
        assertThat(store.pending(node(3), 10)).isEmpty();
    }

    @Test
    void keepsOrderUnderManyConcurrentAsynchronousStores() throws Exception {
        open(RelayStoreSettings.DEFAULTS.withDurability(RelayStoreSettings.Durability.WRITE));
        CompletableFuture<?>[] all = new CompletableFuture<?>[2_000];
        for (int i = 0; i < all.length; i++) {
            all[i] = store.storeAsync(edge, origin, T0 + HOUR, envelope("m" + i));
        }
        CompletableFuture.allOf(all).join();

        List<StoredMessage> pending = store.pending(edge, 5_000);
        assertThat(pending).hasSize(2_000);
        for (int i = 0; i < pending.size(); i++) {
            assertThat(pending.get(i).seq()).isEqualTo(i + 1);
            assertThat(new String(pending.get(i).envelope(), StandardCharsets.UTF_8)).isEqualTo("m" + i);
            assertThat(all[i].join()).isEqualTo(stored(i + 1));
        }
    }

    @Test
    void refusesWhenTheEdgesMessageQuotaIsFullUntilItAcknowledges() throws Exception {
        open(RelayStoreSettings.DEFAULTS.withEdgeQuota(3, 1_000));
        for (int i = 1; i <= 3; i++) {
            assertThat(store.store(edge, origin, T0 + HOUR, envelope("m" + i))).isEqualTo(stored(i));
        }

        assertThat(store.store(edge, origin, T0 + HOUR, envelope("m4"))).isEqualTo(refused(Refusal.QUOTA_FULL));
        assertThat(store.store(otherEdge, origin, T0 + HOUR, envelope("y"))).isEqualTo(stored(1));
        assertThat(store.ack(edge, 1)).isEqualTo(1);
        assertThat(store.store(edge, origin, T0 + HOUR, envelope("m4"))).isEqualTo(stored(4));
        assertThat(store.stats(edge)).isEqualTo(new EdgeStats(edge, 3, 6, 3, 1_000, 4));
    }

    @Test
    void refusesWhenTheEdgesByteQuotaWouldBeExceeded() throws Exception {
        open(RelayStoreSettings.DEFAULTS.withEdgeQuota(100, 10));

        assertThat(store.store(edge, origin, T0 + HOUR, new byte[6])).isEqualTo(stored(1));
        assertThat(store.store(edge, origin, T0 + HOUR, new byte[5])).isEqualTo(refused(Refusal.QUOTA_FULL));
        assertThat(store.store(edge, origin, T0 + HOUR, new byte[4])).isEqualTo(stored(2));
        assertThat(store.stats(edge).bytes()).isEqualTo(10);
    }

    @Test
    void refusesWhenTheWholeStoreIsFull() throws Exception {
        open(RelayStoreSettings.DEFAULTS.withMaxTotalBytes(10));

        assertThat(store.store(edge, origin, T0 + HOUR, new byte[6])).isEqualTo(stored(1));
        assertThat(store.store(otherEdge, origin, T0 + HOUR, new byte[5])).isEqualTo(refused(Refusal.STORE_FULL));
        assertThat(store.totalBytes()).isEqualTo(6);
    }

    @Test
    void refusesTooLargeAndAlreadyExpiredMessages() throws Exception {
        RelayStoreSettings d = RelayStoreSettings.DEFAULTS;
        open(new RelayStoreSettings(d.perEdgeMessageQuota(), d.perEdgeByteQuota(), d.maxTotalBytes(), 8,
                d.maxRetention(), d.durability(), d.maxBatch()));

        assertThat(store.store(edge, origin, T0 + HOUR, new byte[9])).isEqualTo(refused(Refusal.TOO_LARGE));
        assertThat(store.store(edge, origin, T0, new byte[1])).isEqualTo(refused(Refusal.EXPIRED));
        assertThat(store.store(edge, origin, T0 - 1, new byte[1])).isEqualTo(refused(Refusal.EXPIRED));
        assertThat(store.store(edge, origin, T0 + 1, new byte[8])).isEqualTo(stored(1));
        assertThat(store.totalMessages()).isEqualTo(1);
    }

    @Test
    void ackDeletesExactlyUpToTheSequenceNumber() throws Exception {
        open(RelayStoreSettings.DEFAULTS);
        for (int i = 1; i <= 5; i++) {
            store.store(edge, origin, T0 + HOUR, envelope("m" + i));
        }
        store.store(otherEdge, origin, T0 + HOUR, envelope("other"));

        assertThat(store.ack(edge, 3)).isEqualTo(3);
        assertThat(store.pending(edge, 10)).extracting(StoredMessage::seq).containsExactly(4L, 5L);
        assertThat(store.ack(edge, 3)).isZero();
        assertThat(store.ack(edge, 0)).isZero();
        assertThat(store.ack(edge, 99)).isEqualTo(2);
        assertThat(store.pending(edge, 10)).isEmpty();
        assertThat(texts(store.pending(otherEdge, 10))).containsExactly("other");
        assertThat(store.stats(edge)).isEqualTo(new EdgeStats(edge, 0, 0, 100_000, 256L << 20, 5));
        assertThat(store.stats()).extracting(EdgeStats::edge).containsExactly(otherEdge);
    }

    @Test
    void expireRemovesAndReturnsExpiredMessagesWithTheirOrigin() throws Exception {
        open(RelayStoreSettings.DEFAULTS);
        MessageOrigin other = new MessageOrigin(node(8), null, 7);
        store.store(edge, origin, T0 + 10_000, envelope("short"));
        store.store(edge, origin, T0 + HOUR, envelope("long"));
        store.store(otherEdge, other, T0 + 5_000, envelope("shorter"));

        assertThat(store.expire(T0 + 4_999)).isEmpty();
        List<StoredMessage> expired = store.expire(T0 + 10_000);

        assertThat(texts(expired)).containsExactly("shorter", "short");
        assertThat(expired).extracting(StoredMessage::origin).containsExactly(other, origin);
        assertThat(expired.get(0).origin().sender()).isNull();
        assertThat(expired.get(1).origin().sender()).isEqualTo(io.hypha.api.EngineAddress.of(node(9), "chat"));
        assertThat(texts(store.pending(edge, 10))).containsExactly("long");
        assertThat(store.pending(otherEdge, 10)).isEmpty();
        assertThat(store.stats(edge).messages()).isEqualTo(1);
        assertThat(store.totalBytes()).isEqualTo(4);
        assertThat(store.ack(edge, 1)).as("the expired message is gone").isZero();
    }

    @Test
    void expiredMessagesAreNeverForwardedNorAcknowledgedButLeftToBeReported() throws Exception {
        open(RelayStoreSettings.DEFAULTS);
        store.store(edge, origin, T0 + HOUR, envelope("m1"));
        store.store(edge, origin, T0 + 1_000, envelope("m2 expires soon"));
        store.store(edge, origin, T0 + HOUR, envelope("m3"));
        clock.advance(1_000);

        List<StoredMessage> forwarded = store.pending(edge, 10);
        assertThat(texts(forwarded)).containsExactly("m1", "m3");
        assertThat(store.ack(edge, 3)).isEqualTo(2);
        assertThat(store.stats(edge).messages()).isEqualTo(1);

        assertThat(texts(store.expire(clock.millis()))).containsExactly("m2 expires soon");
        assertThat(store.stats(edge).messages()).isZero();
    }

    @Test
    void expireHonoursItsBound() throws Exception {
        open(RelayStoreSettings.DEFAULTS);
        for (int i = 0; i < 5; i++) {
            store.store(edge, origin, T0 + 1 + i, envelope("m" + i));
        }

        assertThat(texts(store.expire(T0 + HOUR, 2))).containsExactly("m0", "m1");
        assertThat(texts(store.expire(T0 + HOUR, 2))).containsExactly("m2", "m3");
        assertThat(texts(store.expire(T0 + HOUR, 2))).containsExactly("m4");
    }

    @Test
    void retentionLimitCapsTheExpiry() throws Exception {
        open(RelayStoreSettings.DEFAULTS.withMaxRetention(Duration.ofMinutes(1)));
        store.store(edge, origin, Envelope.NEVER, envelope("forever"));

        assertThat(store.pending(edge, 1).get(0).expiresAt()).isEqualTo(T0 + 60_000);
        assertThat(texts(store.expire(T0 + 60_000))).containsExactly("forever");
    }

    @Test
    void reopenedStoreHasTheSameMessagesCountersAndNextSequenceNumber() throws Exception {
        open(RelayStoreSettings.DEFAULTS);
        for (int i = 1; i <= 4; i++) {
            store.store(edge, origin, T0 + HOUR, envelope("m" + i));
        }
        store.store(otherEdge, origin, T0 + HOUR, envelope("x"));
        store.ack(edge, 1);
        List<StoredMessage> before = store.pending(edge, 10);
        store.close();

        open(RelayStoreSettings.DEFAULTS);

        assertThat(store.pending(edge, 10)).isEqualTo(before);
        assertThat(store.stats(edge)).isEqualTo(new EdgeStats(edge, 3, 6, 100_000, 256L << 20, 4));
        assertThat(store.totalBytes()).isEqualTo(7);
        assertThat(store.store(edge, origin, T0 + HOUR, envelope("m5"))).isEqualTo(stored(5));
    }

    @Test
    void sequenceNumbersAreNeverReusedAfterEverythingWasAcknowledged() throws Exception {
        open(RelayStoreSettings.DEFAULTS);
        store.store(edge, origin, T0 + HOUR, envelope("a"));
        store.store(edge, origin, T0 + HOUR, envelope("b"));
        store.ack(edge, 2);
        store.close();

        open(RelayStoreSettings.DEFAULTS);

        assertThat(store.store(edge, origin, T0 + HOUR, envelope("c"))).isEqualTo(stored(3));
    }

    @Test
    void secondOpenOfTheSameDirectoryIsRefusedAsLocked() throws Exception {
        open(RelayStoreSettings.DEFAULTS);

        assertThatThrownBy(() -> RelayStore.open(dir, RelayStoreSettings.DEFAULTS, clock))
                .isInstanceOfSatisfying(RelayStoreException.class,
                        e -> assertThat(e.reason()).isEqualTo(RelayStoreException.Reason.LOCKED));
    }

    @Test
    void unusableDirectoryIsAnIoProblem() throws Exception {
        Path notADirectory = dir.resolve("file");
        java.nio.file.Files.writeString(notADirectory, "x");

        assertThatThrownBy(() -> RelayStore.open(notADirectory, RelayStoreSettings.DEFAULTS, clock))
                .isInstanceOfSatisfying(RelayStoreException.class,
                        e -> assertThat(e.reason()).isEqualTo(RelayStoreException.Reason.IO));
    }

    @Test
    void closedStoreRefusesStoresAndReads() throws Exception {
        open(RelayStoreSettings.DEFAULTS);
        store.close();
        store.close();

        assertThat(store.store(edge, origin, T0 + HOUR, envelope("late"))).isEqualTo(refused(Refusal.UNAVAILABLE));
        assertThatThrownBy(() -> store.pending(edge, 1)).isInstanceOf(IllegalStateException.class);
        assertThat(store.ackAsync(edge, 1)).isCompletedExceptionally();
    }

    @Test
    void settingsAreChecked() {
        RelayStoreSettings d = RelayStoreSettings.DEFAULTS;
        assertThatThrownBy(() -> d.withEdgeQuota(0, 1)).hasMessageContaining("perEdgeMessageQuota");
        assertThatThrownBy(() -> d.withMaxTotalBytes(0)).hasMessageContaining("maxTotalBytes");
        assertThatThrownBy(() -> d.withMaxRetention(Duration.ZERO)).hasMessageContaining("maxRetention");
        assertThatThrownBy(() -> new MessageOrigin(node(1), "bad name", 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
