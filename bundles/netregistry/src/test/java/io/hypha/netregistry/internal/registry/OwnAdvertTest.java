package io.hypha.netregistry.internal.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hypha.api.NodeId;
import io.hypha.api.advert.TransportAddress;
import io.hypha.identity.internal.Ed25519NodeKey;
import io.hypha.netregistry.test.Keys;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OwnAdvertTest {
    @TempDir
    Path dir;

    private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");
    private final Ed25519NodeKey key = Keys.key(1);

    @Test
    void advertisesDiallableListeningAddressesByWeightThenText() {
        RegistrySettings settings = RegistrySettings.builder().schemeWeights(Map.of("quic", 200, "tls", 100)).build();

        List<TransportAddress> addresses = OwnAdvert.advertised(List.of(URI.create("tls://127.0.0.1:4001"),
                URI.create("ws://127.0.0.1:4003"), URI.create("quic://127.0.0.1:4002"), URI.create("tls://0.0.0.0:4004"),
                URI.create("tls://127.0.0.1:4001")), settings);

        assertThat(addresses).containsExactly(new TransportAddress(URI.create("quic://127.0.0.1:4002"), 200),
                new TransportAddress(URI.create("tls://127.0.0.1:4001"), 100),
                new TransportAddress(URI.create("ws://127.0.0.1:4003"), TransportAddress.DEFAULT_WEIGHT));
    }

    @Test
    void publicAddressesReplaceTheListeningOnes() {
        RegistrySettings settings = RegistrySettings.builder().publicAddresses(List.of(URI.create("tls://203.0.113.5:443"))).build();

        assertThat(OwnAdvert.advertised(List.of(URI.create("tls://0.0.0.0:4001")), settings))
                .containsExactly(new TransportAddress(URI.create("tls://203.0.113.5:443"), 100));
    }

    @Test
    void refusesRelaysAnAdvertCannotList() throws Exception {
        try (AdvertStore store = AdvertStore.open(dir)) {
            OwnAdvert own = new OwnAdvert(key, Keys.codec(), store, RegistrySettings.defaults(), NOW);
            NodeId relay = Keys.key(2).id();

            assertThatThrownBy(() -> own.relays(List.of(key.id()), false)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> own.relays(List.of(relay, relay), false)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void signsOnlyWhatChangedAndStoresEachNewVersionFirst() throws Exception {
        try (AdvertStore store = AdvertStore.open(dir)) {
            OwnAdvert own = new OwnAdvert(key, Keys.codec(), store, RegistrySettings.defaults(), NOW);
            assertThat(own.refresh(NOW)).as("nothing to say yet").isEmpty();

            own.listening(List.of(URI.create("tls://127.0.0.1:4001")));
            OwnAdvert.Signed first = own.refresh(NOW).orElseThrow();
            assertThat(own.refresh(NOW.plusSeconds(1))).as("same addresses, not due").isEmpty();
            own.listening(List.of(URI.create("tls://127.0.0.1:4009")));
            OwnAdvert.Signed second = own.refresh(NOW).orElseThrow();

            assertThat(first.advert().version()).isEqualTo(NOW.toEpochMilli());
            assertThat(second.advert().version()).isEqualTo(NOW.toEpochMilli() + 1);
            assertThat(store.lastOwnVersion()).isEqualTo(second.advert().version());
            assertThat(store.ownAdvert()).hasValueSatisfying(b -> assertThat(b).isEqualTo(second.encoded()));
        }
    }
}
