package io.hypha.multinode.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.hypha.api.DeliveryFailure;
import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import io.hypha.testkit.EngineHarness;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StreamSourceTest {
    private static final EngineAddress CONSOLE = EngineAddress.local("console");
    private static final NodeId REMOTE = node(7);

    private final EngineHarness harness = EngineHarness.start(StreamSource.NAME, new StreamSource());

    @AfterEach
    void engineNeverThrew() {
        harness.assertNoFailures();
    }

    private static NodeId node(int seed) {
        byte[] key = new byte[NodeId.LENGTH];
        Arrays.fill(key, (byte) seed);
        return NodeId.of(key);
    }

    private Envelope command(String text) {
        return harness.request(CONSOLE, StreamSource.TEXT_TYPE, text).join();
    }

    private List<Envelope> takeData() {
        List<Envelope> data = harness.sentOfType(StreamData.TYPE);
        harness.takeSent();
        return data;
    }

    private void credit(String runHex, long received) {
        harness.deliver(EngineAddress.of(REMOTE, StreamSink.NAME), StreamSource.CREDIT_TYPE, runHex + " " + received);
    }

    private String runOf(Envelope started) {
        return ((String) started.payload()).replaceAll("^started run ([0-9a-f]+):.*$", "$1");
    }

    @Test
    void sendsOneWindowOfNumberedMessagesToTheSinkOfTheNamedNodeThenMoreForEachCredit() {
        Envelope started = command("start " + REMOTE + " 10 size=40 window=4");

        assertThat(started.type()).isEqualTo(StreamSource.OK_TYPE);
        assertThat((String) started.payload()).contains("10 messages of 40 B to stream-sink@" + REMOTE);
        List<Envelope> first = takeData();
        assertThat(first).extracting(e -> StreamData.decode(e.payload()).seq()).containsExactly(1L, 2L, 3L, 4L);
        assertThat(first).allSatisfy(e -> {
            assertThat(e.dst()).isEqualTo(EngineAddress.of(REMOTE, StreamSink.NAME));
            assertThat((byte[]) e.payload()).hasSize(40);
        });

        credit(runOf(started), 3);

        assertThat(takeData()).extracting(e -> StreamData.decode(e.payload()).seq()).containsExactly(5L, 6L, 7L);
        assertThat((String) command("status").payload()).contains("state=SENDING", "sent=7", "credited=3", "count=10");
    }

    @Test
    void isDoneWhenTheSinkCreditedEveryMessage() {
        Envelope started = command("start local 3");
        takeData();

        credit(runOf(started), 3);

        assertThat((String) command("status").payload()).contains("state=DONE", "sent=3", "credited=3", "refused=none")
                .contains("to=" + StreamSink.NAME + " ");
    }

    @Test
    void ignoresCreditsOfAnotherRunAndNeverCountsMoreThanItSent() {
        Envelope started = command("start local 100 window=2");
        takeData();

        credit("abc", 50);
        credit(runOf(started), 50);

        assertThat((String) command("status").payload()).contains("sent=4", "credited=2");
    }

    @Test
    void spreadsARunOverTimeAtTheGivenRate() {
        command("start local 100 rate=1000 window=1000");
        assertThat(takeData()).hasSize(1);

        harness.advance(Duration.ofMillis(50));
        assertThat(takeData()).hasSize(49);

        harness.advance(Duration.ofSeconds(1));
        assertThat(takeData()).hasSize(50);
        assertThat(harness.activeTimers()).as("the ticker stops once everything is sent").isZero();
    }

    @Test
    void countsUndeliverableMessagesByReasonWithoutSendingThemAgain() {
        command("start local 3");
        List<Envelope> data = takeData();

        harness.undeliverable(data.get(1), DeliveryFailure.MAILBOX_FULL);

        assertThat((String) command("status").payload()).contains("refused=mailbox_full:1");
        harness.takeSent();
        assertThat(takeData()).isEmpty();
    }

    @Test
    void refusesASecondRunWhileOneIsSendingAndStartsOneAfterStop() {
        command("start local 10 window=1");
        takeData();

        Envelope busy = command("start local 5");
        Envelope stopped = command("stop");
        Envelope again = command("start local 5");

        assertThat(busy.type()).isEqualTo(StreamSource.ERROR_TYPE);
        assertThat((String) busy.payload()).startsWith("busy: run");
        assertThat((String) stopped.payload()).contains("state=STOPPED");
        assertThat(again.type()).isEqualTo(StreamSource.OK_TYPE);
    }

    @Test
    void refusesBadCommandsWithASentenceAndSendsNothing() {
        assertThat(command("start nobody 10").payload()).isEqualTo("'nobody' is neither a node id nor 'local'");
        assertThat(command("start local 0").payload()).isEqualTo("count must be 1 to 16777216, got 0");
        assertThat(command("start local 5 size=8").payload()).isEqualTo("size must be 16 to 60000, got 8");
        assertThat(command("start local 5 speed=3").payload()).isEqualTo("unknown option 'speed' (size, window, rate)");
        assertThat((String) command("launch").payload()).startsWith("unknown command 'launch'");
        assertThat(command("status").payload()).isEqualTo("state=IDLE");
        assertThat(harness.sentOfType(StreamData.TYPE)).isEmpty();
    }
}
