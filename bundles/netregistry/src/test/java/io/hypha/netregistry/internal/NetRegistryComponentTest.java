package io.hypha.netregistry.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.hypha.netregistry.internal.registry.RegistrySettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetRegistryComponentTest {
    @TempDir
    Path dir;

    @Test
    void theDefaultsAreTheDocumentedOnes() {
        assertThat(NetRegistryComponent.settings(config(Map.of()), null)).isEqualTo(RegistrySettings.defaults());
    }

    @Test
    void seedsComeFromTheConfigurationThenTheFrameworkPropertyEachOnceAndBadOnesAreSkipped() {
        RegistrySettings s = NetRegistryComponent.settings(config(Map.of("seeds",
                new String[] {"tls://127.0.0.1:4001, quic://127.0.0.1:4002", "not an address", "tls://127.0.0.1"})),
                "quic://127.0.0.1:4002,tls://10.0.0.1:4001");

        assertThat(s.seeds()).containsExactly(URI.create("tls://127.0.0.1:4001"), URI.create("quic://127.0.0.1:4002"),
                URI.create("tls://10.0.0.1:4001"));
    }

    @Test
    void aCfgFileCommaListAndTheOtherAttributesAreRead() {
        RegistrySettings s = NetRegistryComponent.settings(config(Map.of("schemeWeights", new String[] {"quic=7,tls=3"},
                "advertTtlSeconds", 3600L, "samplePeriodMillis", 0L, "lookupTimeoutMillis", 500L, "capacity", 5)), null);

        assertThat(s.schemeWeights()).isEqualTo(Map.of("quic", 7, "tls", 3));
        assertThat(s.advertTtl()).isEqualTo(Duration.ofHours(1));
        assertThat(s.samplePeriod()).isZero();
        assertThat(s.lookupTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(s.capacity()).isEqualTo(5);
    }

    @Test
    void anInvalidConfigurationFallsBackToTheDefaultsButKeepsTheSeeds() {
        RegistrySettings s = NetRegistryComponent.settings(config(Map.of("capacity", 0, "seeds", new String[] {"tls://a:1"})), null);

        assertThat(s.capacity()).isEqualTo(RegistrySettings.DEFAULT_CAPACITY);
        assertThat(s.seeds()).containsExactly(URI.create("tls://a:1"));
    }

    @Test
    void theStoreLivesInTheDataDirectoryElseTheBundleAreaElseATemporaryDirectory() throws Exception {
        assertThat(NetRegistryComponent.storeDirectory("${hypha.data}/registry", "/var/hypha", () -> null))
                .isEqualTo(Path.of("/var/hypha/registry"));
        assertThat(NetRegistryComponent.storeDirectory("", "/var/hypha", () -> null)).isEqualTo(Path.of("/var/hypha/registry"));
        assertThat(NetRegistryComponent.storeDirectory("${hypha.data}/registry", null, dir::toFile)).isEqualTo(dir.resolve("registry"));
        assertThat(NetRegistryComponent.storeDirectory("${hypha.data}/registry", null, () -> null).toString())
                .contains("hypha-netregistry-");
        assertThat(NetRegistryComponent.storeDirectory("/abs/store", "/var/hypha", () -> null)).isEqualTo(Path.of("/abs/store"));
    }

    /** A Config whose attributes come from the map, else from their defaults, as DS makes it. */
    private static NetRegistryComponent.Config config(Map<String, Object> values) {
        return (NetRegistryComponent.Config) java.lang.reflect.Proxy.newProxyInstance(NetRegistryComponent.Config.class.getClassLoader(),
                new Class<?>[] {NetRegistryComponent.Config.class}, (proxy, method, args) -> {
                    if (method.getName().equals("annotationType")) {
                        return NetRegistryComponent.Config.class;
                    }
                    Object v = values.get(method.getName());
                    return v != null ? v : method.getDefaultValue();
                });
    }
}
