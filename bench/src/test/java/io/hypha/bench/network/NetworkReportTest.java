package io.hypha.bench.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetworkReportTest {
    private static final Phase W1 = new Phase(Phase.Kind.W1, 1_000_000, 200_000, 100);
    private static final Phase W1_LARGE = new Phase(Phase.Kind.W1, 100_000, 20_000, 10_240);
    private static final Phase W2 = new Phase(Phase.Kind.W2, 20_000, 2_000, 100);

    private static RunResult w1(String transport, String impl, int round, Phase phase, double rate) {
        return new RunResult(transport, impl, round, phase, RunResult.Outcome.COMPLETED, phase.total(), rate, null,
                impl.equals(RunResult.HYPHA) ? 40 * 1024 : -1, 101, 5.0, 2.5, "");
    }

    private static RunResult w2(String transport, String impl, int round, long p50) {
        return new RunResult(transport, impl, round, W2, RunResult.Outcome.COMPLETED, W2.total(), Double.NaN,
                new Stats.Latency(W2.count(), p50, p50 * 10, p50 * 40, p50 * 100, p50 * 1.5), -1, Double.NaN, 3.0, 40.0, "");
    }

    /** TLS: Hypha at 0.6x bare for 100 B (met), 0.5x for 10 KiB (missed), p50 2.5x (missed). */
    private static List<RunResult> tls() {
        return List.of(w1("tls", RunResult.BARE, 1, W1, 1_000_000), w1("tls", RunResult.BARE, 1, W1_LARGE, 50_000),
                w2("tls", RunResult.BARE, 1, 60_000), w1("tls", RunResult.HYPHA, 1, W1, 600_000),
                w1("tls", RunResult.HYPHA, 1, W1_LARGE, 25_000), w2("tls", RunResult.HYPHA, 1, 150_000));
    }

    private static String line(String md, String start, String transport) {
        return md.lines().filter(l -> l.startsWith("| " + start) && l.contains("| " + transport + " |")).findFirst()
                .orElseThrow(() -> new AssertionError("no row '" + start + "' for " + transport + " in\n" + md));
    }

    @Test
    void showsEachTargetWithBothFiguresTheRatioAndWhetherItIsMet() {
        String md = NetworkReport.markdown(new Results(Map.of("started", "now"), tls()), null);

        assertThat(line(md, "W1 100 B one way", "TLS")).contains("| 600,000 |", "| 1,000,000 |", "| 0.60 |", "≥ 0.5x bare", "| yes |");
        assertThat(line(md, "W1 10 KiB one way", "TLS")).contains("| 25,000 |", "| 50,000 |", "| 0.50 |", "≥ 0.7x bare", "| **no** |");
        assertThat(line(md, "W2 100 B ping-pong, 20,000 round trips: p50", "TLS"))
                .contains("| 150.0 |", "| 60.0 |", "| 2.50 |", "≤ 2.0x bare", "| **no** |");
        assertThat(line(md, "W2 100 B ping-pong: p99 (", "TLS")).contains("| 1,500.0 |", "| 600.0 |", "| 2.50 |");
        assertThat(md).doesNotContain("| QUIC |");
    }

    @Test
    void quicFiguresAreMediansOfCompletedRunsAndEveryIncompleteRunCountsAgainstTenOfTen() {
        List<RunResult> runs = new ArrayList<>();
        for (int round = 1; round <= 10; round++) {
            runs.add(w1("quic", RunResult.BARE, round, W1, 100_000 + round * 1_000)); // median 105,500
            runs.add(round == 4
                    ? RunResult.failed("quic", RunResult.HYPHA, round, W1, RunResult.Outcome.STALLED, 500_000, 30, "stalled")
                    : w1("quic", RunResult.HYPHA, round, W1, 80_000 + round * 1_000)); // 9 runs: median 86,000
            runs.add(w2("quic", RunResult.BARE, round, 200_000));
            runs.add(w2("quic", RunResult.HYPHA, round, 300_000));
        }
        String md = NetworkReport.markdown(new Results(Map.of(), runs), null);

        assertThat(line(md, "W1 100 B one way", "QUIC")).contains("median of completed runs", "| 86,000 |", "| 105,500 |",
                "| 0.82 |", "| yes |");
        assertThat(line(md, "W1 100 B: runs completed", "QUIC")).contains("| 9/10 |", "| 10/10 |", "| **no** |");
        assertThat(line(md, "W2 100 B: runs completed", "QUIC")).contains("| 10/10 | 10/10 |", "| yes |");
        assertThat(md).contains("| QUIC | hypha | 4 | W1 100 B | STALLED |", "500,000 of 1,200,000 done");
    }

    @Test
    void aSideWithoutACompletedRunGivesNoRatio() {
        List<RunResult> runs = new ArrayList<>(tls());
        runs.set(0, RunResult.failed("tls", RunResult.BARE, 1, W1, RunResult.Outcome.TIMEOUT, 10, 100, "slow"));
        String md = NetworkReport.markdown(new Results(Map.of(), runs), null);

        assertThat(line(md, "W1 100 B one way", "TLS")).contains("| none completed |", "| n/a |");
        assertThat(NetworkReport.met(NetworkReport.ROWS.get(0), 600_000, Double.NaN)).isEqualTo("n/a");
    }

    @Test
    void reportsTheReceiversHeapCpuSettingsAndTheAnalysis() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("node heap", "-Xmx256m");
        env.put("receiver mailbox", "mailboxCapacity=8192");
        env.put("caution", "other work ran");
        String md = NetworkReport.markdown(new Results(env, tls()), "## Analysis\n\nthe sender is the bottleneck\n");

        assertThat(md).contains("## Memory of the receiving node", "| TLS | W1 100 B | 1 | 40.0 MiB | 40.0 MiB |",
                "## CPU per message", "| TLS | W2 100 B | 40.00 | 40.00 | 1.00 |",
                "- **node heap**: -Xmx256m", "- **receiver mailbox**: mailboxCapacity=8192",
                "## Analysis", "the sender is the bottleneck", "**Caution**: other work ran.");
        assertThat(NetworkReport.markdown(new Results(Map.of(), tls()), null)).doesNotContain("Caution");
    }

    @Test
    void rawResultsSurviveTheJsonFile(@TempDir Path dir) throws Exception {
        List<RunResult> runs = new ArrayList<>(tls());
        runs.add(RunResult.failed("quic", RunResult.HYPHA, 3, W1, RunResult.Outcome.STALLED, 42, 20.5, "nothing moved"));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("started", "2026-01-01T00:00:00Z");
        env.put("load", "mean 1.0");
        Results results = new Results(env, runs);
        Path file = dir.resolve("network.json");

        results.write(file);
        Results read = Results.read(file);

        assertThat(read.environment()).containsExactlyEntriesOf(env);
        assertThat(read.runs()).hasSize(runs.size());
        for (int i = 0; i < runs.size(); i++) {
            RunResult a = runs.get(i);
            RunResult b = read.runs().get(i);
            assertThat(b.phase()).isEqualTo(a.phase());
            assertThat(b.outcome()).isEqualTo(a.outcome());
            assertThat(b.latency()).isEqualTo(a.latency());
            assertThat(b.note()).isEqualTo(a.note());
            assertThat(Double.valueOf(b.rate())).isEqualTo(Double.valueOf(a.rate())); // NaN survives as null
        }
        assertThat(NetworkReport.markdown(read, null)).isEqualTo(NetworkReport.markdown(results, null));
        Path md = dir.resolve("network.md");
        NetworkReport.main(new String[] {file.toString(), md.toString()});
        assertThat(Files.readString(md)).contains("| W1 100 B one way");
    }

    @Test
    void cpuTimePerMessageAddsBothProcessesBoundaries() {
        Map<String, Map<Integer, Long>> cpu = Map.of("server", Map.of(0, 1_000_000L, 1, 3_000_000L),
                "client", Map.of(0, 500_000L, 1, 1_500_000L));
        // (2 ms + 1 ms) over 1,000 messages = 3 us each
        assertThat(BareRound.cpuMicros(cpu, 0, new Phase(Phase.Kind.W1, 800, 200, 100))).isEqualTo(3.0);
        assertThat(BareRound.cpuMicros(cpu, 1, new Phase(Phase.Kind.W1, 800, 200, 100))).isNaN();
    }
}
