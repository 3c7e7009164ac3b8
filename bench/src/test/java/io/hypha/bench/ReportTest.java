package io.hypha.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.json.JsonException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class ReportTest {
    private static Report.Parsed sample() throws Exception {
        try (Reader in = new InputStreamReader(ReportTest.class.getResourceAsStream("/sample-result.json"), StandardCharsets.UTF_8)) {
            return Report.parse(in);
        }
    }

    private static String line(String md, String... parts) {
        return md.lines().filter(l -> {
            for (String p : parts) {
                if (!l.contains(p)) {
                    return false;
                }
            }
            return true;
        }).findFirst().orElseThrow(() -> new AssertionError("no line with " + List.of(parts) + " in\n" + md));
    }

    @Test
    void readsScoresErrorsPercentilesAndAllocationFromJmhJson() throws Exception {
        Report.Parsed parsed = sample();

        assertThat(parsed.results()).hasSize(5);
        Report.Result tell = parsed.results().get(0);
        assertThat(tell.workload()).isEqualTo("TellOneToOne");
        assertThat(tell.impl()).isEqualTo("hypha");
        assertThat(tell.score()).isEqualTo(8_000_000.0);
        assertThat(tell.error()).isEqualTo(100_000.0);
        assertThat(tell.allocPerOp()).isEqualTo(24.0);
        assertThat(tell.best()).isEqualTo(8_100_000.0);
        assertThat(tell.higherIsBetter()).isTrue();
        Report.Result pekkoLatency = parsed.results().get(3);
        assertThat(pekkoLatency.error()).isNaN();
        assertThat(pekkoLatency.percentiles()).containsEntry(99.0, 60.0);
        assertThat(pekkoLatency.allocPerOp()).isNaN();
        assertThat(pekkoLatency.best()).isNaN();
        assertThat(pekkoLatency.higherIsBetter()).isFalse();
        assertThat(parsed.run().warmup()).isEqualTo("3 x 2 s");
        assertThat(parsed.run().jvmArgs()).isEqualTo("-Xms2g -Xmx2g");
    }

    @Test
    void comparesThroughputAsHyphaOverPekkoAndCallsTheHigherBetter() throws Exception {
        String md = Report.render(sample(), List.of("CPU: test"), new Properties());

        String row = line(md, "tell, 1 sender -> 1 receiver", "throughput");
        assertThat(row).contains("msg/s", "8,000,000 ± 100,000", "4,000,000 ± 50,000", "| 2.00 |", "Hypha 2.00x better");
        assertThat(line(md, "tell, 1 sender -> 1 receiver", "allocated")).contains("B/msg", "| 0.50 |", "Hypha 2.00x better");
        assertThat(line(md, "tell, 1 sender -> 1 receiver", "best iteration")).contains("| 8,100,000 | 4,200,000 |", "Hypha 1.93x better");
    }

    @Test
    void comparesLatencyAsHyphaOverPekkoAndCallsTheLowerBetter() throws Exception {
        String md = Report.render(sample(), List.of(), new Properties());

        assertThat(line(md, "request/reply", "| mean |")).contains("µs/op", "30.00 ± 1.000", "| 1.50 |", "Pekko 1.50x better");
        assertThat(line(md, "request/reply", "| p50 |")).contains("| 2.00 |", "Pekko 2.00x better");
        assertThat(line(md, "request/reply", "| p99.9 |")).contains("300.0", "150.0");
    }

    @Test
    void showsAMissingSideAsADashWithoutARatio() throws Exception {
        String md = Report.render(sample(), List.of(), new Properties());

        assertThat(line(md, "tell, 4 senders -> 1 receiver", "throughput"))
                .contains("| - | 5,000,000 ± 200,000 | - | - |");
    }

    @Test
    void listsWorkloadsInTheReadmeOrderWhateverTheFileOrder() throws Exception {
        String md = Report.render(sample(), List.of(), new Properties());

        assertThat(md.indexOf("1 sender -> 1")).isLessThan(md.indexOf("4 senders -> 1"));
        assertThat(md.indexOf("4 senders -> 1")).isLessThan(md.indexOf("request/reply"));
    }

    @Test
    void saysWhenConfidenceIntervalsOverlap() {
        assertThat(Report.verdict(100, 10, 95, 10, true)).isEqualTo("Hypha 1.05x better (within error)");
        assertThat(Report.verdict(100, 1, 95, 1, true)).isEqualTo("Hypha 1.05x better");
        assertThat(Report.verdict(100, Double.NaN, 95, 1, false)).isEqualTo("Pekko 1.05x better");
    }

    @Test
    void rejectsAFileThatIsNotAJmhResultArray() {
        assertThatThrownBy(() -> Report.parse(new StringReader("{\"benchmark\": 1}"))).isInstanceOf(JsonException.class);
        assertThatThrownBy(() -> Report.parse(new StringReader("[ {\"benchmark\" : \"x.Y.z\"} ]")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'mode'");
    }
}
