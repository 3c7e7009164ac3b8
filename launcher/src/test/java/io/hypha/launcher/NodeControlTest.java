package io.hypha.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The paths of exec and stop on which no node answers; the answering paths run in NodeProcessIT. */
class NodeControlTest {
    @TempDir
    Path tmp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private NodeControl control(DataDir data) {
        return new NodeControl(data, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void execOnAnEmptyDirectorySaysNoNodeRunsAndHowToStartOne() throws Exception {
        DataDir data = new DataDir(tmp);

        assertThat(control(data).exec("hypha:node")).isEqualTo(ExitCode.NO_NODE);
        assertThat(err()).contains("No Hypha node is running with data directory " + tmp).contains("--headless");
    }

    @Test
    void execWithAStalePortFromAKilledNodeSaysNoNodeRuns() throws Exception {
        DataDir data = new DataDir(tmp);
        int freePort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            freePort = s.getLocalPort();
        }
        Files.writeString(data.adminPort(), freePort + "\n");
        Files.writeString(data.adminToken(), "t\n");

        assertThat(control(data).exec("hypha:node")).isEqualTo(ExitCode.NO_NODE);
        assertThat(err()).contains("No Hypha node is running").contains("killed");
    }

    @Test
    void execOnANodeWithoutAdminEndpointSaysSoAndPointsAtTheLog() throws Exception {
        DataDir data = new DataDir(tmp);
        data.writePid(12345);
        try (DataDir.Lock held = data.tryLock().orElseThrow()) {
            assertThat(control(data).exec("hypha:node")).isEqualTo(ExitCode.NO_NODE);
        }
        assertThat(err()).contains("(pid 12345)").contains("no admin endpoint").contains("hypha.log");
    }

    @Test
    void stopOnAnEmptyDirectorySaysNoNodeRuns() throws Exception {
        assertThat(control(new DataDir(tmp)).stop()).isEqualTo(ExitCode.NO_NODE);
        assertThat(err()).contains("No Hypha node is running");
    }

    @Test
    void stopIgnoresAStalePidFileBehindAFreeLock() throws Exception {
        DataDir data = new DataDir(tmp);
        data.writePid(ProcessHandle.current().pid());
        data.tryLock().orElseThrow().close();

        assertThat(control(data).stop()).isEqualTo(ExitCode.NO_NODE);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }
}
