package io.hypha.identity.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.lang.annotation.Annotation;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.BundleContext;

class IdentityComponentTest {
    @TempDir
    Path dir;

    @Test
    void keepsTheKeyUnderHyphaDataByDefault() throws Exception {
        Path data = dir.resolve("data");

        IdentityComponent identity = new IdentityComponent(bundleContext(data.toString(), null), config(IdentityComponent.DEFAULT_KEY_FILE));

        Path keyFile = data.resolve("identity/node.key");
        assertThat(keyFile).isRegularFile();
        assertThat(Files.readAllLines(keyFile).get(2)).isEqualTo(identity.id().toString());
        assertThat(identity.verify(identity.id(), "ctx", new byte[] {7}, identity.sign("ctx", new byte[] {7}))).isTrue();
        assertThat(identity.digest(new byte[0])).hasSize(32);
    }

    @Test
    void opensPayloadsSealedForItsNode() throws Exception {
        IdentityComponent identity = new IdentityComponent(bundleContext(dir.toString(), null), config(""));
        NodeSealer stranger = new NodeSealer(Ed25519NodeKey.generate(new java.security.SecureRandom()), new java.security.SecureRandom());

        byte[] sealed = stranger.seal(identity.id(), new byte[] {1, 2, 3});

        assertThat(identity.open(sealed)).containsExactly(1, 2, 3);
        assertThat(identity.open(identity.seal(identity.id(), new byte[] {4}))).containsExactly(4);
    }

    @Test
    void restartsWithTheSameNodeId() throws Exception {
        BundleContext context = bundleContext(dir.toString(), null);

        IdentityComponent first = new IdentityComponent(context, config(""));
        IdentityComponent second = new IdentityComponent(context, config(""));

        assertThat(second.id()).isEqualTo(first.id());
    }

    @Test
    void fallsBackToTheBundleDataAreaWithoutHyphaData() throws Exception {
        Path area = dir.resolve("bundle-data");

        new IdentityComponent(bundleContext(null, area.toFile()), config(IdentityComponent.DEFAULT_KEY_FILE));

        assertThat(area.resolve("identity/node.key")).isRegularFile();
    }

    @Test
    void failsActivationWithTheKeyFileProblem() throws Exception {
        Path keyFile = dir.resolve("identity/node.key");
        Files.createDirectories(keyFile);

        assertThatThrownBy(() -> new IdentityComponent(bundleContext(dir.toString(), null), config("")))
                .isInstanceOf(KeyFileException.class)
                .hasMessageContaining(keyFile.toString());
    }

    @Test
    void resolvesConfiguredPaths() {
        File unused = null;
        assertThat(IdentityComponent.resolveKeyFile("/etc/hypha/node.key", "/data", () -> unused))
                .isEqualTo(Path.of("/etc/hypha/node.key"));
        assertThat(IdentityComponent.resolveKeyFile("keys/a.key", "/data", () -> unused))
                .isEqualTo(Path.of("/data/keys/a.key"));
        assertThat(IdentityComponent.resolveKeyFile("${hypha.data}/x/../k.key", "/data", () -> unused))
                .isEqualTo(Path.of("/data/k.key"));
        assertThat(IdentityComponent.resolveKeyFile(null, "/data", () -> unused))
                .isEqualTo(Path.of("/data/identity/node.key"));
        assertThat(IdentityComponent.resolveKeyFile(" ", null, () -> new File("/area")))
                .isEqualTo(Path.of("/area/identity/node.key"));
    }

    @Test
    void saysWhatToSetWhenThereIsNowhereToKeepTheKey() {
        assertThatThrownBy(() -> IdentityComponent.resolveKeyFile("", null, () -> null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("hypha.data");
    }

    private static IdentityComponent.Config config(String keyFile) {
        return new IdentityComponent.Config() {
            @Override
            public String keyFile() {
                return keyFile;
            }

            @Override
            public Class<? extends Annotation> annotationType() {
                return IdentityComponent.Config.class;
            }
        };
    }

    /** Only the two methods the component calls; anything else fails the test. */
    private static BundleContext bundleContext(String hyphaData, File dataArea) {
        Map<String, String> properties = hyphaData == null ? Map.of() : Map.of("hypha.data", hyphaData);
        return (BundleContext) Proxy.newProxyInstance(BundleContext.class.getClassLoader(), new Class<?>[] {BundleContext.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getProperty" -> properties.get((String) args[0]);
                    case "getDataFile" -> dataArea == null ? null : new File(dataArea, (String) args[0]);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
