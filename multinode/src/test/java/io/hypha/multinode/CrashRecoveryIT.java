package io.hypha.multinode;

import static org.assertj.core.api.Assertions.assertThat;

import io.hypha.multinode.NodeProcess.Result;
import io.hypha.multinode.NodeProcess.Spec;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Node b is killed (SIGKILL: no shutdown of anything) while a is connected to it. A request a sends meanwhile waits in
 * a's session; b comes back on its data directory (same identity, new ports), the operator connects a to its new
 * address, and the waiting request is delivered and answered.
 */
class CrashRecoveryIT {
    @RegisterExtension
    static final Cluster cluster = new Cluster();
    private static final ExecutorService background = Executors.newSingleThreadExecutor();

    private static NodeProcess a;
    private static NodeProcess b;

    @BeforeAll
    static void startNodes() throws Exception {
        List<NodeProcess> nodes = cluster.start(Spec.named("a"), Spec.named("b"));
        a = nodes.get(0);
        b = nodes.get(1);
        b.execOk("hypha:feature-install echo");
        b.awaitEngine("echo");
    }

    @AfterAll
    static void stopBackground() {
        background.shutdownNow();
    }

    @Test
    void aRequestSentWhileItsPeerIsDeadIsAnsweredOnceTheKilledNodeIsBack() throws Exception {
        String bId = b.id();
        a.execOk("hypha:connect " + b.listenAddress("tls"));
        assertThat(a.execOk("hypha:send " + bId + " echo before")).contains("(echo.reply): before");

        b.kill();
        assertThat(b.exec("hypha:node").exit()).as("exec on a killed node: no node").isEqualTo(3);
        String gone = Await.until("a sees b gone", Duration.ofSeconds(30), a::diagnostics, () -> {
            String line = EchoRoundTripIT.peerLine(a, b);
            return line.contains("CONNECTED") && !line.contains("DISCONNECTED") ? Optional.empty() : Optional.of(line);
        });
        CompletableFuture<Result> late = CompletableFuture.supplyAsync(
                () -> a.exec("hypha:send --timeout 120000 " + bId + " echo sent while b was down"), background);
        String waiting = Await.until("the request waits in a's session with b", Duration.ofSeconds(30), a::diagnostics, () -> {
            String line = EchoRoundTripIT.peerLine(a, b);
            return queued(line) >= 1 ? Optional.of(line) : Optional.empty();
        });

        NodeProcess back = cluster.restart(b);
        back.awaitEngine("echo");
        assertThat(back.id()).as("the node key survived the kill").isEqualTo(bId);
        a.execOk("hypha:connect " + back.listenAddress("tls"));
        Result answered = late.get(90, TimeUnit.SECONDS);

        assertThat(answered.exit()).as(answered.output()).isZero();
        assertThat(answered.output()).contains("reply from echo@" + bId + " (echo.reply): sent while b was down");
        assertThat(a.execOk("hypha:send " + bId + " echo after")).contains("(echo.reply): after");
        System.out.println("b killed; a's view: " + gone + "\nrequest waiting: " + waiting + "\nafter b's restart: "
                + answered.output());
        b = back;
    }

    /** @return the QUEUED column of a {@code hypha:peers} row */
    private static long queued(String peerLine) {
        String[] columns = peerLine.trim().split("\\s{2,}");
        return Long.parseLong(columns[columns.length - 2]);
    }
}
