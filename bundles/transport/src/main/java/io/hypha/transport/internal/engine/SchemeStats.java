package io.hypha.transport.internal.engine;

import io.hypha.transport.internal.Drop;
import io.hypha.transport.internal.Refusal;

/** Counters of one transport scheme since the engine started: plain fields, engine thread only. */
final class SchemeStats {
    final String scheme;
    long messagesIn;
    long messagesOut;
    long bytesIn;
    long bytesOut;
    final long[] drops = new long[Drop.values().length];
    final long[] refusals = new long[Refusal.values().length];

    SchemeStats(String scheme) {
        this.scheme = scheme;
    }
}
