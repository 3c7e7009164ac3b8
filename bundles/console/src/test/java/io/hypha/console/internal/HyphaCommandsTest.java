package io.hypha.console.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.hypha.api.DeadLetter;
import io.hypha.api.DeliveryException;
import io.hypha.api.DeliveryFailure;
import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.engine.DeadLetterLog;
import io.hypha.api.engine.EngineInfo;
import io.hypha.features.FeatureInfo;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HyphaCommandsTest {
    private final Fakes.Context context = new Fakes.Context();
    private final ConsoleEngine engine = new ConsoleEngine();
    private HyphaCommands commands;

    @BeforeEach
    void setUp() {
        commands = new HyphaCommands();
        commands.consoleEngine = engine;
        commands.uptime = () -> Duration.ofSeconds(61);
        engine.onStart(context);
    }

    private Envelope reply(String payload) {
        return Envelope.builder().src(EngineAddress.local("echo")).dst(context.self()).id(2).inReplyTo(1).type("echo.reply").payload(payload).build();
    }

    @Test
    void sendPrintsTheReply() throws Exception {
        context.pending.complete(reply("hello world"));

        String text = commands.sendText("echo", "hello world", 5000);

        assertThat(text).isEqualTo("reply from echo (echo.reply): hello world\n");
        assertThat(context.requests).containsExactly(
                new Fakes.Context.Request(EngineAddress.local("echo"), "text", "hello world", Duration.ofMillis(5000)));
    }

    @Test
    void sendAcceptsAnEngineOnAnotherNode() throws Exception {
        context.pending.complete(reply("hi"));

        commands.sendText("echo@" + Fakes.node(9), "hi", 100);

        assertThat(context.requests.get(0).to()).isEqualTo(EngineAddress.of(Fakes.node(9), "echo"));
    }

    @Test
    void sendTakesANodeIdThenTheEngineThenTheText() throws Exception {
        context.pending.complete(reply("hello world"));

        String text = commands.sendText(Fakes.node(9).toString(), new String[] {"echo", "hello", "world"}, 100);

        assertThat(context.requests).containsExactly(new Fakes.Context.Request(
                EngineAddress.of(Fakes.node(9), "echo"), "text", "hello world", Duration.ofMillis(100)));
        assertThat(text).isEqualTo("reply from echo (echo.reply): hello world\n");
    }

    @Test
    void sendStillReadsAnEngineAddressFollowedByTheTextWhenTheFirstWordIsNoNodeId() throws Exception {
        context.pending.complete(reply("x"));

        commands.sendText("echo", new String[] {"stream", Fakes.node(9).toString()}, 100);
        commands.sendText("echo@" + Fakes.node(9), new String[] {"hi"}, 100);

        assertThat(context.requests).extracting(Fakes.Context.Request::to, Fakes.Context.Request::payload).containsExactly(
                org.assertj.core.groups.Tuple.tuple(EngineAddress.local("echo"), "stream " + Fakes.node(9)),
                org.assertj.core.groups.Tuple.tuple(EngineAddress.of(Fakes.node(9), "echo"), "hi"));
    }

    @Test
    void sendRefusesANodeIdThatIsNotFollowedByAnEngineNameAndAText() {
        String node = Fakes.node(9).toString();

        CommandException noText = catchThrowableOfType(() -> commands.sendText(node, new String[] {"echo"}, 100), CommandException.class);
        CommandException nothing = catchThrowableOfType(() -> commands.sendText(node, new String[0], 100), CommandException.class);
        CommandException address = catchThrowableOfType(
                () -> commands.sendText(node, new String[] {"echo@" + node, "hi"}, 100), CommandException.class);
        CommandException badName = catchThrowableOfType(() -> commands.sendText(node, new String[] {"ec ho!", "hi"}, 100), CommandException.class);

        assertThat(List.of(noText, nothing, address, badName)).extracting(CommandException::kind)
                .containsOnly(CommandException.Kind.BAD_ARGUMENT);
        assertThat(noText.getMessage()).contains("hypha:send " + node + " <engine> <text>");
        assertThat(address.getMessage()).contains("engine's name alone");
        assertThat(badName.getMessage()).contains("'ec ho!' is not an engine name");
        assertThat(context.requests).isEmpty();
    }

    @Test
    void aNodeIdIsRecognisedOnlyInItsFullTextForm() {
        String id = Fakes.node(9).toString();

        assertThat(HyphaCommands.isNodeId(id)).isTrue();
        assertThat(HyphaCommands.isNodeId(id.toUpperCase(java.util.Locale.ROOT))).isTrue();
        assertThat(HyphaCommands.isNodeId(id.substring(0, 51))).isFalse();
        assertThat(HyphaCommands.isNodeId("echo")).isFalse();
    }

    @Test
    void sendFailsWithTheReasonWhenTheMessageIsNotDelivered() {
        context.pending.completeExceptionally(new DeliveryException(DeliveryFailure.NO_SUCH_ENGINE, "no engine 'nope' on this node"));

        CommandException e = catchThrowableOfType(() -> commands.sendText("nope", "hi", 100), CommandException.class);

        assertThat(e.kind()).isEqualTo(CommandException.Kind.NOT_DELIVERED);
        assertThat(e.getMessage()).contains("nope", "NO_SUCH_ENGINE", "hypha:engines");
    }

    @Test
    void sendReportsATimeoutAsSentWithoutAReplyAndSucceeds() throws Exception {
        context.pending.completeExceptionally(new DeliveryException(DeliveryFailure.TIMEOUT, "no reply"));

        assertThat(commands.sendText("echo", "hi", 250)).isEqualTo("sent to echo; no reply within 250 ms\n");
    }

    @Test
    void sendStopsWaitingWhenTheRuntimeNeverAnswers() throws Exception {
        commands.reportGraceMillis = 0;

        assertThat(commands.sendText("echo", "hi", 20)).contains("no reply within 20 ms");
    }

    @Test
    void sendRejectsBadArgumentsBeforeSendingAnything() {
        assertThat(catchThrowableOfType(() -> commands.sendText("echo", " ", 100), CommandException.class).kind())
                .isEqualTo(CommandException.Kind.BAD_ARGUMENT);
        assertThat(catchThrowableOfType(() -> commands.sendText("no spaces!", "hi", 100), CommandException.class).getMessage())
                .contains("not an engine address");
        assertThat(catchThrowableOfType(() -> commands.sendText("echo", "hi", 0), CommandException.class).getMessage())
                .contains("--timeout");
        assertThat(context.requests).isEmpty();
    }

    @Test
    void sendNeedsTheEngineRuntime() {
        engine.onStop(context);

        CommandException e = catchThrowableOfType(() -> commands.sendText("echo", "hi", 100), CommandException.class);

        assertThat(e.kind()).isEqualTo(CommandException.Kind.UNAVAILABLE);
        assertThat(e.getMessage()).contains("core");
    }

    @Test
    void enginesListsTheDirectoryOrSaysTheRuntimeIsMissing() throws Exception {
        assertThat(catchThrowableOfType(() -> commands.enginesText(), CommandException.class).kind())
                .isEqualTo(CommandException.Kind.UNAVAILABLE);

        commands.directory = () -> List.of(new EngineInfo("echo", EngineInfo.State.RUNNING, "io.hypha.example.echo", 0, 16, 4, 0));

        assertThat(commands.enginesText()).contains("echo", "0/16", "io.hypha.example.echo");
    }

    @Test
    void nodeWorksWithNothingInstalledAndCountsEnginesWhenThereAre() {
        assertThat(commands.nodeText()).contains("unknown", "1m 01s", "none");

        commands.identity = new io.hypha.api.identity.NodeIdentity() {
            @Override public io.hypha.api.NodeId id() { return Fakes.node(3); }
            @Override public byte[] sign(String c, byte[] m) { throw new UnsupportedOperationException(); }
        };
        commands.directory = () -> List.of(new EngineInfo("console", EngineInfo.State.RUNNING, "io.hypha.console", 0, 16, 0, 0));

        assertThat(commands.nodeText()).contains(Fakes.node(3).toString(), "1 running, 0 suspended");
    }

    @Test
    void deadLettersAsksTheLogForTheLimitAndRejectsANegativeOne() throws Exception {
        AtomicInteger asked = new AtomicInteger(-1);
        commands.deadLetterLog = new DeadLetterLog() {
            @Override public List<DeadLetter> recent(int limit) { asked.set(limit); return List.of(); }
            @Override public Map<DeliveryFailure, Long> counts() { return Map.of(DeliveryFailure.EXPIRED, 2L); }
        };

        assertThat(commands.deadLettersText(7)).contains("EXPIRED", "2");
        assertThat(asked).hasValue(7);
        assertThat(catchThrowableOfType(() -> commands.deadLettersText(-1), CommandException.class).kind())
                .isEqualTo(CommandException.Kind.BAD_ARGUMENT);
    }

    @Test
    void featuresListsWhatTheFeatureServiceKnows() throws Exception {
        assertThat(catchThrowableOfType(() -> commands.featuresText(), CommandException.class).kind())
                .isEqualTo(CommandException.Kind.UNAVAILABLE);

        Fakes.Features features = new Fakes.Features();
        features.features = List.of(new FeatureInfo("core", "x:core:1", "The core", true, List.of(), ""));
        commands.featureService = features;

        assertThat(commands.featuresText()).contains("core  yes        The core");
    }
}
