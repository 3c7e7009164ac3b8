package io.hypha.console.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.felix.gogo.command.Basic;
import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.CommandSessionImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.felix.service.command.Descriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * The commands through the real Gogo runtime (1.1.6): the exact lines operators type reach the right method with
 * the right arguments, output reaches the session, failures fail the command, and Gogo's help shows the text.
 */
class GogoDispatchTest {
    private static final String[] PLAIN = {"node", "engines", "send", "deadletters", "features"};
    private static final String[] DASHED = {FeatureCommands.INSTALL, FeatureCommands.UNINSTALL};

    private final ThreadIOImpl threadIO = new ThreadIOImpl();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Fakes.Context context = new Fakes.Context();
    private final Fakes.Features features = new Fakes.Features();
    private final HyphaCommands hypha = new HyphaCommands();
    private final FeatureCommands featureCommands = new FeatureCommands();
    private CommandProcessorImpl processor;
    private CommandSessionImpl session;

    @BeforeEach
    void setUp() throws Exception {
        threadIO.start();
        processor = new CommandProcessorImpl(threadIO);
        ConsoleEngine engine = new ConsoleEngine();
        engine.onStart(context);
        hypha.consoleEngine = engine;
        hypha.featureService = features;
        featureCommands.featureService = features;
        for (String f : PLAIN) {
            processor.addCommand("hypha", hypha, f);
        }
        for (String f : DASHED) {
            processor.addCommand("hypha", featureCommands, f);
        }
        processor.addCommand("felix", new Basic(gogoHelpContext()), "help");
        session = processor.createSession(new ByteArrayInputStream(new byte[0]), out, out);
    }

    @AfterEach
    void tearDown() {
        session.close();
        processor.stop();
        threadIO.stop();
    }

    /** @return what the command printed, then what it returned (which the shell prints too) */
    private String run(String line) throws Exception {
        Object result = session.execute(line);
        return out.toString(StandardCharsets.UTF_8) + (result == null ? "" : result);
    }

    @Test
    void aDashedCommandWithItsFlagReachesTheFeatureService() throws Exception {
        String printed = run("hypha:feature-install core --dry-run");

        assertThat(features.calls).containsExactly(new Fakes.Features.Call("install", "core", true));
        assertThat(printed).contains("dry run: installing feature 'core' would");
    }

    @Test
    void theUninstallCommandReachesTheFeatureService() throws Exception {
        run("hypha:feature-uninstall echo");

        assertThat(features.calls).containsExactly(new Fakes.Features.Call("uninstall", "echo", false));
    }

    @Test
    void aFailingCommandFailsTheExecution() {
        features.failure = new io.hypha.features.FeatureException(io.hypha.features.FeatureException.Reason.UNKNOWN_FEATURE, "nope", "no feature named 'nope'");

        Throwable t = catchThrowable(() -> run("hypha:feature-install nope"));

        assertThat(t).isInstanceOf(CommandException.class).hasMessageContaining("no feature named 'nope'");
    }

    @Test
    void sendTakesItsTimeoutOptionAndJoinsTheWordsOfTheText() throws Exception {
        context.pending.complete(Envelope.builder().src(EngineAddress.local("echo")).dst(context.self()).type("echo.reply").payload("hello world").build());

        String printed = run("hypha:send --timeout 100 echo hello world");

        assertThat(context.requests).containsExactly(
                new Fakes.Context.Request(EngineAddress.local("echo"), "text", "hello world", Duration.ofMillis(100)));
        assertThat(printed).contains("reply from echo (echo.reply): hello world");
    }

    @Test
    void sendTakesANodeIdEngineAndTextAsThreeArguments() throws Exception {
        context.pending.complete(Envelope.builder().src(EngineAddress.of(Fakes.node(9), "echo")).dst(context.self())
                .type("echo.reply").payload("hello world").build());

        String printed = run("hypha:send --timeout 100 " + Fakes.node(9) + " echo hello world");

        assertThat(context.requests).containsExactly(new Fakes.Context.Request(
                EngineAddress.of(Fakes.node(9), "echo"), "text", "hello world", Duration.ofMillis(100)));
        assertThat(printed).contains("reply from echo@").contains("(echo.reply): hello world");
    }

