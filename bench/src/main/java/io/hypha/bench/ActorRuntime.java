package io.hypha.bench;

/**
 * One side of the comparison: a local actor runtime set up the same way for every workload.
 *
 * <p>Each implementation builds its receivers the way a user of that runtime would, sends along the path its
 * users' code takes, and nothing else: no extra queues, no batching by the harness.
 */
public interface ActorRuntime extends AutoCloseable {
    /** Names accepted by {@link #create}, as used in the benchmarks' {@code impl} parameter. */
    String HYPHA = "hypha";
    /** Names accepted by {@link #create}, as used in the benchmarks' {@code impl} parameter. */
    String PEKKO = "pekko";

    /**
     * Starts a receiver that counts every message into {@code signal}.
     *
     * @param signal the receiver's counter
     * @return how benchmark threads send to it
     */
    Sender countingReceiver(BatchSignal signal);

    /**
     * Starts a receiver that answers every request with its payload.
     *
     * @return how a benchmark thread asks it
     */
    Requester echo();

    /** @return how many messages this runtime refused or dead-lettered so far (must stay 0) */
    long failures();

    /** Stops the runtime and its threads. */
    @Override
    void close();

    /**
     * @param impl {@link #HYPHA} or {@link #PEKKO}
     * @return a started runtime
     */
    static ActorRuntime create(String impl) {
        return switch (impl) {
            case HYPHA -> new HyphaRuntime();
            // Pekko gets as many dispatcher threads as Hypha's executor has by default.
            case PEKKO -> new PekkoRuntime(HyphaRuntime.defaultThreads());
            default -> throw new IllegalArgumentException("unknown runtime '" + impl + "'; use hypha or pekko");
        };
    }

    /**
     * @param impl {@link #HYPHA} or {@link #PEKKO}
     * @return one sentence on how that side is set up, for the report
     */
    static String setup(String impl) {
        return switch (impl) {
            case HYPHA -> HyphaRuntime.setup();
            case PEKKO -> PekkoRuntime.setup(HyphaRuntime.defaultThreads());
            default -> throw new IllegalArgumentException("unknown runtime '" + impl + "'");
        };
    }

    /** Sends one-way messages to a receiver; callable from any thread. */
    interface Sender {
        /** @param token the payload */
        void tell(Token token);
    }

    /** Sends a request and blocks the calling (benchmark) thread for its reply. */
    interface Requester {
        /**
         * @param token the payload
         * @return the reply's payload
         * @throws Exception if the request failed
         */
        Object ask(Token token) throws Exception;
    }
}
