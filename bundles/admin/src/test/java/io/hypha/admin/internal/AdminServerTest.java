package io.hypha.admin.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.hypha.admin.internal.AdminProtocol.Frame;
import io.hypha.admin.internal.AdminProtocol.Status;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AdminServerTest {
    private static final String TOKEN = "ab".repeat(32);

    private final List<String> ran = new CopyOnWriteArrayList<>();
    private final AtomicInteger shutdowns = new AtomicInteger();
    private AdminServer server;

    @AfterEach
    void close() {
        if (server != null) {
            server.close();
        }
    }

    private AdminServer start(AdminSettings settings, CommandRunner runner) throws IOException {
        server = AdminServer.start(settings, TOKEN, (command, out) -> {
            ran.add(command);
            return runner.run(command, out);
        }, shutdowns::incrementAndGet);
        return server;
    }

    private AdminServer start(CommandRunner runner) throws IOException {
        return start(AdminSettings.defaults(), runner);
    }

    /** The reply as a client sees it: all output, then the exit frame. */
    record Reply(String output, Status status, String detail) {
    }

    private Reply send(String raw) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(raw.getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().flush();
            return read(s);
        }
    }

    private static Reply read(Socket s) throws IOException {
        DataInputStream in = new DataInputStream(s.getInputStream());
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        while (true) {
            Frame f = AdminProtocol.readFrame(in);
            if (f.type() == AdminProtocol.OUTPUT) {
                output.write(f.payload());
            } else {
                assertThat(in.read()).as("nothing follows the exit frame").isEqualTo(-1);
                return new Reply(output.toString(StandardCharsets.UTF_8), f.status(), f.text());
            }
        }
    }

    private Reply request(String token, String command) throws IOException {
        return send(AdminProtocol.MAGIC + "\n" + token + "\n" + command + "\n");
    }

    private static CommandRunner printing(String text) {
        return (command, out) -> {
            write(out, text);
            return null;
        };
    }

    private static void write(OutputStream out, String text) {
        try {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void runsTheCommandAndReturnsItsOutputWithStatusOk() throws IOException {
        start(printing("node abc\n"));

        Reply reply = request(TOKEN, "hypha:node");

        assertThat(reply).isEqualTo(new Reply("node abc\n", Status.OK, ""));
        assertThat(ran).containsExactly("hypha:node");
    }

    @Test
    void acceptsCrLfLineEnds() throws IOException {
        start(printing("x"));

        Reply reply = send(AdminProtocol.MAGIC + "\r\n" + TOKEN + "\r\n" + "hypha:node\r\n");

        assertThat(reply.status()).isEqualTo(Status.OK);
        assertThat(ran).containsExactly("hypha:node");
    }

    @Test
    void reportsAFailedCommandWithItsOutputAndReason() throws IOException {
        start((command, out) -> {
            write(out, "partial\n");
            return "DeliveryException: NO_SUCH_ENGINE: nosuchengine";
        });

        Reply reply = request(TOKEN, "hypha:send nosuchengine hi");

        assertThat(reply.output()).isEqualTo("partial\n");
        assertThat(reply.status()).isEqualTo(Status.FAILED);
        assertThat(reply.detail()).contains("NO_SUCH_ENGINE");
    }

    @Test
    void reportsARunnerThatThrowsAsFailed() throws IOException {
        start((command, out) -> {
            throw new IllegalStateException("runner broke");
        });

        Reply reply = request(TOKEN, "anything");

        assertThat(reply.status()).isEqualTo(Status.FAILED);
        assertThat(reply.detail()).contains("runner broke");
    }

    @Test
    void refusesAWrongTokenWithoutRunningTheCommandAndCountsIt() throws IOException {
        start(printing("secret"));

        Reply wrong = request("cd".repeat(32), "hypha:node");
        Reply empty = request("", "hypha:node");

        assertThat(wrong.status()).isEqualTo(Status.BAD_TOKEN);
        assertThat(wrong.output()).isEmpty();
        assertThat(empty.status()).isEqualTo(Status.BAD_TOKEN);
        assertThat(ran).isEmpty();
        assertThat(server.refusedTokens()).isEqualTo(2);
    }

    @Test
    void refusesAnOversizeCommandWithoutRunningIt() throws IOException {
        start(new AdminSettings(0, 4, 10_000, 64, 5_000, 4096), printing("x"));

        Reply atLimit = request(TOKEN, "a".repeat(64));
        Reply over = request(TOKEN, "a".repeat(65));
        Reply huge = request(TOKEN, "a".repeat(1_000_000));

        assertThat(atLimit.status()).isEqualTo(Status.OK);
        assertThat(over.status()).isEqualTo(Status.TOO_LONG);
        assertThat(huge.status()).isEqualTo(Status.TOO_LONG);
        assertThat(over.detail()).contains("64");
        assertThat(ran).containsExactly("a".repeat(64));
    }

    @Test
    void refusesARequestWithoutTheProtocolMagic() throws IOException {
        start(printing("x"));

        Reply reply = send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");

        assertThat(reply.status()).isEqualTo(Status.BAD_REQUEST);
        assertThat(ran).isEmpty();
    }

    @Test
    void refusesAnEmptyCommand() throws IOException {
        start(printing("x"));

        assertThat(request(TOKEN, "   ").status()).isEqualTo(Status.BAD_REQUEST);
        assertThat(ran).isEmpty();
    }

    @Test
    void answersAClientThatSendsNothingOnceTheReadTimeoutPasses() throws IOException {
        start(new AdminSettings(0, 4, 10_000, 8192, 200, 4096), printing("x"));

        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write((AdminProtocol.MAGIC + "\n").getBytes(StandardCharsets.UTF_8));
            Reply reply = read(s);
            assertThat(reply.status()).isEqualTo(Status.BAD_REQUEST);
            assertThat(reply.detail()).contains("200 ms");
        }
        assertThat(ran).isEmpty();
    }

    @Test
    void interruptsACommandThatOutlivesItsTimeoutAndStaysResponsive() throws Exception {
        CountDownLatch interrupted = new CountDownLatch(1);
        start(new AdminSettings(0, 4, 200, 8192, 5_000, 4096), (command, out) -> {
            if (command.equals("fast")) {
                write(out, "done");
                return null;
            }
            write(out, "started\n");
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
            return null;
        });

        Reply slow = request(TOKEN, "slow");
        Reply fast = request(TOKEN, "fast");

        assertThat(slow.status()).isEqualTo(Status.TIMEOUT);
        assertThat(slow.output()).isEqualTo("started\n");
        assertThat(interrupted.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(fast).isEqualTo(new Reply("done", Status.OK, ""));
    }

    @Test
    void answersBusyBeyondTheConnectionBound() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(1);
        start(new AdminSettings(0, 1, 30_000, 8192, 5_000, 4096), (command, out) -> {
            running.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        });
        try (Socket first = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            first.setSoTimeout(10_000);
            AdminProtocol.writeRequest(first.getOutputStream(), TOKEN, "block");
            assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();

            Reply second = request(TOKEN, "other");

            assertThat(second.status()).isEqualTo(Status.BUSY);
            release.countDown();
            assertThat(read(first).status()).isEqualTo(Status.OK);
        }
        assertThat(ran).containsExactly("block");
    }

    @Test
    void shutdownVerbAnswersOkThenRunsTheShutdownAction() throws IOException {
        start(printing("x"));

        Reply reply = request(TOKEN, "shutdown");

        assertThat(reply.status()).isEqualTo(Status.OK);
        assertThat(shutdowns).hasValue(1);
        assertThat(ran).isEmpty();
    }

    @Test
    void wrongTokenCannotShutDownTheNode() throws IOException {
        start(printing("x"));

        assertThat(request("00", "shutdown").status()).isEqualTo(Status.BAD_TOKEN);
        assertThat(shutdowns).hasValue(0);
    }

    @Test
    void dropsOutputPastTheBoundAndSaysHowMuch() throws IOException {
        start(new AdminSettings(0, 4, 10_000, 8192, 5_000, 1024), printing("y".repeat(1500)));

        Reply reply = request(TOKEN, "big");

        assertThat(reply.output()).hasSize(1024);
        assertThat(reply.status()).isEqualTo(Status.OK);
        assertThat(reply.detail()).contains("476 bytes of output dropped");
    }

    @Test
    void listensOnLoopbackOnlyAndStopsAcceptingWhenClosed() throws IOException {
        start(printing("x"));
        int port = server.port();

        server.close();

        assertThat(port).isPositive();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
                .isInstanceOf(IOException.class);
    }
}
