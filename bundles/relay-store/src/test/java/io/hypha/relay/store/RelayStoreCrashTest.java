package io.hypha.relay.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.hypha.api.NodeId;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RelayStoreCrashTest {
    private static final int ACKNOWLEDGED = 3_000;

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedStoreSurvivesSigkill() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                CrashWriter.class.getName(), dir.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        TreeSet<Long> acknowledged = new TreeSet<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while (acknowledged.size() < ACKNOWLEDGED && (line = out.readLine()) != null) {
                if (line.startsWith("stored ")) {
                    acknowledged.add(Long.parseLong(line.substring(7)));
                }
            }
            // SIGKILL while it goes on storing: no shutdown hook, no close, a commit possibly half written.
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(acknowledged).hasSize(ACKNOWLEDGED);

        try (RelayStore store = RelayStore.open(dir, RelayStoreSettings.DEFAULTS)) {
            NodeId edge = RelayStoreTest.node(1);
            List<StoredMessage> recovered = store.pending(edge, Integer.MAX_VALUE);

            assertThat(recovered.size()).isGreaterThanOrEqualTo(ACKNOWLEDGED);
            for (int i = 0; i < recovered.size(); i++) {
                StoredMessage message = recovered.get(i);
                assertThat(message.seq()).as("no gap").isEqualTo(i + 1);
                assertThat(message.envelope()).isEqualTo(CrashWriter.envelope(message.seq()));
            }
            assertThat(recovered.get(recovered.size() - 1).seq()).isGreaterThanOrEqualTo(acknowledged.last());
            assertThat(store.stats(edge).messages()).isEqualTo(recovered.size());
            assertThat(store.stats(edge).lastSeq()).isEqualTo(recovered.size());
            System.out.printf("crash test: %d stores acknowledged before SIGKILL, %d recovered%n",
                    acknowledged.size(), recovered.size());
        }
    }
}
