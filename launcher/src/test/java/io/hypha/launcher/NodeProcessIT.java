package io.hypha.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real node in a separate process, started and driven through the {@code hypha} script exactly as an operator
 * would: headless start, {@code exec}, a failing command, a second node refused on the same data directory,
 * {@code stop}.
 */
class NodeProcessIT {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final Pattern NODE_ID = Pattern.compile("\\b[a-z2-7]{52}\\b");

    private final Path script = Path.of(System.getProperty("hypha.test.script", "../hypha")).toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    private Process node;

    @AfterEach
    void killLeftovers() throws InterruptedException {
        if (node != null && node.isAlive()) {
            node.destroyForcibly();
            node.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** The end of a short-lived launcher process. */
    record Result(int exit, String output) {
    }

    private Result hypha(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(script.toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS)).as("hypha " + String.join(" ", args) + " ends").isTrue();
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private String diagnostics(Path data) {
        StringBuilder sb = new StringBuilder();
        for (Path f : List.of(tmp.resolve("node.out"), data.resolve("log/hypha.log"))) {
            try {
                sb.append("\n--- ").append(f).append('\n').append(Files.readString(f));
            } catch (IOException e) {
                sb.append("\n--- ").append(f).append(": ").append(e);
            }
        }
        return sb.toString();
    }

    @Test
    void aHeadlessNodeRunsCommandsRefusesASecondNodeAndStopsCleanly() throws Exception {
        Path data = tmp.resolve("node1");
        node = new ProcessBuilder(script.toString(), "--data", data.toString(), "--headless")
                .redirectErrorStream(true).redirectOutput(tmp.resolve("node.out").toFile()).start();

        // hypha:node answers once the boot features (core, console with the admin endpoint) are in
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        Result first = null;
        while (System.nanoTime() < deadline && node.isAlive()) {
            if (Files.exists(data.resolve("admin.port"))) {
                first = hypha("exec", "--data", data.toString(), "hypha:node");
                if (first.exit() == 0) {
                    break;
                }
            }
            Thread.sleep(200);
        }
        assertThat(node.isAlive()).as("node is running" + diagnostics(data)).isTrue();
        assertThat(first).as("hypha:node answered within " + DEADLINE + diagnostics(data)).isNotNull();
        assertThat(first.exit()).as(first.output() + diagnostics(data)).isZero();
        Matcher id = NODE_ID.matcher(first.output());
        assertThat(id.find()).as("a 52-character base32 node id in: " + first.output()).isTrue();

        Result second = hypha("exec", "--data", data.toString(), "hypha:node");
        assertThat(second.exit()).isZero();
        assertThat(second.output()).contains(id.group());
        assertThat(Files.readString(data.resolve("hypha.pid")).trim()).isEqualTo(Long.toString(node.pid()));

        Result failing = hypha("exec", "--data", data.toString(), "hypha:send nosuchengine hi");
        assertThat(failing.exit()).as(failing.output()).isEqualTo(ExitCode.FAILED.code());
        assertThat(failing.output()).contains("nosuchengine");

        Result unknown = hypha("exec", "--data", data.toString(), "no:such-command");
        assertThat(unknown.exit()).isEqualTo(ExitCode.FAILED.code());
        assertThat(unknown.output()).contains("no:such-command");

        Result twin = hypha("--data", data.toString(), "--headless");
        assertThat(twin.exit()).as(twin.output()).isEqualTo(ExitCode.DATA_DIR_IN_USE.code());
        assertThat(twin.output()).contains("Another Hypha node (pid " + node.pid() + ")").contains(data.toString())
                .contains("hypha stop --data");
        assertThat(node.isAlive()).isTrue();

        Result stop = hypha("stop", "--data", data.toString());
        assertThat(stop.exit()).as(stop.output()).isZero();
        assertThat(node.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS)).as("node exits").isTrue();
        assertThat(node.exitValue()).as(diagnostics(data)).isZero();
        assertThat(data.resolve("hypha.pid")).doesNotExist();
        assertThat(data.resolve("admin.port")).doesNotExist();
        assertThat(data.resolve("admin.token")).doesNotExist();
        assertThat(Files.readString(data.resolve("log/hypha.log"))).contains("Hypha node stopped");

        Result afterStop = hypha("exec", "--data", data.toString(), "hypha:node");
        assertThat(afterStop.exit()).isEqualTo(ExitCode.NO_NODE.code());
        assertThat(afterStop.output()).contains("No Hypha node is running");
    }
}