    @Test
    void sendUsesItsDefaultTimeoutWithoutTheOption() throws Exception {
        context.pending.complete(Envelope.builder().src(EngineAddress.local("echo")).dst(context.self()).type("echo.reply").payload("hi").build());

        run("hypha:send echo hi");

        assertThat(context.requests.get(0).timeout()).isEqualTo(Duration.ofMillis(5000));
    }

    @Test
    void numbersInTheTextStayText() throws Exception {
        context.pending.complete(Envelope.builder().src(EngineAddress.local("echo")).dst(context.self()).type("echo.reply").payload("x").build());

        run("hypha:send echo 42 is 6x7");

        assertThat(context.requests.get(0).payload()).isEqualTo("42 is 6x7");
    }

    @Test
    void deadlettersTakesItsLimitOption() throws Exception {
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        hypha.deadLetterLog = new io.hypha.api.engine.DeadLetterLog() {
            @Override public java.util.List<io.hypha.api.DeadLetter> recent(int limit) { asked.set(limit); return java.util.List.of(); }
            @Override public java.util.Map<io.hypha.api.DeliveryFailure, Long> counts() { return java.util.Map.of(); }
        };

        assertThat(run("hypha:deadletters --limit 3")).contains("no dead letters");
        assertThat(asked).hasValue(3);
        run("hypha:deadletters");
        assertThat(asked).hasValue(20);
    }

    @Test
    void gogoHelpShowsTheTextOfACommandAndItsOptions() throws Exception {
        String printed = run("help hypha:send");

        assertThat(printed).contains("send - send a text message to an engine")
                .contains("scope: hypha")
                .contains("-t, --timeout   how long to wait for the reply")
                .contains("the destination engine")
                .contains("send <nodeid> <engine> <text>");
    }

    @Test
    void gogoHelpListsThePlainCommandsButCannotSeeTheDashedOnes() throws Exception {
        String listing = run("help");

        assertThat(listing).contains("hypha:send", "hypha:features").doesNotContain("feature-install");
    }

    @Test
    void theDashedCommandsAnswerHelpThemselves() throws Exception {
        assertThat(run("hypha:feature-install --help")).contains("usage: hypha:feature-install <name> [--dry-run]");
        assertThat(features.calls).isEmpty();
    }

    @Test
    void everyCommandMethodHasHelpText() {
        for (Class<?> type : new Class<?>[] {HyphaCommands.class, FeatureCommands.class}) {
            for (Method m : type.getDeclaredMethods()) {
                if (Modifier.isPublic(m.getModifiers()) && !Modifier.isStatic(m.getModifiers())) {
                    assertThat(m.getAnnotation(Descriptor.class)).as(m.toString()).isNotNull();
                }
            }
        }
    }

    /** What Gogo's help command sees of the framework: our two command services. */
    private BundleContext gogoHelpContext() throws Exception {
        BundleContext bc = mock(BundleContext.class);
        ServiceReference<?> plainRef = mock(ServiceReference.class);
        when(plainRef.getProperty("osgi.command.scope")).thenReturn("hypha");
        when(plainRef.getProperty("osgi.command.function")).thenReturn(PLAIN);
        ServiceReference<?> dashedRef = mock(ServiceReference.class);
        when(dashedRef.getProperty("osgi.command.scope")).thenReturn("hypha");
        when(dashedRef.getProperty("osgi.command.function")).thenReturn(DASHED);
        when(bc.getAllServiceReferences(any(), any())).thenReturn(new ServiceReference<?>[] {plainRef, dashedRef});
        when(bc.getService(plainRef)).thenAnswer(i -> hypha);
        when(bc.getService(dashedRef)).thenAnswer(i -> featureCommands);
        return bc;
    }
}
