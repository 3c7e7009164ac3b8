package io.hypha.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.hypha.admin.internal.AdminProtocol;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The launcher's client against the admin bundle's own protocol code (the real server runs in NodeProcessIT). */
class AdminClientTest {
    private final ServerSocket server;
    private final List<String> received = new CopyOnWriteArrayList<>();

    AdminClientTest() throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    }

    @AfterEach
    void close() throws IOException {
        server.close();
    }

    /** Answers one request with the given output and exit status, using the admin bundle's codec. */
    private CompletableFuture<Void> answerOnce(String output, AdminProtocol.Status status, String detail) {
        return CompletableFuture.runAsync(() -> {
            try (Socket s = server.accept()) {
                InputStream in = s.getInputStream();
                for (int i = 0; i < 3; i++) {
                    received.add(AdminProtocol.readLine(in, 8192));
                }
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                AdminProtocol.writeOutput(out, output.getBytes(StandardCharsets.UTF_8));
                AdminProtocol.writeExit(out, status, detail);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
    }

    @Test
    void sendsTheRequestAndCopiesOutputUntilTheExitFrame() throws Exception {
        CompletableFuture<Void> done = answerOnce("node abc\n", AdminProtocol.Status.OK, "");
        ByteArrayOutputStream output = new ByteArrayOutputStream();

        AdminClient.Outcome outcome = new AdminClient(server.getLocalPort(), "tok", 10_000).call("hypha:node", output);

        done.get(10, TimeUnit.SECONDS);
        assertThat(received).containsExactly(AdminProtocol.MAGIC, "tok", "hypha:node");
        assertThat(output.toString(StandardCharsets.UTF_8)).isEqualTo("node abc\n");
        assertThat(outcome).isEqualTo(new AdminClient.Outcome(AdminClient.Status.OK, ""));
    }

    @Test
    void reportsAFailureWithItsReason() throws Exception {
        CompletableFuture<Void> done = answerOnce("", AdminProtocol.Status.FAILED, "DeliveryException: NO_SUCH_ENGINE");

        AdminClient.Outcome outcome = new AdminClient(server.getLocalPort(), "tok", 10_000).call("x", new ByteArrayOutputStream());

        done.get(10, TimeUnit.SECONDS);
        assertThat(outcome.status()).isEqualTo(AdminClient.Status.FAILED);
        assertThat(outcome.status().exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(outcome.detail()).isEqualTo("DeliveryException: NO_SUCH_ENGINE");
    }

    @Test
    void clientAndServerAgreeOnEveryStatusCode() {
        assertThat(AdminClient.Status.values()).hasSameSizeAs(AdminProtocol.Status.values());
        for (AdminProtocol.Status s : AdminProtocol.Status.values()) {
            assertThat(AdminClient.Status.of(s.code()).name()).isEqualTo(s.name());
        }
        assertThat(AdminClient.MAGIC).isEqualTo(AdminProtocol.MAGIC);
        assertThat(AdminClient.SHUTDOWN).isEqualTo(AdminProtocol.SHUTDOWN);
    }

    @Test
    void refusalsMapToTheRefusedExitCode() {
        assertThat(AdminClient.Status.BAD_TOKEN.exitCode()).isEqualTo(ExitCode.REFUSED);
        assertThat(AdminClient.Status.BUSY.exitCode()).isEqualTo(ExitCode.REFUSED);
        assertThat(AdminClient.Status.TIMEOUT.exitCode()).isEqualTo(ExitCode.FAILED);
    }
}
