package io.hypha.launcher;

import io.hypha.launcher.Invocation.UsageException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code hypha} command: runs a node, or talks to a running one. See {@link Invocation} for the arguments and
 * {@link ExitCode} for what the exit status means.
 *
 * <p>The launcher is plain Java outside the framework: it embeds Felix ({@link NodeRunner}) and speaks the admin
 * protocol to running nodes ({@link NodeControl}).
 */
public final class Main {
    private Main() {
    }

    /**
     * Runs the launcher and exits with its {@link ExitCode}. Every failure ends in an exit: an exception escaping
     * {@code main} would leave the framework's non-daemon threads holding the JVM.
     *
     * @param args see {@link Invocation#usage()}
     */
    public static void main(String[] args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        int code;
        try {
            code = run(List.of(args), Path.of("").toAbsolutePath(), out, err).code();
        } catch (Throwable t) {
            err.println("hypha: " + t);
            t.printStackTrace(err);
            code = ExitCode.FAILED.code();
        }
        out.flush();
        err.flush();
        System.exit(code);
    }

    /**
     * Runs the launcher without exiting.
     *
     * @param args       the arguments
     * @param workingDir what relative paths are relative to
     * @param out        standard output
     * @param err        standard error
     * @return the exit code
     * @throws Exception if the work fails unexpectedly
     */
    static ExitCode run(List<String> args, Path workingDir, PrintStream out, PrintStream err) throws Exception {
        Invocation invocation;
        try {
            invocation = Invocation.parse(args, workingDir);
        } catch (UsageException e) {
            err.println("hypha: " + e.getMessage());
            err.println();
            err.print(Invocation.usage());
            return ExitCode.USAGE;
        }
        // Java 17 has no pattern switch without preview features: an instanceof chain over the sealed type.
        if (invocation instanceof Invocation.Run r) {
            if (!r.headless() && System.console() == null) {
                // The console needs a terminal on stdin and stdout; without one it would read EOF and stop the node.
                err.println("hypha: no terminal attached; running without console, as with --headless");
                r = new Invocation.Run(r.data(), true, r.seeds());
            }
            return new NodeRunner(Distribution.locate(), r, out, err).run();
        }
        if (invocation instanceof Invocation.Exec e) {
            return new NodeControl(new DataDir(e.data()), out, err).exec(e.command());
        }
        if (invocation instanceof Invocation.Stop s) {
            return new NodeControl(new DataDir(s.data()), out, err).stop();
        }
        out.print(Invocation.usage());
        return ExitCode.OK;
    }
}
