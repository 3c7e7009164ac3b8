package io.hypha.runtime.internal;

/**
 * The engine runtime's bounds, immutable. {@link #defaults()} gives the documented defaults; the {@code with...}
 * methods change one bound.
 *
 * @param mailboxCapacity    default bound of an engine's mailbox, in messages (an engine may override it with
 *                           {@link io.hypha.api.engine.Engine#MAILBOX_CAPACITY}); a full mailbox refuses with
 *                           {@link io.hypha.api.DeliveryFailure#MAILBOX_FULL}. Default {@value #DEFAULT_MAILBOX_CAPACITY}.
 * @param batchSize          how many messages one engine handles in a turn before its thread moves on to another
 *                           engine. Default {@value #DEFAULT_BATCH_SIZE}.
 * @param graceMillis        how long messages for a stopped engine wait for an engine of the same name to come back
 *                           before they are dead-lettered as {@link io.hypha.api.DeliveryFailure#ENGINE_STOPPED}.
 *                           Default {@value #DEFAULT_GRACE_MILLIS}.
 * @param deadLetterCapacity how many recent dead letters are kept for inspection (0 keeps none; they are still
 *                           counted). Default {@value #DEFAULT_DEAD_LETTER_CAPACITY}.
 * @param threads            threads of the shared executor. Default: the number of available processors.
 * @param stopTimeoutMillis  how long unregistering an engine waits for the message it is handling to finish
 *                           (after that unregistering returns and the engine is stopped when the message is done).
 *                           Default {@value #DEFAULT_STOP_TIMEOUT_MILLIS}.
 * @param idleSpinMicros     how long an executor thread whose engine just ran out of messages keeps watching that
 *                           engine's mailbox (busy-waiting) before it gives the thread back, in microseconds; 0 never
 *                           waits. A message arriving meanwhile is handled at once, and its sender skips waking a
 *                           thread. Only after work and only while nothing else waits for the thread, and at most half
 *                           the threads (at least one) wait at a time, so an idle node burns no CPU.
 *                           Default {@value #DEFAULT_IDLE_SPIN_MICROS}.
 */
