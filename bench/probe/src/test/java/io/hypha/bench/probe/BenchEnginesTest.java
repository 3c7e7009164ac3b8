package io.hypha.bench.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import io.hypha.testkit.EngineHarness;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class BenchEnginesTest {
    private static final EngineAddress CONSOLE = EngineAddress.local("console");
    private static final NodeId PEER = node(7);

    private static NodeId node(int seed) {
        byte[] key = new byte[NodeId.LENGTH];
        Arrays.fill(key, (byte) seed);
        return NodeId.of(key);
    }

    private static Map<String, String> pairs(Envelope reply) {
        Map<String, String> pairs = new HashMap<>();
        for (String word : String.valueOf(reply.payload()).split("\\s+")) {
            int eq = word.indexOf('=');
            if (eq > 0) {
                pairs.put(word.substring(0, eq), word.substring(eq + 1));
            }
        }
        return pairs;
    }

    private static Envelope ask(EngineHarness h, String text) {
        return h.request(CONSOLE, Commands.TEXT_TYPE, text).join();
    }

    @Test
    void theSourceKeepsAtMostTheWindowBeyondTheLastCreditAndIsDoneWhenAllAreCredited() {
        EngineHarness source = EngineHarness.start(BenchSource.NAME, new BenchSource());
        Envelope started = ask(source, "start " + PEER + " 10 size=100 warmup=2 window=4 credit=2");
        assertThat(started.type()).isEqualTo(Commands.OK_TYPE);
        String run = String.valueOf(started.payload()).replaceAll("^started run ([0-9a-f]+):.*$", "$1");

        List<Envelope> first = source.takeSent().stream().filter(e -> e.type().equals(BenchData.TYPE)).toList();
        assertThat(first).hasSize(4).allMatch(e -> e.dst().equals(EngineAddress.of(PEER, BenchSink.NAME)));
        BenchData header = BenchData.decode(first.get(3).payload());
        assertThat(header).isEqualTo(new BenchData(header.run(), 4, 10, 2, 2));
        assertThat(((byte[]) first.get(0).payload())).hasSize(100);

        source.deliver(EngineAddress.of(PEER, BenchSink.NAME), BenchSink.CREDIT_TYPE, run + " 3");
        assertThat(source.takeSent()).hasSize(3); // 7 sent, 3 credited: 4 in flight
        source.deliver(EngineAddress.of(PEER, BenchSink.NAME), BenchSink.CREDIT_TYPE, run + " 10");
        assertThat(source.takeSent()).hasSize(3); // the last 3
        source.deliver(EngineAddress.of(PEER, BenchSink.NAME), BenchSink.CREDIT_TYPE, run + " 10");
        assertThat(pairs(ask(source, "status"))).containsEntry("state", "DONE").containsEntry("sent", "10")
                .containsEntry("credited", "10").containsEntry("refused", "none");
        source.assertNoFailures();
    }

    @Test
    void theSourceRefusesACreditIntervalItCouldWaitForeverOn() {
        EngineHarness source = EngineHarness.start(BenchSource.NAME, new BenchSource());
        Envelope refused = ask(source, "start local 10 window=4 credit=3");
        assertThat(refused.type()).isEqualTo(Commands.ERROR_TYPE);
        assertThat(String.valueOf(refused.payload())).contains("at most half the window");
        assertThat(ask(source, "start local 10 size=12").type()).as("smaller than the header").isEqualTo(Commands.ERROR_TYPE);
    }

    @Test
    void theSinkTimesTheRunAfterTheWarmUpCreditsAndAnswersAnAwaitWhenDone() {
        EngineHarness sink = EngineHarness.start(BenchSink.NAME, new BenchSink());
        EngineAddress source = EngineAddress.of(PEER, BenchSource.NAME);
        CompletableFuture<Envelope> awaiting = sink.request(CONSOLE, Commands.TEXT_TYPE, "await 5000");
        for (long seq = 1; seq <= 5; seq++) {
            sink.deliver(source, BenchData.TYPE, new BenchData(0xabL, seq, 6, 2, 2).encode(64));
        }
        sink.deliver(source, BenchData.TYPE, new BenchData(0xabL, 5, 6, 2, 2).encode(64)); // a duplicate
        assertThat(awaiting).isNotDone();
        assertThat(sink.takeSent()).extracting(Envelope::payload).containsExactly("ab 2", "ab 4");

        sink.deliver(source, BenchData.TYPE, new BenchData(0xabL, 6, 6, 2, 2).encode(64));
        Map<String, String> done = pairs(awaiting.join());
        assertThat(done).containsEntry("state", "DONE").containsEntry("received", "6").containsEntry("duplicates", "1")
                .containsEntry("outOfOrder", "0");
        assertThat(Long.parseLong(done.get("firstNanos"))).isPositive()
                .isLessThanOrEqualTo(Long.parseLong(done.get("lastNanos")));
        assertThat(sink.sentOfType(BenchSink.CREDIT_TYPE)).extracting(Envelope::payload).containsExactly("ab 6");
        sink.assertNoFailures();
    }

    @Test
    void anAwaitOnAnUnfinishedRunIsAnsweredAfterItsTime() {
        EngineHarness sink = EngineHarness.start(BenchSink.NAME, new BenchSink());
        CompletableFuture<Envelope> awaiting = sink.request(CONSOLE, Commands.TEXT_TYPE, "await 1000");
        sink.advance(Duration.ofMillis(999));
        assertThat(awaiting).isNotDone();
        sink.advance(Duration.ofMillis(1));
        assertThat(pairs(awaiting.join())).containsEntry("state", "IDLE");
        assertThat(ask(sink, "await 0").type()).isEqualTo(Commands.ERROR_TYPE);
    }

    @Test
    void pingAnswersPingsAndTimesOneRoundTripAtATime() {
        EngineHarness ping = EngineHarness.start(BenchPing.NAME, new BenchPing());
        Envelope someonesPing = ping.deliver(EngineAddress.of(PEER, BenchPing.NAME), BenchPing.PING_TYPE, new byte[20]);
        Envelope pong = ping.nextSent();
        assertThat(pong.type()).isEqualTo(BenchPing.PONG_TYPE);
        assertThat(pong.inReplyTo()).isEqualTo(someonesPing.id());

        assertThat(ask(ping, "start " + PEER + " 5 size=32 warmup=1").type()).isEqualTo(Commands.OK_TYPE);
        for (int i = 0; i < 5; i++) {
            List<Envelope> sent = ping.takeSent().stream().filter(e -> e.type().equals(BenchPing.PING_TYPE)).toList();
            assertThat(sent).as("one in flight").hasSize(1);
            Envelope out = sent.get(0);
            assertThat((byte[]) out.payload()).hasSize(32);
            ping.deliver(Envelope.builder().src(out.dst()).dst(ping.self()).id(1000 + i).inReplyTo(out.id())
                    .expiresAt(Envelope.NEVER).type(BenchPing.PONG_TYPE).payload(out.payload()).build());
        }
        assertThat(ping.sentOfType(BenchPing.PING_TYPE)).isEmpty();
        Map<String, String> status = pairs(ask(ping, "status"));
        assertThat(status).containsEntry("state", "DONE").containsEntry("done", "5").containsKeys("p50Nanos", "p99Nanos",
                "p999Nanos", "maxNanos", "meanNanos");
        assertThat(Long.parseLong(status.get("p50Nanos"))).isPositive()
                .isLessThanOrEqualTo(Long.parseLong(status.get("p999Nanos")));
        ping.assertNoFailures();
    }
}
