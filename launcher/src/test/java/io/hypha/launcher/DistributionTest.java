package io.hypha.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The assembled distribution (target/hypha, built in process-resources) holds every bundle that the startup list or
 * any feature file names, so that feature files and distribution never drift apart.
 */
class DistributionTest {
    private final Distribution dist = new Distribution(Path.of(System.getProperty("hypha.test.dist", "target/hypha")));

    @Test
    void everyBundleAFeatureNamesIsInTheSystemRepository() throws IOException {
        List<Path> featureFiles;
        try (Stream<Path> files = Files.list(dist.features())) {
            featureFiles = files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        }
        assertThat(featureFiles).as("feature files in " + dist.features()).isNotEmpty();
        List<String> missing = new ArrayList<>();
        int bundles = 0;
        for (Path file : featureFiles) {
            JsonObject feature;
            try (Reader r = Files.newBufferedReader(file); JsonReader json = Json.createReader(r)) {
                feature = json.readObject();
            }
            for (JsonValue bundle : feature.getJsonArray("bundles")) {
                bundles++;
                String id = bundle.asJsonObject().getString("id");
                Path jar = dist.artifact(Coordinates.parse(id));
                if (!Files.isRegularFile(jar)) {
                    missing.add(file.getFileName() + ": " + id);
                }
            }
        }
        assertThat(bundles).isPositive();
        assertThat(missing).as("bundles named by features but missing from " + dist.system()).isEmpty();
    }

    @Test
    void theFeatureFilesOfTheDistributionAreThoseOfTheRepository() throws IOException {
        Path source = Path.of(System.getProperty("hypha.test.features", "../features"));
        assertThat(names(dist.features())).isEqualTo(names(source));
    }

    @Test
    void everyDefaultBootFeatureHasAFeatureFileAndTheTransportsAreAmongThem() {
        List<String> boot = List.of(NodeRunner.BOOT_FEATURES.split(","));

        assertThat(boot).containsExactly("core", "console", "tls", "quic", "relay");
        assertThat(boot).allSatisfy(name -> assertThat(dist.features().resolve(name + ".json")).isRegularFile());
    }

    @Test
    void theTransportFeaturesBringTheirProtocolsAndCoreBringsTheTransportEngine() throws IOException {
        assertThat(bundleIds("core")).contains("io.hypha:hypha-transport:0.1.0-SNAPSHOT", "io.hypha:hypha-wire:0.1.0-SNAPSHOT",
                        "io.hypha:hypha-netregistry:0.1.0-SNAPSHOT")
                .anyMatch(id -> id.startsWith("com.h2database:h2:"))
                .anyMatch(id -> id.startsWith("com.google.protobuf:protobuf-java:"));
        assertThat(bundleIds("tls")).contains("io.hypha:hypha-transport-tls:0.1.0-SNAPSHOT")
                .anyMatch(id -> id.startsWith("io.netty:netty-handler:"))
                .noneMatch(id -> id.startsWith("io.netty:netty-all:"));
        assertThat(bundleIds("quic")).contains("io.hypha:hypha-transport-quic:0.1.0-SNAPSHOT")
                .noneMatch(id -> id.contains("netty"));
    }

    private List<String> bundleIds(String feature) throws IOException {
        try (Reader r = Files.newBufferedReader(dist.features().resolve(feature + ".json")); JsonReader json = Json.createReader(r)) {
            return json.readObject().getJsonArray("bundles").stream().map(b -> b.asJsonObject().getString("id")).toList();
        }
    }

    @Test
    void everyStartupBundleIsInTheSystemRepositoryAndIsABundle() throws IOException {
        StartupList startup = StartupList.read(dist.startupList());
        List<String> problems = new ArrayList<>();
        for (StartupList.Entry e : startup.entries()) {
            Path jar = dist.artifact(e.coordinates());
            if (!Files.isRegularFile(jar)) {
                problems.add("missing: " + e.coordinates());
                continue;
            }
            try (JarFile file = new JarFile(jar.toFile())) {
                if (file.getManifest().getMainAttributes().getValue("Bundle-SymbolicName") == null) {
                    problems.add("not a bundle: " + e.coordinates());
                }
            }
        }
        assertThat(problems).isEmpty();
        assertThat(startup.entries()).anyMatch(e -> e.coordinates().artifact().equals("hypha-features"));
        assertThat(startup.entries().get(0).coordinates().artifact()).as("logging comes first").isEqualTo("slf4j-api");
    }

    @Test
    void theLibFolderHoldsTheFramework() throws IOException {
        assertThat(names(dist.home().resolve("lib"))).anyMatch(n -> n.startsWith("org.apache.felix.framework-"));
    }

    private static TreeSet<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).collect(
                    java.util.stream.Collectors.toCollection(TreeSet::new));
        }
    }
}
