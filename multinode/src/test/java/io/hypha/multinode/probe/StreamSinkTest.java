package io.hypha.multinode.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import io.hypha.testkit.EngineHarness;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StreamSinkTest {
    private static final EngineAddress CONSOLE = EngineAddress.local("console");
    private static final EngineAddress SOURCE = EngineAddress.of(node(3), StreamSource.NAME);
    private static final long RUN = 0xabcL;

    private final EngineHarness harness = EngineHarness.start(StreamSink.NAME, new StreamSink());

    @AfterEach
    void engineNeverThrew() {
        harness.assertNoFailures();
    }

    private static NodeId node(int seed) {
        byte[] key = new byte[NodeId.LENGTH];
        Arrays.fill(key, (byte) seed);
        return NodeId.of(key);
    }

    private void data(long run, long... seqs) {
        for (long seq : seqs) {
            harness.deliver(SOURCE, StreamData.TYPE, new StreamData(run, seq, 100).encode());
        }
    }

    private String status() {
        return (String) harness.request(CONSOLE, StreamSource.TEXT_TYPE, "status").join().payload();
    }

    private List<Object> credits() {
        return harness.takeSent().stream().filter(e -> e.type().equals(StreamSource.CREDIT_TYPE)).map(Envelope::payload).toList();
    }

    @Test
    void aStreamInOrderIsCountedWithoutDuplicatesGapsOrDisorder() {
        data(RUN, 1, 2, 3, 4);

        assertThat(status()).isEqualTo("run=abc from=" + SOURCE + " received=4 highest=4 duplicates=0 outOfOrder=0 missing=0 firstMissing=0 corrupt=0");
    }

    @Test
    void duplicatesDisorderAndGapsAreEachCounted() {
        data(RUN, 1, 2, 2, 5, 3, 1);

        assertThat(status()).contains("received=4", "highest=5", "duplicates=2", "outOfOrder=2", "missing=1", "firstMissing=4");
    }

    @Test
    void aDamagedPayloadIsCountedAsCorrupt() {
        data(RUN, 1);
        byte[] damaged = new StreamData(RUN, 2, 100).encode();
        damaged[50] ^= 1;

        harness.deliver(SOURCE, StreamData.TYPE, damaged);
        harness.deliver(SOURCE, StreamData.TYPE, "not bytes");

        assertThat(status()).contains("received=1", "corrupt=2");
    }

    @Test
    void creditsTheSourceEveryFewHundredMessagesAndAMomentAfterTheLast() {
        long[] seqs = new long[StreamSink.CREDIT_EVERY + 10];
        for (int i = 0; i < seqs.length; i++) {
            seqs[i] = i + 1;
        }
        data(RUN, seqs);

        assertThat(credits()).containsExactly("abc " + StreamSink.CREDIT_EVERY);
        harness.advance(StreamSink.CREDIT_DELAY);
        assertThat(credits()).containsExactly("abc " + seqs.length);
        harness.advance(Duration.ofSeconds(1));
        assertThat(credits()).as("nothing new, no credit").isEmpty();
    }

    @Test
    void creditsGoToTheSourceEngineOfTheRun() {
        data(RUN, 1);
        harness.advance(StreamSink.CREDIT_DELAY);

        assertThat(harness.nextSent().dst()).isEqualTo(SOURCE);
    }

    @Test
    void aNewRunStartsAFreshTallyAndResetForgetsIt() {
        data(RUN, 1, 2);
        data(RUN + 1, 1);

        assertThat(status()).contains("run=abd", "received=1");
        assertThat((String) harness.request(CONSOLE, StreamSource.TEXT_TYPE, "reset").join().payload()).contains("run=none");
        assertThat((String) harness.request(CONSOLE, StreamSource.TEXT_TYPE, "count").join().payload()).startsWith("unknown command");
    }
}
