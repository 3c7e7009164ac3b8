package io.hypha.features.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hypha.features.FeatureException;
import io.hypha.features.FeatureException.Reason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureReaderTest {
    /** The distribution's feature files, as shipped. */
    private static final Path DISTRIBUTION = Path.of("../../features");

    private final FeatureReader reader = OsgiFeatures.reader();

    @TempDir
    Path dir;

    @Test
    void readsTheDistributionsCoreFeature() throws Exception {
        FeatureDefinition core = reader.read(DISTRIBUTION.resolve("core.json"));

        assertThat(core.name()).isEqualTo("core");
        assertThat(core.id()).isEqualTo("io.hypha.features:core:0.1.0-SNAPSHOT");
        assertThat(core.description()).isNotBlank();
        assertThat(core.inStartOrder()).extracting(e -> e.coordinates().toString()).containsExactly(
                "org.bouncycastle:bcprov-jdk18on:1.87",
                "org.bouncycastle:bcutil-jdk18on:1.87",
                "org.bouncycastle:bcpkix-jdk18on:1.87",
                "com.google.protobuf:protobuf-java:4.32.1",
                "com.h2database:h2:2.3.232",
                "io.hypha:hypha-plugin-api:0.1.0-SNAPSHOT",
                "io.hypha:hypha-identity:0.1.0-SNAPSHOT",
                "io.hypha:hypha-wire:0.1.0-SNAPSHOT",
                "io.hypha:hypha-runtime:0.1.0-SNAPSHOT",
                "io.hypha:hypha-router:0.1.0-SNAPSHOT",
                "io.hypha:hypha-transport:0.1.0-SNAPSHOT",
                "io.hypha:hypha-netregistry:0.1.0-SNAPSHOT");
    }

    @Test
    void readsEveryDistributionFeatureFile() throws Exception {
        List<Path> files;
        try (var stream = Files.list(DISTRIBUTION)) {
            files = stream.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        assertThat(files).extracting(p -> p.getFileName().toString()).contains("core.json", "console.json", "echo.json");
        for (Path file : files) {
            FeatureDefinition def = reader.read(file);
            assertThat(def.id()).startsWith("io.hypha.features:" + def.name() + ":");
            assertThat(def.bundles()).isNotEmpty();
        }
        assertThat(reader.read(DISTRIBUTION.resolve("console.json")).bundles()).extracting(e -> e.coordinates().toString())
                .contains("org.apache.felix:org.apache.felix.gogo.command:1.1.2", "io.hypha:hypha-console:0.1.0-SNAPSHOT",
                        "io.hypha:hypha-admin:0.1.0-SNAPSHOT");
        assertThat(reader.read(DISTRIBUTION.resolve("echo.json")).bundles()).extracting(e -> e.coordinates().toString())
                .contains("io.hypha:hypha-example-echo:0.1.0-SNAPSHOT");
    }

    @Test
    void ordersBundlesByStartOrderThenFileOrderWithUnorderedOnesLast() throws Exception {
        Path file = TestRepository.featureFile(dir, "mixed", TestRepository.feature("mixed",
                "g:unordered:1", "g:late:1|20", "g:early:1|5", "g:also-early:1|5"));

        assertThat(reader.read(file).inStartOrder()).extracting(e -> e.coordinates().artifact())
                .containsExactly("early", "also-early", "late", "unordered");
    }

    @Test
    void rejectsInvalidJsonAsMalformedNamingTheFile() throws Exception {
        Path file = TestRepository.featureFile(dir, "broken", "{ \"id\": \"g:broken:1\", \"bundles\": [ ");

        assertMalformed(file, "broken.json");
    }

    @Test
    void rejectsAFeatureWithoutAnId() throws Exception {
        Path file = TestRepository.featureFile(dir, "anonymous", "{ \"bundles\": [ { \"id\": \"g:a:1\" } ] }");

        assertThat(assertMalformed(file, "anonymous.json").getMessage()).contains("\"id\"");
    }

    @Test
    void rejectsABundleIdThatIsNotMavenCoordinates() throws Exception {
        Path file = TestRepository.featureFile(dir, "badid", TestRepository.feature("badid", "only-a-name"));

        assertMalformed(file, "badid.json");
    }

    @Test
    void rejectsABundleIdThatWouldLeaveTheRepository() throws Exception {
        Path file = TestRepository.featureFile(dir, "escape", TestRepository.feature("escape", "g:..:1"));

        assertThat(assertMalformed(file, "escape.json").getMessage()).contains("g:..:1");
    }

    @Test
    void rejectsANonNumericStartOrder() throws Exception {
        Path file = TestRepository.featureFile(dir, "order", "{ \"id\": \"g:order:1\", \"bundles\": [ { \"id\": \"g:a:1\", \"start-order\": \"soon\" } ] }");

        assertThat(assertMalformed(file, "order.json").getMessage()).contains("start-order");
    }

    @Test
    void rejectsAFileWhoseNameIsNotAFeatureName() throws Exception {
        Path file = Files.writeString(dir.resolve("has space.json"), TestRepository.feature("x", "g:a:1"));

        assertMalformed(file, "has space.json");
    }

    @Test
    void derivesTheFeatureNameFromTheFileName() {
        assertThat(FeatureReader.featureName(Path.of("/x/core.json"))).isEqualTo("core");
        assertThat(FeatureReader.featureName(Path.of("/x/my-feature.v2.json"))).isEqualTo("my-feature.v2");
        assertThat(FeatureReader.featureName(Path.of("/x/core.cfg"))).isNull();
        assertThat(FeatureReader.featureName(Path.of("/x/.json"))).isNull();
        assertThat(FeatureReader.featureName(Path.of("/x/a b.json"))).isNull();
    }

    private FeatureException assertMalformed(Path file, String fileName) throws IOException {
        FeatureException e = (FeatureException) org.assertj.core.api.Assertions.catchThrowable(() -> reader.read(file));
        assertThat(e).isNotNull();
        assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
        assertThat(e.getMessage()).contains(fileName);
        return e;
    }

    @Test
    void parsesCoordinatesWithTypeAndClassifier() {
        ArtifactCoordinates plain = ArtifactCoordinates.parse("org.example:lib:1.2");
        ArtifactCoordinates typed = ArtifactCoordinates.parse("org.example:lib:zip:1.2");
        ArtifactCoordinates classified = ArtifactCoordinates.parse("org.example:lib:jar:jdk17:1.2");

        assertThat(plain.repositoryPath()).isEqualTo(Path.of("org/example/lib/1.2/lib-1.2.jar"));
        assertThat(typed.repositoryPath()).isEqualTo(Path.of("org/example/lib/1.2/lib-1.2.zip"));
        assertThat(classified.repositoryPath()).isEqualTo(Path.of("org/example/lib/1.2/lib-1.2-jdk17.jar"));
        assertThat(classified.toString()).isEqualTo("org.example:lib:jar:jdk17:1.2");
        assertThat(plain.toString()).isEqualTo("org.example:lib:1.2");
        assertThatThrownBy(() -> ArtifactCoordinates.parse("org.example:lib")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ArtifactCoordinates.parse("org/example:lib:1")).isInstanceOf(IllegalArgumentException.class);
    }
}
