package io.hypha.netregistry.internal.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hypha.api.NodeId;
import io.hypha.api.advert.AdvertContent;
import io.hypha.api.advert.AdvertRejection;
import io.hypha.api.advert.NodeAdvert;
import io.hypha.api.advert.TransportAddress;
import io.hypha.netregistry.internal.registry.RegistryAdmin;
import io.hypha.netregistry.internal.registry.RegistrySnapshot;
import io.hypha.netregistry.internal.registry.RegistrySnapshot.Counters;
import io.hypha.netregistry.internal.registry.RegistrySnapshot.SeedInfo;
import io.hypha.netregistry.internal.registry.RegistrySnapshot.SeedState;
import io.hypha.netregistry.test.Keys;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

class RegistryCommandsTest {
    private static final Instant T = Instant.parse("2025-01-01T00:00:00Z");

    private final NodeId self = Keys.key(1).id();
    private final NodeId b = Keys.key(2).id();
    private final NodeId edge = Keys.key(3).id();
    private final NodeAdvert own = advert(self, 7, List.of(new TransportAddress(URI.create("quic://127.0.0.1:4002"), 200),
            new TransportAddress(URI.create("tls://127.0.0.1:4001"), 100)), List.of());
    private final NodeAdvert bAdvert = advert(b, 3, List.of(new TransportAddress(URI.create("tls://127.0.0.1:5001"), 100)), List.of());
    private final NodeAdvert edgeAdvert = advert(edge, 4, List.of(), List.of(b));

    private static NodeAdvert advert(NodeId node, long version, List<TransportAddress> addresses, List<NodeId> relays) {
        return new NodeAdvert(new AdvertContent(node, addresses, relays, 1, 1, version, T, T.plusSeconds(3600)), new byte[64]);
    }

    private RegistrySnapshot snapshot(List<NodeAdvert> adverts) {
        Map<AdvertRejection, Long> rejections = new EnumMap<>(AdvertRejection.class);
        for (AdvertRejection r : AdvertRejection.values()) {
            rejections.put(r, 0L);
        }
        rejections.put(AdvertRejection.BAD_SIGNATURE, 2L);
        rejections.put(AdvertRejection.OLDER_VERSION, 1L);
        return new RegistrySnapshot(self, Optional.of(own), adverts, 100, rejections, 0, new Counters(5, 3, 2, 0, 9, 4, 1),
                List.of(new SeedInfo(URI.create("tls://127.0.0.1:7001"), SeedState.CONNECTED, b, 1, "refused")), "/data/registry/adverts.mv.db");
    }

    private RegistryCommands commands(RegistrySnapshot snapshot, Optional<NodeAdvert> lookupAnswer) {
        RegistryCommands commands = new RegistryCommands();
        commands.admin = new RegistryAdmin() {
            @Override
            public RegistrySnapshot snapshot() {
                return snapshot;
            }

            @Override
            public CompletionStage<Optional<NodeAdvert>> lookup(NodeId node) {
                return CompletableFuture.completedFuture(lookupAnswer.filter(a -> a.node().equals(node)));
            }

            @Override
            public Duration lookupTimeout() {
                return Duration.ofMillis(3000);
            }
        };
        return commands;
    }

    @Test
    void advertsShowsTheOwnAdvertOneLinePerNodeAndTheCounters() {
        String text = RegistryText.adverts(snapshot(List.of(bAdvert, edgeAdvert)));

        assertThat(text).contains("own: " + self + " v7 addresses quic://127.0.0.1:4002(200),tls://127.0.0.1:4001(100) relays -");
        String bLine = text.lines().filter(l -> l.startsWith(b.toString())).findFirst().orElseThrow();
        assertThat(bLine.split("\\s+")).containsExactly(b.toString(), "3", "tls://127.0.0.1:5001(100)", "-", "2025-01-01T01:00:00Z");
        String edgeLine = text.lines().filter(l -> l.startsWith(edge.toString())).findFirst().orElseThrow();
        assertThat(edgeLine.split("\\s+")).containsExactly(edge.toString(), "4", "-", b.toString(), "2025-01-01T01:00:00Z");
        assertThat(text).contains("\nrejected: bad_signature=2 older_version=1\n");
        assertThat(text).contains("held: 2 of 100");
        assertThat(text).contains("counters: accepted=4 lookups=5 found=3 missed=2 refused=0 samples=9 bad_messages=1");
        assertThat(text).contains("seed tls://127.0.0.1:7001: connected (" + b + "), 1 failed dials, last: refused");
    }

    @Test
    void advertsSaysSoWhenNothingIsHeld() {
        String text = RegistryText.adverts(snapshot(List.of()));

        assertThat(text).contains("no adverts of other nodes held");
    }

    @Test
    void lookupPrintsTheAdvertFoundByFullIdOrByThePrefixOfAHeldOne() throws Exception {
        RegistryCommands commands = commands(snapshot(List.of(bAdvert)), Optional.of(bAdvert));

        assertThat(commands.lookupText(b.toString())).isEqualTo("found " + RegistryText.summary(bAdvert) + "\n");
        assertThat(commands.lookupText(b.toString().substring(0, 6).toUpperCase())).startsWith("found " + b);
    }

    @Test
    void lookupOfANodeNoPeerKnewFailsSayingSo() {
        RegistryCommands commands = commands(snapshot(List.of()), Optional.empty());

        assertThatThrownBy(() -> commands.lookupText(edge.toString())).isInstanceOfSatisfying(RegistryCommandException.class, e -> {
            assertThat(e.failure()).isEqualTo(RegistryCommandException.Failure.NOT_FOUND);
            assertThat(e.getMessage()).contains("no peer knew node " + edge);
        });
    }

    @Test
    void lookupOfSomethingThatNamesNoNodeFails() {
        RegistryCommands commands = commands(snapshot(List.of(bAdvert)), Optional.empty());

        assertThatThrownBy(() -> commands.lookupText("zzz")).isInstanceOfSatisfying(RegistryCommandException.class,
                e -> assertThat(e.failure()).isEqualTo(RegistryCommandException.Failure.BAD_NODE));
        assertThatThrownBy(() -> commands.lookupText("")).isInstanceOf(RegistryCommandException.class);
    }

    @Test
    void commandsSayWhenTheRegistryIsNotRunning() {
        RegistryCommands commands = new RegistryCommands();

        assertThatThrownBy(commands::adverts).isInstanceOfSatisfying(RegistryCommandException.class,
                e -> assertThat(e.failure()).isEqualTo(RegistryCommandException.Failure.NOT_RUNNING));
    }
}
