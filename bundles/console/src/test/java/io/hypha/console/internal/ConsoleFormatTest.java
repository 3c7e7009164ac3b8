package io.hypha.console.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.hypha.api.DeadLetter;
import io.hypha.api.DeliveryFailure;
import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.engine.EngineInfo;
import io.hypha.features.FeatureChange;
import io.hypha.features.FeatureInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConsoleFormatTest {
    private static final EngineInfo ECHO = new EngineInfo("echo", EngineInfo.State.RUNNING, "io.hypha.example.echo", 2, 1024, 17, 1);
    private static final EngineInfo GONE = new EngineInfo("gone", EngineInfo.State.SUSPENDED, "", 5, 1024, 3, 0);

    @Test
    void alignsTableColumnsAndLeavesTheLastOneUnpadded() {
        String table = ConsoleFormat.table(List.of(List.of("A", "B", "C"), List.of("long value", "x", "end")));

        assertThat(table).isEqualTo("A           B  C\nlong value  x  end\n");
    }

    @Test
    void theNodeSummaryShowsTheFullIdUptimeEngineCountsAndTransports() {
        String text = ConsoleFormat.node(Fakes.node(7), Duration.ofSeconds(3723), List.of(ECHO, GONE), List.of("tls", "quic"));

        assertThat(text).contains(Fakes.node(7).toString())
                .contains("1h 02m 03s")
                .contains("1 running, 1 suspended")
                .contains("quic, tls");
    }

    @Test
    void theNodeSummarySaysWhatIsNotRunning() {
        String text = ConsoleFormat.node(null, Duration.ofSeconds(5), null, List.of());

        assertThat(text).contains("node        unknown (the identity service is not running; install feature core)")
                .contains("engines     unknown (the engine runtime is not running; install feature core)")
                .contains("transports  none");
    }

    @Test
    void theEngineTableHasOneRowPerEngine() {
        String text = ConsoleFormat.engines(List.of(ECHO, GONE));

        assertThat(text.lines().toList()).hasSize(3);
        assertThat(text.lines().findFirst()).get().asString().startsWith("NAME").contains("QUEUED/CAPACITY", "PROCESSED", "FAILED", "BUNDLE");
        assertThat(text).contains("echo  RUNNING    2/1024           17         1       io.hypha.example.echo")
                .contains("gone  SUSPENDED  5/1024           3          0       -");
        assertThat(ConsoleFormat.engines(List.of())).isEqualTo("no engines\n");
    }

    @Test
    void deadLettersShowCountsByReasonAndTheRecentLetters() {
        Envelope m = Envelope.builder().src(EngineAddress.of(Fakes.node(1), "console")).dst(EngineAddress.local("nope")).id(9).type("text").payload("hi").build();
        DeadLetter letter = new DeadLetter(m, DeliveryFailure.NO_SUCH_ENGINE, "no engine 'nope'\non this node", Instant.parse("2024-05-01T10:00:00.123456Z"));

        String text = ConsoleFormat.deadLetters(Map.of(DeliveryFailure.NO_SUCH_ENGINE, 3L, DeliveryFailure.TIMEOUT, 0L, DeliveryFailure.EXPIRED, 1L), List.of(letter), Fakes.node(1));

        assertThat(text).contains("NO_SUCH_ENGINE  3").contains("EXPIRED         1").contains("total           4")
                .doesNotContain("TIMEOUT")
                .contains("2024-05-01T10:00:00.123Z  NO_SUCH_ENGINE  text  console -> nope  no engine 'nope' on this node");
        assertThat(ConsoleFormat.deadLetters(Map.of(DeliveryFailure.TIMEOUT, 0L), List.of(), null)).isEqualTo("no dead letters\n");
    }

    @Test
    void theFeatureTableShowsWhetherEachIsInstalled() {
        String text = ConsoleFormat.features(List.of(
                new FeatureInfo("core", "x:core:1", "The core", true, List.of("g:a:1"), "/f/core.json"),
                new FeatureInfo("echo", "x:echo:1", "", false, List.of(), "/f/echo.json")));

        assertThat(text).isEqualTo("NAME  INSTALLED  DESCRIPTION\ncore  yes        The core\necho  no         \n");
        assertThat(ConsoleFormat.features(List.of())).startsWith("no features");
    }

    @Test
    void aChangeListsEveryBundleActionAndSaysWhetherItWasApplied() {
        FeatureChange change = new FeatureChange("core", List.of("a 1.0.0", "b 1.0.0"), List.of("a 1.0.0"), List.of("old 1.0.0"), List.of("old 1.0.0"), true);

        String applied = ConsoleFormat.change("install", change);
        String dry = ConsoleFormat.change("install", new FeatureChange("core", change.toInstall(), change.toStart(), change.toStop(), change.toUninstall(), false));

        assertThat(applied).startsWith("feature 'core' installed:\n")
                .endsWith("  install    a 1.0.0\n  install    b 1.0.0\n  start      a 1.0.0\n  stop       old 1.0.0\n  uninstall  old 1.0.0\n");
        assertThat(dry).startsWith("dry run: installing feature 'core' would (nothing was changed):\n");
        assertThat(ConsoleFormat.change("uninstall", new FeatureChange("x", List.of(), List.of(), List.of(), List.of(), false)))
                .isEqualTo("dry run: uninstalling feature 'x' would change no bundle\n");
    }

    @Test
    void repliesAndPayloadsArePrintable() {
        Envelope reply = Envelope.builder().src(EngineAddress.local("echo")).dst(EngineAddress.local("console")).type("echo.reply").payload("hello").build();

        assertThat(ConsoleFormat.reply(EngineAddress.local("echo"), reply, Fakes.node(1))).isEqualTo("reply from echo (echo.reply): hello\n");
        assertThat(ConsoleFormat.noReply(EngineAddress.local("echo"), Duration.ofMillis(250))).isEqualTo("sent to echo; no reply within 250 ms\n");
        assertThat(ConsoleFormat.payload(null)).isEqualTo("(no payload)");
        assertThat(ConsoleFormat.payload(new byte[] {1, (byte) 0xab})).isEqualTo("2 bytes: 01ab");
        assertThat(ConsoleFormat.payload("x".repeat(3000))).endsWith("... (3000 characters)").hasSize(2000 + "... (3000 characters)".length());
    }

    @Test
    void addressesLeaveOutThisNodeAndShortenOthersInTables() {
        EngineAddress here = EngineAddress.of(Fakes.node(1), "echo");
        EngineAddress there = EngineAddress.of(Fakes.node(2), "echo");

        assertThat(ConsoleFormat.address(here, Fakes.node(1), false)).isEqualTo("echo");
        assertThat(ConsoleFormat.address(EngineAddress.local("echo"), null, true)).isEqualTo("echo");
        assertThat(ConsoleFormat.address(there, Fakes.node(1), false)).isEqualTo("echo@" + Fakes.node(2));
        assertThat(ConsoleFormat.address(there, Fakes.node(1), true)).isEqualTo("echo@" + Fakes.node(2).shortForm());
        assertThat(ConsoleFormat.address(null, null, true)).isEqualTo("-");
    }

    @Test
    void durationsDropLeadingZeroUnits() {
        assertThat(ConsoleFormat.duration(Duration.ofSeconds(42))).isEqualTo("42s");
        assertThat(ConsoleFormat.duration(Duration.ofSeconds(62))).isEqualTo("1m 02s");
        assertThat(ConsoleFormat.duration(Duration.ofHours(50).plusSeconds(1))).isEqualTo("2d 02h 00m 01s");
    }
}