public record RuntimeSettings(int mailboxCapacity, int batchSize, long graceMillis, int deadLetterCapacity, int threads,
                              long stopTimeoutMillis, int idleSpinMicros) {
    /** Default {@link #mailboxCapacity()}. */
    public static final int DEFAULT_MAILBOX_CAPACITY = 16384;
    /** Default {@link #batchSize()}. */
    public static final int DEFAULT_BATCH_SIZE = 64;
    /** Default {@link #graceMillis()}. */
    public static final long DEFAULT_GRACE_MILLIS = 10_000;
    /** Default {@link #deadLetterCapacity()}. */
    public static final int DEFAULT_DEAD_LETTER_CAPACITY = 1000;
    /** Default {@link #stopTimeoutMillis()}. */
    public static final long DEFAULT_STOP_TIMEOUT_MILLIS = 5_000;
    /** Default {@link #idleSpinMicros()}. */
    public static final int DEFAULT_IDLE_SPIN_MICROS = 50;
    /** Longest {@link #idleSpinMicros()} accepted (10 ms). */
    public static final int MAX_IDLE_SPIN_MICROS = 10_000;
    /** Largest mailbox capacity accepted. */
    public static final int MAX_MAILBOX_CAPACITY = 1 << 30;

    /** @throws IllegalArgumentException if a bound is out of range, naming it */
    public RuntimeSettings {
        check(mailboxCapacity >= 1 && mailboxCapacity <= MAX_MAILBOX_CAPACITY, "mailboxCapacity", mailboxCapacity, "1..2^30");
        check(batchSize >= 1, "batchSize", batchSize, ">= 1");
        check(graceMillis >= 0, "graceMillis", graceMillis, ">= 0");
        check(deadLetterCapacity >= 0, "deadLetterCapacity", deadLetterCapacity, ">= 0");
        check(threads >= 1 && threads <= 32767, "threads", threads, "1..32767");
        check(stopTimeoutMillis >= 0, "stopTimeoutMillis", stopTimeoutMillis, ">= 0");
        check(idleSpinMicros >= 0 && idleSpinMicros <= MAX_IDLE_SPIN_MICROS, "idleSpinMicros", idleSpinMicros, "0..10000");
    }

    /**
     * The first six bounds, with the default {@link #idleSpinMicros()}.
     *
     * @param mailboxCapacity    see {@link #mailboxCapacity()}
     * @param batchSize          see {@link #batchSize()}
     * @param graceMillis        see {@link #graceMillis()}
     * @param deadLetterCapacity see {@link #deadLetterCapacity()}
     * @param threads            see {@link #threads()}
     * @param stopTimeoutMillis  see {@link #stopTimeoutMillis()}
     */
    public RuntimeSettings(int mailboxCapacity, int batchSize, long graceMillis, int deadLetterCapacity, int threads,
                           long stopTimeoutMillis) {
        this(mailboxCapacity, batchSize, graceMillis, deadLetterCapacity, threads, stopTimeoutMillis, DEFAULT_IDLE_SPIN_MICROS);
    }

    /**
     * The five main bounds, with the default {@link #stopTimeoutMillis()} and {@link #idleSpinMicros()}.
     *
     * @param mailboxCapacity    see {@link #mailboxCapacity()}
     * @param batchSize          see {@link #batchSize()}
     * @param graceMillis        see {@link #graceMillis()}
     * @param deadLetterCapacity see {@link #deadLetterCapacity()}
     * @param threads            see {@link #threads()}
     */
    public RuntimeSettings(int mailboxCapacity, int batchSize, long graceMillis, int deadLetterCapacity, int threads) {
        this(mailboxCapacity, batchSize, graceMillis, deadLetterCapacity, threads, DEFAULT_STOP_TIMEOUT_MILLIS);
    }

    /** @return the defaults, with one thread per available processor */
    public static RuntimeSettings defaults() {
        return new RuntimeSettings(DEFAULT_MAILBOX_CAPACITY, DEFAULT_BATCH_SIZE, DEFAULT_GRACE_MILLIS,
                DEFAULT_DEAD_LETTER_CAPACITY, Runtime.getRuntime().availableProcessors(), DEFAULT_STOP_TIMEOUT_MILLIS,
                DEFAULT_IDLE_SPIN_MICROS);
    }

    /** @param value the new bound @return these settings with {@link #mailboxCapacity()} replaced */
    public RuntimeSettings withMailboxCapacity(int value) {
        return new RuntimeSettings(value, batchSize, graceMillis, deadLetterCapacity, threads,
                stopTimeoutMillis, idleSpinMicros);
    }

    /** @param value the new bound @return these settings with {@link #batchSize()} replaced */
    public RuntimeSettings withBatchSize(int value) {
        return new RuntimeSettings(mailboxCapacity, value, graceMillis, deadLetterCapacity, threads,
                stopTimeoutMillis, idleSpinMicros);
    }

    /** @param value the new bound @return these settings with {@link #graceMillis()} replaced */
    public RuntimeSettings withGraceMillis(long value) {
        return new RuntimeSettings(mailboxCapacity, batchSize, value, deadLetterCapacity, threads,
                stopTimeoutMillis, idleSpinMicros);
    }

    /** @param value the new bound @return these settings with {@link #deadLetterCapacity()} replaced */
    public RuntimeSettings withDeadLetterCapacity(int value) {
        return new RuntimeSettings(mailboxCapacity, batchSize, graceMillis, value, threads,
                stopTimeoutMillis, idleSpinMicros);
    }

    /** @param value the new bound @return these settings with {@link #threads()} replaced */
    public RuntimeSettings withThreads(int value) {
        return new RuntimeSettings(mailboxCapacity, batchSize, graceMillis, deadLetterCapacity, value,
                stopTimeoutMillis, idleSpinMicros);
    }

    /** @param value the new bound @return these settings with {@link #stopTimeoutMillis()} replaced */
    public RuntimeSettings withStopTimeoutMillis(long value) {
        return new RuntimeSettings(mailboxCapacity, batchSize, graceMillis, deadLetterCapacity, threads,
                value, idleSpinMicros);
    }

    /** @param value the new bound @return these settings with {@link #idleSpinMicros()} replaced */
    public RuntimeSettings withIdleSpinMicros(int value) {
        return new RuntimeSettings(mailboxCapacity, batchSize, graceMillis, deadLetterCapacity, threads, stopTimeoutMillis,
                value);
    }

    private static void check(boolean ok, String name, long value, String range) {
        if (!ok) {
            throw new IllegalArgumentException("runtime setting " + name + " must be " + range + ", got " + value);
        }
    }
}
