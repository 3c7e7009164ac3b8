package io.hypha.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirTest {
    @TempDir
    Path tmp;

    @Test
    void aNewDataDirectoryGetsItsFoldersAndTheDeployWatcherConfiguration() throws Exception {
        DataDir data = new DataDir(tmp.resolve("node"));

        boolean fresh = data.prepare(500);

        assertThat(fresh).isTrue();
        assertThat(data.conf()).isDirectory();
        assertThat(data.deploy()).isDirectory();
        assertThat(data.logDir()).isDirectory();
        String cfg = Files.readString(data.conf().resolve(DataDir.DEPLOY_WATCHER_CFG));
        assertThat(cfg).contains("felix.fileinstall.dir = ${hypha.data}/deploy").contains("felix.fileinstall.poll = 500");
    }

    @Test
    void configurationWrittenBeforeTheFirstStartKeepsTheDirectoryNewAndTheDeployWatcherComes() throws Exception {
        DataDir data = new DataDir(tmp.resolve("node"));
        Files.createDirectories(data.conf());
        Files.createDirectories(data.deploy());
        Files.writeString(data.conf().resolve("io.hypha.transport.config"), "listen=[\"tls://127.0.0.1:0\"]\n");

        boolean fresh = data.prepare(500);

        assertThat(fresh).isTrue();
        assertThat(data.conf().resolve(DataDir.DEPLOY_WATCHER_CFG)).exists();
        assertThat(data.conf().resolve("io.hypha.transport.config")).hasContent("listen=[\"tls://127.0.0.1:0\"]");
    }

    @Test
    void anOperatorsOwnDeployWatcherWrittenBeforeTheFirstStartIsKept() throws Exception {
        DataDir data = new DataDir(tmp.resolve("node"));
        Files.createDirectories(data.conf());
        Files.writeString(data.conf().resolve(DataDir.DEPLOY_WATCHER_CFG), "felix.fileinstall.dir = /elsewhere\n");

        data.prepare(500);

        assertThat(data.conf().resolve(DataDir.DEPLOY_WATCHER_CFG)).hasContent("felix.fileinstall.dir = /elsewhere");
    }

    @Test
    void anExistingDataDirectoryKeepsTheOperatorsChoices() throws Exception {
        DataDir data = new DataDir(tmp);
        data.prepare(1000);
        Files.delete(data.conf().resolve(DataDir.DEPLOY_WATCHER_CFG));

        boolean fresh = data.prepare(1000);

        assertThat(fresh).isFalse();
        assertThat(data.conf().resolve(DataDir.DEPLOY_WATCHER_CFG)).doesNotExist();
    }

    @Test
    void onlyOneHolderAtATimeAndInUseTellsWhetherOneHoldsIt() throws Exception {
        DataDir data = new DataDir(tmp);
        assertThat(data.inUse()).isFalse();

        Optional<DataDir.Lock> first = data.tryLock();
        assertThat(first).isPresent();
        assertThat(data.tryLock()).isEmpty();
        assertThat(data.inUse()).isTrue();

        first.get().close();
        assertThat(data.inUse()).isFalse();
        Optional<DataDir.Lock> again = data.tryLock();
        assertThat(again).isPresent();
        again.get().close();
    }

    @Test
    void pidFileRoundTripsAndIsDeletedQuietly() throws Exception {
        DataDir data = new DataDir(tmp);
        assertThat(data.readPid()).isEmpty();

        data.writePid(4242);
        assertThat(data.readPid()).hasValue(4242);

        data.deletePid();
        data.deletePid();
        assertThat(data.pidFile()).doesNotExist();
    }

    @Test
    void appendsToTheLogAndMovesALargeOneAside() throws Exception {
        DataDir data = new DataDir(tmp);
        data.prepare(1000);
        try (PrintStream log = data.openLog()) {
            log.println("first run");
        }
        try (PrintStream log = data.openLog()) {
            log.println("second run");
        }
        assertThat(Files.readString(data.logFile())).isEqualTo("first run\nsecond run\n");

        Files.write(data.logFile(), new byte[(int) DataDir.LOG_ROTATE_BYTES + 1]);
        try (PrintStream log = data.openLog()) {
            log.println("third run");
        }

        assertThat(Files.readString(data.logFile())).isEqualTo("third run\n");
        assertThat(Files.size(data.logDir().resolve("hypha.log.1"))).isEqualTo(DataDir.LOG_ROTATE_BYTES + 1);
    }

    @Test
    void staleAdminFilesAreRemoved() throws Exception {
        DataDir data = new DataDir(tmp);
        Files.writeString(data.adminPort(), "1234");
        Files.writeString(data.adminToken(), "t");

        data.deleteStaleAdminFiles();

        assertThat(data.adminPort()).doesNotExist();
        assertThat(data.adminToken()).doesNotExist();
    }
}
