package io.hypha.relay.internal.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hypha.api.DeliveryFailure;
import io.hypha.api.NodeId;
import io.hypha.relay.internal.RelayAdmin;
import io.hypha.relay.internal.engine.Drop;
import io.hypha.relay.internal.engine.RelaySnapshot;
import io.hypha.relay.internal.engine.RelaySnapshot.EdgeRow;
import io.hypha.relay.internal.engine.RelaySnapshot.EdgeView;
import io.hypha.relay.internal.engine.RelaySnapshot.RelayRow;
import io.hypha.relay.internal.engine.RelaySnapshot.RelayView;
import io.hypha.relay.internal.engine.RelaySnapshot.SenderView;
import io.hypha.relay.internal.wire.Refusal;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class RelayTextTest {
    private static final NodeId SELF = NodeId.of(filled(1));
    private static final NodeId EDGE = NodeId.of(filled(2));
    private static final NodeId RELAY = NodeId.of(filled(3));

    private static byte[] filled(int v) {
        byte[] b = new byte[32];
        Arrays.fill(b, (byte) v);
        return b;
    }

    private static <E extends Enum<E>> EnumMap<E, Long> counts(Class<E> type, Object... pairs) {
        EnumMap<E, Long> m = new EnumMap<>(type);
        for (E e : type.getEnumConstants()) {
            m.put(e, 0L);
        }
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(type.cast(pairs[i]), ((Number) pairs[i + 1]).longValue());
        }
        return m;
    }

    private static SenderView sender() {
        return new SenderView(3, 3_000, 1, Map.of(RELAY, 2), 1_100, 1_097, 4, 1,
                counts(Refusal.class, Refusal.QUOTA_FULL, 2), counts(DeliveryFailure.class, DeliveryFailure.EXPIRED, 100));
    }

    @Test
    void showsTheSenderOnlyOnANodeThatNeitherServesNorHasRelays() {
        String text = RelayText.relay(new RelaySnapshot(SELF, sender(), null, null, counts(Drop.class)));

        assertThat(text).contains("roles sender\n")
                .contains("sender: pending=3 unsent=1 pendingBytes=3000 taken=1100 confirmed=1097 resent=4 failovers=1")
                .contains("refused by relays: quota_full=2")
                .contains("reported to sending engines: expired=100")
                .contains("unconfirmed at relays: " + RELAY.shortForm() + "=2")
                .contains("drops: none")
                .doesNotContain("relay: store").doesNotContain("edge:");
    }

    @Test
    void showsARelaysStoreEdgesQuotasAndCounters() {
        Instant t = Instant.parse("2025-01-01T00:00:01.234Z");
        RelayView relay = new RelayView(Path.of("/data/relay/relay-store.mv.db"), null, "FSYNC", 1_000, 1 << 20, 1 << 30,
                65_536, 10, 2_000, 8_192, List.of(new EdgeRow(EDGE, true, false, t, 10, 2_000, 0, t, null)), 1_100,
                counts(Refusal.class, Refusal.QUOTA_FULL, 5), 1_000, 990, 100, t, t.plusSeconds(5));

        String text = RelayText.relay(new RelaySnapshot(SELF, sender(), relay, null, counts(Drop.class, Drop.MALFORMED, 2)));

        assertThat(text).contains("roles sender, relay\n")
                .contains("relay: store /data/relay/relay-store.mv.db (FSYNC) messages=10 bytes=2000 fileBytes=8192")
                .contains("quota per edge: 1000 messages, 1048576 bytes")
                .contains("counters: stored=1100 forwarded=1000 acked=990 expired=100 firstStored=2025-01-01T00:00:01.234Z"
                        + " lastStored=2025-01-01T00:00:06.234Z")
                .contains("refused: quota_full=5")
                .contains("drops: malformed=2");
        String row = text.lines().filter(l -> l.contains(EDGE.toString())).findFirst().orElseThrow();
        assertThat(row).contains("offline").contains("1.0% of messages").contains("0.2% of bytes");
    }

    @Test
    void saysWhenTheStoreIsNotOpenAndShowsAnEdgesRelays() {
        RelayView broken = new RelayView(null, "LOCKED: another process", "FSYNC", 1, 1, 1, 1, 0, 0, 0, List.of(), 0,
                counts(Refusal.class), 0, 0, 0, null, null);
        EdgeView edge = new EdgeView(List.of(new RelayRow(RELAY, URI.create("tls://" + RELAY + "@127.0.0.1:4001"), "REGISTERED",
                "", Instant.EPOCH, 100, 200, 7, 7)), 7, 1, 0, 0);

        String text = RelayText.relay(new RelaySnapshot(SELF, sender(), broken, edge, counts(Drop.class)));

        assertThat(text).contains("roles sender, relay, edge").contains("store NOT OPEN (LOCKED: another process)")
                .contains("no edge nodes registered").contains("edge: delivered=7 duplicates=1 unsealable=0");
        String row = text.lines().filter(l -> l.contains(RELAY.toString()) && l.contains("REGISTERED")).findFirst().orElseThrow();
        assertThat(row).contains("100 messages, 200 bytes");
    }

    @Test
    void theCommandSaysWhatToDoWhenTheEngineIsAbsentOrStopped() throws Exception {
        RelayCommands commands = new RelayCommands();
        assertThatThrownBy(commands::relayText).isInstanceOf(RelayCommandException.class).hasMessageContaining("feature-install relay");

        commands.admin = () -> CompletableFuture.failedFuture(new IllegalStateException("the relay engine is stopped"));
        assertThatThrownBy(commands::relayText).isInstanceOf(RelayCommandException.class).hasMessageContaining("stopped");

        RelayAdmin ok = () -> CompletableFuture.completedFuture(new RelaySnapshot(SELF, sender(), null, null, counts(Drop.class)));
        commands.admin = ok;
        assertThat(commands.relayText()).startsWith("relay engine on node " + SELF);
    }
}
