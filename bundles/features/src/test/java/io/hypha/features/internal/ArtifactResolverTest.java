package io.hypha.features.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.hypha.features.FeatureException;
import io.hypha.features.FeatureException.Reason;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactResolverTest {
    @TempDir
    Path tmp;

    private FeatureDefinition feature(String... ids) {
        List<FeatureDefinition.Entry> entries = new java.util.ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            entries.add(new FeatureDefinition.Entry(ArtifactCoordinates.parse(ids[i]), FeatureDefinition.NO_START_ORDER, i));
        }
        return new FeatureDefinition("f", "test:f:1", "", entries, tmp.resolve("f.json"));
    }

    @Test
    void prefersTheSystemRepositoryOverTheFallback() throws Exception {
        TestRepository system = new TestRepository(tmp.resolve("system"));
        TestRepository m2 = new TestRepository(tmp.resolve("m2"));
        Path inSystem = system.bundle("g:a:1.0", "a", "1.0");
        m2.bundle("g:a:1.0", "a", "1.0");

        ArtifactResolver resolver = new ArtifactResolver(List.of(system.root, m2.root));

        assertThat(resolver.locate(ArtifactCoordinates.parse("g:a:1.0"))).contains(inSystem);
    }

    @Test
    void fallsBackToTheNextRepositoryWhenTheFirstLacksAnArtifact() throws Exception {
        TestRepository system = new TestRepository(tmp.resolve("system"));
        TestRepository m2 = new TestRepository(tmp.resolve("m2"));
        system.bundle("g:a:1.0", "a", "1.0");
        Path onlyInM2 = m2.bundle("g:b:2.0-SNAPSHOT", "b", "2.0.0.SNAPSHOT");

        List<BundleArtifact> artifacts = new ArtifactResolver(List.of(system.root, m2.root)).resolve(feature("g:a:1.0", "g:b:2.0-SNAPSHOT"));

        assertThat(artifacts).extracting(BundleArtifact::path).containsExactly(system.root.resolve("g/a/1.0/a-1.0.jar"), onlyInM2);
        assertThat(artifacts).extracting(BundleArtifact::key)
                .containsExactly(new BundleKey("a", "1.0.0"), new BundleKey("b", "2.0.0.SNAPSHOT"));
    }

    @Test
    void namesEveryMissingArtifactAndTheRepositoriesSearched() throws Exception {
        TestRepository system = new TestRepository(tmp.resolve("system"));
        system.bundle("g:present:1", "present", "1");
        ArtifactResolver resolver = new ArtifactResolver(List.of(system.root));

        FeatureException e = catchThrowableOfType(() -> resolver.resolve(feature("g:present:1", "g:gone:1", "h:also-gone:2")), FeatureException.class);

        assertThat(e.reason()).isEqualTo(Reason.MISSING_ARTIFACT);
        assertThat(e.getMessage()).contains("g:gone:1", "h:also-gone:2", system.root.toString()).doesNotContain("g:present:1,");
    }

    @Test
    void rejectsAJarThatIsNotABundle() throws Exception {
        TestRepository system = new TestRepository(tmp.resolve("system"));
        system.plainJar("g:plain:1");

        FeatureException e = catchThrowableOfType(() -> new ArtifactResolver(List.of(system.root)).resolve(feature("g:plain:1")), FeatureException.class);

        assertThat(e.reason()).isEqualTo(Reason.INVALID_ARTIFACT);
        assertThat(e.getMessage()).contains("g:plain:1", "Bundle-SymbolicName");
    }

    @Test
    void identifiesFragmentsAndStripsDirectivesFromTheSymbolicName() throws Exception {
        TestRepository system = new TestRepository(tmp.resolve("system"));
        system.fragment("g:frag:1", "frag", "1.2.3", "host");

        BundleArtifact artifact = new ArtifactResolver(List.of(system.root)).resolve(feature("g:frag:1")).get(0);

        assertThat(artifact.fragment()).isTrue();
        assertThat(artifact.key()).isEqualTo(new BundleKey("frag", "1.2.3"));
    }
}
