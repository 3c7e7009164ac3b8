package io.hypha.bench.network;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One workload of the network benchmark as both sides run it: W1 (one way, {@code warmup + count} messages, timed at
 * the receiver over the last {@code count}) or W2 (ping-pong, one in flight, {@code warmup + count} round trips, the
 * last {@code count} timed).
 *
 * @param kind   W1 or W2
 * @param count  timed messages or round trips
 * @param warmup untimed messages or round trips before them
 * @param size   payload bytes of each message (the bare baselines' frame body)
 * @param pass   1 for the first run of this workload on the round's processes, 2 for a second run on the same (warm)
 *               processes
 */
public record Phase(Kind kind, long count, long warmup, int size, int pass) {
    /** The workloads of ARCHITECTURE.md section 10. */
    public enum Kind {
        /** One way, messages per second at the receiver. */
        W1,
        /** Ping-pong round trips, one in flight, latency percentiles. */
        W2
    }

    /** Checks the numbers. */
    public Phase {
        if (count < 2 || warmup < 0 || size < 40 || pass < 1) {
            throw new IllegalArgumentException("a phase needs count >= 2, warmup >= 0, size >= 40 and pass >= 1: " + count
                    + ", " + warmup + ", " + size + ", " + pass);
        }
    }

    /** A first pass. */
    public Phase(Kind kind, long count, long warmup, int size) {
        this(kind, count, warmup, size, 1);
    }

    /** @return messages or round trips in all */
    public long total() {
        return count + warmup;
    }

    /** @return what the report calls it, for example {@code W1 100 B}, {@code W1 10 KiB} or {@code W1 100 B, 2nd pass} */
    public String label() {
        String bytes = size % 1024 == 0 ? size / 1024 + " KiB" : size + " B";
        return kind + " " + bytes + (pass == 1 ? "" : pass == 2 ? ", 2nd pass" : ", pass " + pass);
    }

    /** @return the command-line form, {@code w1:<count>:<warmup>:<size>[:<pass>]} */
    public String encode() {
        return kind.name().toLowerCase(Locale.ROOT) + ":" + count + ":" + warmup + ":" + size + (pass == 1 ? "" : ":" + pass);
    }

    /**
     * @param text the {@link #encode()} form
     * @return the phase
     * @throws IllegalArgumentException if it is not one
     */
    public static Phase parse(String text) {
        String[] parts = text.trim().split(":");
        if (parts.length != 4 && parts.length != 5) {
            throw new IllegalArgumentException("not a phase (w1|w2:<count>:<warmup>:<size>[:<pass>]): '" + text + "'");
        }
        try {
            return new Phase(Kind.valueOf(parts[0].toUpperCase(Locale.ROOT)), Long.parseLong(parts[1]),
                    Long.parseLong(parts[2]), Integer.parseInt(parts[3]), parts.length == 5 ? Integer.parseInt(parts[4]) : 1);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a phase (w1|w2:<count>:<warmup>:<size>[:<pass>]): '" + text + "'", e);
        }
    }

    /** @return the comma-separated {@link #encode()} forms */
    public static String encodeAll(List<Phase> phases) {
        return String.join(",", phases.stream().map(Phase::encode).toList());
    }

    /** @return the phases of a comma-separated list */
    public static List<Phase> parseAll(String text) {
        List<Phase> phases = new ArrayList<>();
        for (String part : text.split(",")) {
            if (!part.isBlank()) {
                phases.add(parse(part));
            }
        }
        return phases;
    }
}
