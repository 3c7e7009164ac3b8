package io.hypha.transport.tls.internal;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The transport's counters: connections established each way, and connections closed or refused by
 * {@link CloseReason}. Plain adders, read without locks. Thread-safe.
 */
final class TlsCounters {
    private final LongAdder inbound = new LongAdder();
    private final LongAdder outbound = new LongAdder();
    private final Map<CloseReason, LongAdder> closed = new EnumMap<>(CloseReason.class);

    TlsCounters() {
        for (CloseReason reason : CloseReason.values()) {
            closed.put(reason, new LongAdder());
        }
    }

    void inboundEstablished() {
        inbound.increment();
    }

    void outboundEstablished() {
        outbound.increment();
    }

    /**
     * @param reason why a connection was closed
     * @return how many were closed for this reason so far, this one included
     */
    long closed(CloseReason reason) {
        LongAdder adder = closed.get(reason);
        adder.increment();
        return adder.sum();
    }

    /**
     * @param reason a reason
     * @return how many connections were closed for it
     */
    long count(CloseReason reason) {
        return closed.get(reason).sum();
    }

    /** @return every counter by name: {@code connections.inbound}, {@code connections.outbound}, {@code closed.<reason>} */
    Map<String, Long> snapshot() {
        Map<String, Long> all = new LinkedHashMap<>();
        all.put("connections.inbound", inbound.sum());
        all.put("connections.outbound", outbound.sum());
        closed.forEach((reason, adder) -> all.put("closed." + reason.name().toLowerCase(java.util.Locale.ROOT), adder.sum()));
        return all;
    }
}
