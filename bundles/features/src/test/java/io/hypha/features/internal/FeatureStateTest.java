package io.hypha.features.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureStateTest {
    @TempDir
    Path tmp;

    @Test
    void survivesASaveAndLoad() throws Exception {
        FeatureState state = FeatureState.empty()
                .with(new FeatureState.Installed("core", "io.hypha.features:core:1", List.of(new BundleKey("a", "1.0.0"), new BundleKey("b.c", "0.1.0.SNAPSHOT")), List.of(7L, 8L)))
                .with(new FeatureState.Installed("echo", "io.hypha.features:echo:1", List.of(new BundleKey("a", "1.0.0")), List.of()));
        Path file = tmp.resolve("sub/state.properties");

        state.save(file);
        FeatureState loaded = FeatureState.load(file);

        assertThat(loaded.features()).isEqualTo(state.features());
    }

    @Test
    void aMissingFileIsTheEmptyState() throws Exception {
        assertThat(FeatureState.load(tmp.resolve("none")).features()).isEmpty();
    }

    @Test
    void withoutForgetsOnlyThatFeature() {
        FeatureState state = FeatureState.empty()
                .with(new FeatureState.Installed("a", "x:a:1", List.of(), List.of(1L)))
                .with(new FeatureState.Installed("b", "x:b:1", List.of(), List.of(2L)));

        assertThat(state.without("a").features()).containsOnlyKeys("b");
        assertThat(state.features()).containsOnlyKeys("a", "b");
    }
}
