package io.hypha.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * {@code hypha exec} and {@code hypha stop}: talk to the node running on a data directory through its admin
 * endpoint ({@code admin.port}, {@code admin.token}), and for {@code stop} fall back to SIGTERM via the pid file.
 */
final class NodeControl {
    /** How long {@code stop} waits for the node to exit, after asking and again after SIGTERM. */
    static final Duration STOP_WAIT = Duration.ofSeconds(30);
    /** How long {@code exec} waits for more output; the node's own command timeout is shorter. */
    static final int READ_TIMEOUT_MILLIS = 120_000;

    private final DataDir data;
    private final PrintStream out;
    private final PrintStream err;

    NodeControl(DataDir data, PrintStream out, PrintStream err) {
        this.data = data;
        this.out = out;
        this.err = err;
    }

    /** Where to reach a node's admin endpoint. */
    private record Endpoint(int port, String token) {
    }

    /**
     * Runs a command on the node and prints its output.
     *
     * @param command the Gogo command line
     * @return {@link ExitCode#OK} if it succeeded, {@link ExitCode#FAILED} if it failed, {@link ExitCode#NO_NODE} if
     *         no node runs on the data directory, {@link ExitCode#REFUSED} if the node refused the request
     * @throws IOException if the answer cannot be read
     */
    ExitCode exec(String command) throws IOException {
        Optional<Endpoint> endpoint = endpoint();
        if (endpoint.isEmpty()) {
            err.println(noEndpointMessage());
            return ExitCode.NO_NODE;
        }
        AdminClient.Outcome outcome;
        try {
            outcome = new AdminClient(endpoint.get().port(), endpoint.get().token(), READ_TIMEOUT_MILLIS).call(command, out);
        } catch (ConnectException e) {
            err.println("No Hypha node is running with data directory " + data.root()
                    + " (nothing listens on the port in admin.port; the node was probably killed).");
            return ExitCode.NO_NODE;
        }
        out.flush();
        if (outcome.status() != AdminClient.Status.OK) {
            err.println("Error (" + outcome.status() + "): " + outcome.detail());
        } else if (!outcome.detail().isEmpty()) {
            err.println(outcome.detail());
        }
        return outcome.status().exitCode();
    }

    /**
     * Stops the node: asks it through the admin endpoint, and if that is not possible or it does not exit in time,
     * sends SIGTERM to the pid in the pid file. Waits (bounded) until the process has exited.
     *
     * @return {@link ExitCode#OK} once it is gone, {@link ExitCode#NO_NODE} if none ran, {@link ExitCode#FAILED}
     *         if it could not be stopped
     * @throws IOException if the data directory cannot be read
     */
    ExitCode stop() throws IOException {
        if (!data.inUse()) {
            err.println("No Hypha node is running with data directory " + data.root() + ".");
            return ExitCode.NO_NODE;
        }
        OptionalLong pid = data.readPid();
        Optional<ProcessHandle> process = pid.isPresent() ? ProcessHandle.of(pid.getAsLong()) : Optional.empty();
        Ask ask = askToShutDown();
        boolean asked = ask == Ask.ACCEPTED;
        if (asked && awaitExit(process)) {
            out.println("Hypha node" + describe(pid) + " stopped.");
            return ExitCode.OK;
        }
        if (process.isEmpty()) {
            err.println("The node on " + data.root() + (asked ? " did not stop within " + STOP_WAIT.toSeconds() + " s" : " does not answer")
                    + " and its pid is unknown (no " + data.pidFile() + "); stop it by hand.");
            return ExitCode.FAILED;
        }
        if (!process.get().isAlive()) {
            out.println("Hypha node" + describe(pid) + " stopped.");
            return ExitCode.OK;
        }
        err.println(switch (ask) {
            case ACCEPTED -> "The node did not stop within " + STOP_WAIT.toSeconds() + " s";
            case NO_ENDPOINT -> "The node publishes no admin endpoint (still starting, or io.hypha.admin is not installed)";
            case NO_ANSWER -> "The node's admin endpoint did not answer";
        } + "; sending SIGTERM to pid " + pid.getAsLong() + ".");
        process.get().destroy();
        if (awaitExit(process)) {
            out.println("Hypha node" + describe(pid) + " stopped.");
            return ExitCode.OK;
        }
        err.println("The node (pid " + pid.getAsLong() + ") did not stop within " + STOP_WAIT.toSeconds()
                + " s of SIGTERM; see " + data.logFile() + ", or kill -9 " + pid.getAsLong() + ".");
        return ExitCode.FAILED;
    }

    /** What came of asking the node to shut down. */
    private enum Ask {
        /** The node accepted and is stopping. */
        ACCEPTED,
        /** The node publishes no admin endpoint (still starting, or io.hypha.admin not installed). */
        NO_ENDPOINT,
        /** The endpoint did not answer, or refused. */
        NO_ANSWER
    }

    private Ask askToShutDown() {
        Optional<Endpoint> endpoint;
        try {
            endpoint = endpoint();
        } catch (IOException e) {
            return Ask.NO_ENDPOINT;
        }
        if (endpoint.isEmpty()) {
            return Ask.NO_ENDPOINT;
        }
        try {
            AdminClient.Outcome outcome = new AdminClient(endpoint.get().port(), endpoint.get().token(), 10_000)
                    .call(AdminClient.SHUTDOWN, PrintStream.nullOutputStream());
            if (outcome.status() != AdminClient.Status.OK) {
                err.println("The node refused to shut down (" + outcome.status() + "): " + outcome.detail());
                return Ask.NO_ANSWER;
            }
            return Ask.ACCEPTED;
        } catch (IOException e) {
            return Ask.NO_ANSWER;
        }
    }

    /** Waits until the process has exited, or, without a process handle, until the data directory is free. */
    private boolean awaitExit(Optional<ProcessHandle> process) throws IOException {
        long deadline = System.nanoTime() + STOP_WAIT.toNanos();
        if (process.isPresent()) {
            try {
                process.get().onExit().get(STOP_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                return true;
            } catch (java.util.concurrent.TimeoutException e) {
                return false;
            } catch (java.util.concurrent.ExecutionException e) {
                return !process.get().isAlive();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        while (System.nanoTime() < deadline) {
            if (!data.inUse()) {
                return true;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    private Optional<Endpoint> endpoint() throws IOException {
        try {
            int port = Integer.parseInt(Files.readString(data.adminPort(), StandardCharsets.UTF_8).trim());
            String token = Files.readString(data.adminToken(), StandardCharsets.UTF_8).trim();
            return Optional.of(new Endpoint(port, token));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (NumberFormatException e) {
            throw new IOException(data.adminPort() + " does not hold a port number", e);
        }
    }

    private String noEndpointMessage() throws IOException {
        if (!data.inUse()) {
            return "No Hypha node is running with data directory " + data.root() + ". Start one with: hypha --data "
                    + data.root() + " --headless";
        }
        return "A Hypha node" + describe(data.readPid()) + " runs on " + data.root()
                + " but has no admin endpoint (still starting, or bundle io.hypha.admin is not installed; see "
                + data.logFile() + ").";
    }

    private static String describe(OptionalLong pid) {
        return pid.isPresent() ? " (pid " + pid.getAsLong() + ")" : "";
    }
}
