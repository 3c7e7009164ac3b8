package io.hypha.features.internal;

import static io.hypha.features.internal.TestRepository.feature;
import static io.hypha.features.internal.TestRepository.featureFile;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hypha.features.FeatureException;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureArtifactInstallerTest {
    @TempDir
    Path tmp;

    @Test
    void handlesFeatureFilesOnly() {
        FeatureArtifactInstaller installer = new FeatureArtifactInstaller(null);

        assertThat(installer.canHandle(new File("/d/deploy/echo.json"))).isTrue();
        assertThat(installer.canHandle(new File("/d/deploy/bundle.jar"))).isFalse();
        assertThat(installer.canHandle(new File("/d/deploy/io.hypha.runtime.cfg"))).isFalse();
        assertThat(installer.canHandle(new File("/d/deploy/bad name.json"))).isFalse();
    }

    @Test
    void installsOnDeployReappliesOnUpdateAndUninstallsOnRemoval() throws Exception {
        FakeFramework fw = new FakeFramework();
        TestRepository system = new TestRepository(tmp.resolve("system"));
        system.bundle("g:a:1", "a", "1");
        system.bundle("g:b:1", "b", "1");
        FeatureManager manager = new FeatureManager(fw.context, OsgiFeatures.reader(), tmp.resolve("state"),
                new Settings(List.of(), List.of(system.root), Duration.ofSeconds(5)));
        FeatureArtifactInstaller installer = new FeatureArtifactInstaller(manager);
        Path file = featureFile(tmp.resolve("deploy"), "extra", feature("extra", "g:a:1"));

        installer.install(file.toFile());
        assertThat(fw.present()).containsExactly("a");

        Files.writeString(file, feature("extra", "g:a:1", "g:b:1"));
        installer.update(file.toFile());
        assertThat(fw.present()).containsExactly("a", "b");

        Files.delete(file);
        installer.uninstall(file.toFile());
        assertThat(fw.present()).isEmpty();
    }

    @Test
    void reportsAFeatureThatCannotBeInstalledToFileInstall() throws Exception {
        FakeFramework fw = new FakeFramework();
        FeatureManager manager = new FeatureManager(fw.context, OsgiFeatures.reader(), tmp.resolve("state"),
                new Settings(List.of(), List.of(tmp.resolve("empty")), Duration.ofSeconds(5)));
        Path file = featureFile(tmp.resolve("deploy"), "extra", feature("extra", "g:a:1"));

        assertThatThrownBy(() -> new FeatureArtifactInstaller(manager).install(file.toFile()))
                .isInstanceOf(FeatureException.class).hasMessageContaining("g:a:1");
        assertThat(fw.events).isEmpty();
    }
}
