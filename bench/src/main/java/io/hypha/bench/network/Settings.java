package io.hypha.bench.network;

import java.time.Duration;
import java.util.List;

/**
 * What one network benchmark run does.
 *
 * @param quick           a smoke run: fewer messages, one QUIC round
 * @param tlsPhases       the workloads over TLS, in order, on the same processes
 * @param quicPhases      the workloads over QUIC
 * @param tlsRounds       rounds over TLS (fresh processes each)
 * @param quicRounds      rounds over QUIC
 * @param stallMillis     a run in which nothing moves this long is ended as STALLED
 * @param heap            the heap option of every benchmark JVM (nodes and bare processes)
 * @param mailboxCapacity the engine mailbox capacity configured in both nodes ({@code io.hypha.runtime})
 * @param nodeJavaOpts    extra JVM options for the nodes (a profiler, say); empty normally
 */
record Settings(boolean quick, List<Phase> tlsPhases, List<Phase> quicPhases, int tlsRounds, int quicRounds,
                long stallMillis, String heap, int mailboxCapacity, String nodeJavaOpts) {
    /** Messages of up to this size get the small window. */
    static final int SMALL = 1024;

    /** @return the credit window of bench-source for a phase: messages in flight beyond the sink's last credit */
    int window(Phase phase) {
        return phase.size() <= SMALL ? 4096 : 1024;
    }

    /** @return how often the sink credits: an eighth of the window */
    int credit(Phase phase) {
        return window(phase) / 8;
    }

    /**
     * The longest a run may take, however it progresses: a minute, plus the time at 10,000 messages per second or
     * 5 MB/s, whichever is longer (QUIC moves 10 KiB messages at about 20 MB/s here).
     */
    Duration limit(Phase phase) {
        double seconds = Math.max(phase.total() / 10_000.0, phase.total() * (double) phase.size() / 5_000_000.0);
        return Duration.ofSeconds(60 + (long) seconds);
    }
}
