package io.hypha.admin.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.junit.jupiter.api.Test;

class GogoCommandRunnerTest {
    private final CommandProcessor processor = mock(CommandProcessor.class);
    private final CommandSession session = mock(CommandSession.class);
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    GogoCommandRunnerTest() {
        when(processor.createSession(any(InputStream.class), any(OutputStream.class), any(OutputStream.class)))
                .thenAnswer(inv -> {
                    PrintStream print = inv.getArgument(1);
                    when(session.execute("hypha:node")).thenAnswer(x -> {
                        print.println("printed by the command");
                        return "the result";
                    });
                    return session;
                });
    }

    @Test
    void printsWhatTheCommandPrintsThenItsFormattedResultAndClosesTheSession() throws Exception {
        when(session.format("the result", Converter.INSPECT)).thenReturn("formatted result");

        String failure = new GogoCommandRunner(processor).run("hypha:node", out);

        assertThat(failure).isNull();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("printed by the command\nformatted result\n");
        verify(session).close();
    }

    @Test
    void returnsTheExceptionAsTheFailureReason() throws Exception {
        when(session.execute("nosuch")).thenThrow(new IllegalArgumentException("Command not found: nosuch"));

        String failure = new GogoCommandRunner(processor).run("nosuch", out);

        assertThat(failure).isEqualTo("IllegalArgumentException: Command not found: nosuch");
        verify(session).close();
    }

    @Test
    void describesAnExceptionWithoutMessageByItsName() {
        assertThat(GogoCommandRunner.describe(new NullPointerException())).isEqualTo("NullPointerException");
    }
}
