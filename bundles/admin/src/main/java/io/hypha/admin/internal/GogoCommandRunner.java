package io.hypha.admin.internal;

import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;

/**
 * Runs each command in a fresh Gogo session whose input is empty and whose output and error both go to the
 * caller's stream. A non-null result is printed the way the interactive console prints it.
 */
final class GogoCommandRunner implements CommandRunner {
    private final CommandProcessor processor;

    GogoCommandRunner(CommandProcessor processor) {
        this.processor = processor;
    }

    @Override
    public String run(String command, OutputStream out) {
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        try (CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), print, print)) {
            Object result = session.execute(command);
            if (result != null) {
                print.println(session.format(result, Converter.INSPECT));
            }
            return null;
        } catch (Exception e) {
            return describe(e);
        } finally {
            print.flush();
        }
    }

    /** The console's style: the exception's simple name and message, which Gogo commands write for operators. */
    static String describe(Throwable e) {
        String message = e.getMessage();
        String name = e.getClass().getSimpleName();
        return message == null || message.isBlank() ? name : name + ": " + message;
    }
}
