package io.hypha.features.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.annotation.Annotation;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsTest {
    /** A configuration as DS would build it. */
    static FeatureComponent.Config config(String[] repositories, boolean mavenLocal, String[] featureDirs) {
        return new FeatureComponent.Config() {
            @Override public Class<? extends Annotation> annotationType() { return FeatureComponent.Config.class; }
            @Override public String[] repositories() { return repositories; }
            @Override public boolean mavenLocalFallback() { return mavenLocal; }
            @Override public String[] featureDirectories() { return featureDirs; }
            @Override public long refreshTimeoutSeconds() { return 5; }
        };
    }

    private final Map<String, String> props = new HashMap<>(Map.of("user.home", "/home/op"));

    @Test
    void defaultsToTheDistributionAndTheLocalMavenRepository() {
        props.put("hypha.home", "/opt/hypha");
        props.put("hypha.data", "/var/hypha");

        Settings s = Settings.from(config(new String[0], true, new String[0]), props::get);

        assertThat(s.featureDirectories()).containsExactly(Path.of("/opt/hypha/features"), Path.of("/var/hypha/deploy"));
        assertThat(s.repositories()).containsExactly(Path.of("/opt/hypha/system"), Path.of("/home/op/.m2/repository"));
    }

    @Test
    void configuredRepositoriesReplaceTheSystemRepositoryAndPrecedeTheFallback() {
        props.put("hypha.home", "/opt/hypha");
        props.put("hypha.features.repositories", "/ignored");
        props.put("maven.repo.local", "/m2");

        Settings s = Settings.from(config(new String[] {"/r1", " /r2 "}, true, new String[0]), props::get);

        assertThat(s.repositories()).containsExactly(Path.of("/r1"), Path.of("/r2"), Path.of("/m2"));
    }

    @Test
    void theRepositoriesPropertyAppliesWhenTheConfigurationNamesNone() {
        props.put("hypha.features.repositories", "/a, /b");
        props.put("hypha.features.mavenLocal", "false");

        Settings s = Settings.from(config(new String[0], true, new String[0]), props::get);

        assertThat(s.repositories()).containsExactly(Path.of("/a"), Path.of("/b"));
        assertThat(s.featureDirectories()).isEmpty();
    }

    @Test
    void theFallbackCanBeTurnedOffInTheConfiguration() {
        Settings s = Settings.from(config(new String[] {"/r"}, false, new String[] {"/f"}), props::get);

        assertThat(s.repositories()).containsExactly(Path.of("/r"));
        assertThat(s.featureDirectories()).containsExactly(Path.of("/f"));
    }

    @Test
    void parsesTheBootList() {
        assertThat(FeatureComponent.bootFeatures(null)).isEmpty();
        assertThat(FeatureComponent.bootFeatures("  ")).isEmpty();
        assertThat(FeatureComponent.bootFeatures("core, console,,core")).isEqualTo(List.of("core", "console"));
    }
}
