package io.hypha.netregistry.internal.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hypha.api.NodeId;
import io.hypha.netregistry.test.Keys;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdvertStoreTest {
    @TempDir
    Path dir;

    private final NodeId b = Keys.key(2).id();
    private final NodeId c = Keys.key(3).id();

    @Test
    void keepsAdvertsAndTheOwnVersionAcrossAReopen() throws Exception {
        try (AdvertStore store = AdvertStore.open(dir.resolve("registry"))) {
            store.put(b, new byte[] {1, 2});
            store.put(c, new byte[] {3});
            store.put(b, new byte[] {4}); // replaces
            store.putOwn(42, new byte[] {9});
            store.commit();
        }

        try (AdvertStore store = AdvertStore.open(dir.resolve("registry"))) {
            assertThat(store.adverts()).containsOnlyKeys(b, c);
            assertThat(store.adverts().get(b)).containsExactly(4);
            assertThat(store.lastOwnVersion()).isEqualTo(42);
            assertThat(store.ownAdvert()).hasValueSatisfying(v -> assertThat(v).containsExactly(9));
            assertThat(store.remove(c)).isTrue();
            assertThat(store.remove(c)).isFalse();
            assertThat(store.size()).isEqualTo(1);
        }
    }

    @Test
    void aNewStoreIsEmpty() throws Exception {
        try (AdvertStore store = AdvertStore.open(dir)) {
            assertThat(store.adverts()).isEmpty();
            assertThat(store.lastOwnVersion()).isZero();
            assertThat(store.ownAdvert()).isEmpty();
            assertThat(store.file()).isEqualTo(dir.resolve(AdvertStore.FILE_NAME));
        }
    }

    @Test
    void aFileThatIsNoStoreIsMovedAsideAndAnEmptyStoreStarted() throws Exception {
        Files.write(dir.resolve(AdvertStore.FILE_NAME), new byte[8192]);

        try (AdvertStore store = AdvertStore.open(dir)) {
            assertThat(store.adverts()).isEmpty();
            store.put(b, new byte[] {1});
        }

        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith(AdvertStore.FILE_NAME + ".corrupt-"));
        }
    }

    @Test
    void aDirectoryThatCannotBeMadeIsAnIoFailure() throws Exception {
        Path file = dir.resolve("plain-file");
        Files.writeString(file, "x");

        assertThatThrownBy(() -> AdvertStore.open(file.resolve("registry"))).isInstanceOfSatisfying(AdvertStoreException.class,
                e -> assertThat(e.reason()).isEqualTo(AdvertStoreException.Reason.IO));
    }

    @Test
    void aClosedStoreIgnoresWritesAndReadsEmpty() throws Exception {
        AdvertStore store = AdvertStore.open(dir);
        store.close();

        store.put(b, new byte[] {1});
        store.commit();
        store.close();

        assertThat(store.adverts()).isEmpty();
        assertThat(store.size()).isZero();
    }
}
