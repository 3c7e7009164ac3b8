package io.hypha.transport.quic.internal;

import io.hypha.api.transport.TransportError;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The QUIC transport's counters: connections established each way, inbound connections refused before they were
 * authenticated (by the {@link CloseCode} sent), and connections this side closed for a failure (by
 * {@link TransportError}). Plain adders, read without locks. Thread-safe.
 */
final class QuicCounters {
    private final LongAdder inbound = new LongAdder();
    private final LongAdder outbound = new LongAdder();
    private final Map<CloseCode, LongAdder> refused = new EnumMap<>(CloseCode.class);
    private final Map<TransportError, LongAdder> closed = new EnumMap<>(TransportError.class);

    QuicCounters() {
        for (CloseCode code : CloseCode.values()) {
            refused.put(code, new LongAdder());
        }
        for (TransportError error : TransportError.values()) {
            closed.put(error, new LongAdder());
        }
    }

    void established(boolean outboundSide) {
        (outboundSide ? outbound : inbound).increment();
    }

    void refused(CloseCode code) {
        refused.get(code).increment();
    }

    void closed(TransportError error) {
        closed.get(error).increment();
    }

    /** @return inbound connections refused so far, whatever the reason */
    long refusedTotal() {
        return refused.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /**
     * @return every counter by dotted lower-case name: {@code connections.inbound}, {@code connections.outbound},
     *         {@code refused.<close code>}, {@code closed.<transport error>}
     */
    Map<String, Long> snapshot() {
        Map<String, Long> all = new LinkedHashMap<>();
        all.put("connections.inbound", inbound.sum());
        all.put("connections.outbound", outbound.sum());
        refused.forEach((code, adder) -> {
            if (code != CloseCode.NO_ERROR && code != CloseCode.SHUTDOWN) {
                all.put("refused." + code.name().toLowerCase(Locale.ROOT), adder.sum());
            }
        });
        closed.forEach((error, adder) -> all.put("closed." + error.name().toLowerCase(Locale.ROOT), adder.sum()));
        return all;
    }
}
