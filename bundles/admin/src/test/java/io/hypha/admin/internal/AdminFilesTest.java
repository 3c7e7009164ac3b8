package io.hypha.admin.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminFilesTest {
    @TempDir
    Path dir;

    @Test
    void publishesPortAndOwnerOnlyTokenAndWithdrawsBoth() throws Exception {
        AdminFiles files = new AdminFiles(dir);

        files.publish(4711, "t0k3n");

        assertThat(Files.readString(dir.resolve("admin.port")).trim()).isEqualTo("4711");
        assertThat(Files.readString(dir.resolve("admin.token")).trim()).isEqualTo("t0k3n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("admin.token"))))
                .isEqualTo("rw-------");
        try (var listing = Files.list(dir)) {
            assertThat(listing.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("admin.port", "admin.token");
        }

        files.withdraw();

        assertThat(dir.resolve("admin.port")).doesNotExist();
        assertThat(dir.resolve("admin.token")).doesNotExist();
    }

    @Test
    void replacesTheFilesOfAPreviousRun() throws Exception {
        AdminFiles files = new AdminFiles(dir);
        files.publish(1, "old");

        files.publish(2, "new");

        assertThat(Files.readString(dir.resolve("admin.port")).trim()).isEqualTo("2");
        assertThat(Files.readString(dir.resolve("admin.token")).trim()).isEqualTo("new");
    }

    @Test
    void makesA256BitHexTokenThatDiffersEachTime() {
        SecureRandom random = new SecureRandom();

        String a = AdminFiles.newToken(random);
        String b = AdminFiles.newToken(random);

        assertThat(a).matches("[0-9a-f]{64}");
        assertThat(a).isNotEqualTo(b);
    }
}
