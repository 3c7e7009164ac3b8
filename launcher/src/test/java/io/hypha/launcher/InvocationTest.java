package io.hypha.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hypha.launcher.Invocation.UsageException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class InvocationTest {
    private static final Path CWD = Path.of("/work/here");

    private static Invocation parse(String... args) throws UsageException {
        return Invocation.parse(List.of(args), CWD);
    }

    @Test
    void noArgumentsRunsAConsoleNodeOnDataInTheWorkingDirectory() throws UsageException {
        assertThat(parse()).isEqualTo(new Invocation.Run(Path.of("/work/here/data"), false));
    }

    @Test
    void runAcceptsDataAndHeadlessInAnyOrderAndBothValueForms() throws UsageException {
        assertThat(parse("--headless", "--data", "n1")).isEqualTo(new Invocation.Run(Path.of("/work/here/n1"), true));
        assertThat(parse("--data=/abs/n2")).isEqualTo(new Invocation.Run(Path.of("/abs/n2"), false));
    }

    @Test
    void execJoinsTheRemainingArgumentsIntoOneCommand() throws UsageException {
        assertThat(parse("exec", "--data", "d", "hypha:send", "echo", "hi"))
                .isEqualTo(new Invocation.Exec(Path.of("/work/here/d"), "hypha:send echo hi"));
        assertThat(parse("exec", "hypha:node")).isEqualTo(new Invocation.Exec(Path.of("/work/here/data"), "hypha:node"));
    }

    @Test
    void optionsAfterTheCommandBelongToTheCommand() throws UsageException {
        assertThat(parse("exec", "lb", "--data", "x")).isEqualTo(new Invocation.Exec(Path.of("/work/here/data"), "lb --data x"));
        assertThat(parse("exec", "--", "--weird")).isEqualTo(new Invocation.Exec(Path.of("/work/here/data"), "--weird"));
    }

    @Test
    void stopTakesTheDataDirectory() throws UsageException {
        assertThat(parse("stop", "--data", "../n")).isEqualTo(new Invocation.Stop(Path.of("/work/n")));
    }

    @Test
    void helpWinsAnywhere() throws UsageException {
        assertThat(parse("--help")).isInstanceOf(Invocation.Help.class);
        assertThat(parse("stop", "--help")).isInstanceOf(Invocation.Help.class);
        assertThat(parse("help")).isInstanceOf(Invocation.Help.class);
    }

    @Test
    void rejectsUnknownOptionsMissingValuesAndStrayArguments() {
        assertThatThrownBy(() -> parse("--frobnicate")).isInstanceOf(UsageException.class).hasMessageContaining("--frobnicate");
        assertThatThrownBy(() -> parse("--data")).isInstanceOf(UsageException.class).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> parse("--data=")).isInstanceOf(UsageException.class).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> parse("--headless=yes")).isInstanceOf(UsageException.class).hasMessageContaining("takes no value");
        assertThatThrownBy(() -> parse("--data", "a", "--data", "b")).isInstanceOf(UsageException.class).hasMessageContaining("twice");
        assertThatThrownBy(() -> parse("start")).isInstanceOf(UsageException.class).hasMessageContaining("'start'");
        assertThatThrownBy(() -> parse("stop", "now")).isInstanceOf(UsageException.class).hasMessageContaining("'now'");
    }

    @Test
    void rejectsOptionsOfAnotherMode() {
        assertThatThrownBy(() -> parse("exec", "--headless", "lb")).isInstanceOf(UsageException.class)
                .hasMessageContaining("--headless for exec");
    }

    @Test
    void execNeedsAOneLineCommand() {
        assertThatThrownBy(() -> parse("exec", "--data", "d")).isInstanceOf(UsageException.class).hasMessageContaining("needs a command");
        assertThatThrownBy(() -> parse("exec", "lb\nstop 0")).isInstanceOf(UsageException.class).hasMessageContaining("one line");
        assertThatThrownBy(() -> parse("exec", " ")).isInstanceOf(UsageException.class).hasMessageContaining("empty");
    }

    @Test
    void seedIsRepeatableAndKeepsTheOrderGiven() throws UsageException {
        String id = "a".repeat(52);
        Invocation run = parse("--seed", "tls://127.0.0.1:4001", "--headless", "--seed=quic://" + id + "@10.0.0.2:4002");

        assertThat(run).isEqualTo(new Invocation.Run(Path.of("/work/here/data"), true,
                List.of("tls://127.0.0.1:4001", "quic://" + id + "@10.0.0.2:4002")));
        assertThat(parse("--headless")).isEqualTo(new Invocation.Run(Path.of("/work/here/data"), true, List.of()));
    }

    @Test
    void rejectsSeedsThatAreNoNodeAddress() {
        assertThatThrownBy(() -> parse("--seed")).isInstanceOf(UsageException.class).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> parse("--seed", "127.0.0.1:4001")).isInstanceOf(UsageException.class)
                .hasMessageContaining("scheme://[nodeid@]host:port");
        assertThatThrownBy(() -> parse("--seed", "tls://127.0.0.1")).isInstanceOf(UsageException.class)
                .hasMessageContaining("'tls://127.0.0.1'");
        assertThatThrownBy(() -> parse("--seed", "tls://a:1,tls://b:2")).isInstanceOf(UsageException.class)
                .hasMessageContaining("one address per --seed");
        assertThatThrownBy(() -> parse("--seed", "tls://nobody@127.0.0.1:4001")).isInstanceOf(UsageException.class)
                .hasMessageContaining("not a node id");
        assertThatThrownBy(() -> parse("exec", "--seed", "tls://127.0.0.1:4001", "lb")).isInstanceOf(UsageException.class)
                .hasMessageContaining("--seed for exec");
    }

    @Test
    void seedsReachTheNodeAsOneCommaSeparatedPropertyAfterThoseOfTheSystemProperty() {
        assertThat(NodeRunner.seeds(null, List.of())).isEmpty();
        assertThat(NodeRunner.seeds(null, List.of("tls://a:1", "quic://b:2"))).isEqualTo("tls://a:1,quic://b:2");
        assertThat(NodeRunner.seeds(" tls://c:3, ,tls://a:1", List.of("tls://a:1", "quic://b:2")))
                .isEqualTo("tls://c:3,tls://a:1,quic://b:2");
    }

    @Test
    void usageListsEveryOption() {
        String usage = Invocation.usage();
        for (Invocation.Option o : Invocation.Option.values()) {
            assertThat(usage).contains(o.flag);
        }
        assertThat(usage).contains("--seed URI...").contains("[--seed URI]...");
    }

    @Test
    void mainAnswersUsageErrorsWithExitCodeTwoAndTheUsage() throws Exception {
        var out = new java.io.ByteArrayOutputStream();
        var err = new java.io.ByteArrayOutputStream();

        ExitCode code = Main.run(List.of("--bogus"), CWD, new java.io.PrintStream(out, true), new java.io.PrintStream(err, true));

        assertThat(code).isEqualTo(ExitCode.USAGE);
        assertThat(code.code()).isEqualTo(2);
        assertThat(err.toString()).contains("unknown option --bogus").contains("Usage:");
        assertThat(out.toString()).isEmpty();
    }
}
