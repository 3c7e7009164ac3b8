package io.hypha.testkit.transport;

import io.hypha.api.transport.Connection;
import io.hypha.api.transport.ConnectionHandler;
import io.hypha.api.transport.TransportException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A {@link ConnectionHandler} that records what a transport protocol reports, lets a test wait for it with a
 * deadline, and checks the callback rules of the SPI on the way. Thread-safe.
 *
 * <p>Connections are told apart by identity: a protocol must pass the same {@link Connection} object to every
 * callback of one connection (and return it from {@code dial}).
 *
 * <h2>Rules checked on every callback</h2>
 * A broken rule is recorded, not thrown (an exception would land on the protocol's I/O thread);
 * {@link #assertNoViolations()} reports them:
 * <ul>
 *   <li>callbacks for one connection never overlap (they may come from different threads, one at a time);</li>
 *   <li>{@code onConnected} comes only for inbound connections, once, before any other callback for it;</li>
 *   <li>{@code onClosed} comes at most once, and nothing comes after it.</li>
 * </ul>
 *
 * <h2>Holding frames</h2>
 * {@link #holdFrames()} makes {@code onFrame} wait (blocking the protocol's delivering thread) until
 * {@link #releaseFrames()}: a peer that stops reading, to test backpressure. A held callback gives up after
 * {@link #HOLD_LIMIT}, so a test that forgets to release cannot hang the protocol for good.
 */
public final class RecordingConnectionHandler implements ConnectionHandler {
    /** The longest a held {@code onFrame} waits for {@link #releaseFrames()}. */
    public static final Duration HOLD_LIMIT = Duration.ofSeconds(60);

    /** What is known about one connection. Guarded by {@code lock}, except {@code active}. */
    private static final class Log {
        final List<byte[]> frames = new ArrayList<>();
        final AtomicInteger active = new AtomicInteger();
        boolean connected;
        int writable;
        boolean closed;
        TransportException cause;
        boolean anyCallback;
    }

    private final String name;
    private final Object lock = new Object();
    private final Map<Connection, Log> logs = new IdentityHashMap<>();
    private final List<Connection> connected = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    private volatile CountDownLatch hold;

    /** @param name names this handler (usually its node) in failure messages */
    public RecordingConnectionHandler(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    // ---------------------------------------------------------------- callbacks

    @Override
    public void onConnected(Connection connection) {
        Log log = enter(connection, "onConnected");
        try {
            synchronized (lock) {
                if (connection.outbound()) {
                    violation("onConnected was called for an outbound connection to " + connection.peer()
                            + " (only inbound connections are announced; dial's stage delivers outbound ones)");
                }
                if (log.anyCallback) {
                    violation("onConnected came after other callbacks for the connection from " + connection.peer());
                }
                if (connection.peer() == null) {
                    violation("onConnected for a connection whose peer() is null");
                }
                log.connected = true;
                log.anyCallback = true;
                connected.add(connection);
                lock.notifyAll();
            }
        } finally {
            exit(log);
        }
    }

    @Override
    public void onFrame(Connection connection, ByteBuffer frame) {
        Log log = enter(connection, "onFrame");
        try {
            CountDownLatch gate = hold;
            if (gate != null) {
                awaitGate(gate);
            }
            byte[] bytes = new byte[frame.remaining()];
            frame.duplicate().get(bytes);
            synchronized (lock) {
                checkAnnounced(connection, log, "onFrame");
                log.frames.add(bytes);
                log.anyCallback = true;
                lock.notifyAll();
            }
        } finally {
            exit(log);
        }
    }

    @Override
    public void onWritable(Connection connection) {
        Log log = enter(connection, "onWritable");
        try {
            synchronized (lock) {
                checkAnnounced(connection, log, "onWritable");
                log.writable++;
                log.anyCallback = true;
                lock.notifyAll();
            }
        } finally {
            exit(log);
        }
    }

    @Override
    public void onClosed(Connection connection, TransportException cause) {
        Log log = enter(connection, "onClosed");
        try {
            synchronized (lock) {
                checkAnnounced(connection, log, "onClosed");
                log.closed = true;
                log.cause = cause;
                log.anyCallback = true;
                lock.notifyAll();
            }
        } finally {
            exit(log);
        }
    }

    private Log enter(Connection connection, String callback) {
        Log log;
        synchronized (lock) {
            log = logs.computeIfAbsent(connection, c -> new Log());
        }
        if (log.active.incrementAndGet() > 1) {
            synchronized (lock) {
                violation(callback + " was called while another callback for the same connection (peer "
                        + connection.peer() + ") was still running");
            }
        }
        return log;
    }

    private static void exit(Log log) {
        log.active.decrementAndGet();
    }

    /** Called with the lock held. */
    private void checkAnnounced(Connection connection, Log log, String callback) {
        if (log.closed) {
            violation(callback + " came after onClosed for the connection to " + connection.peer());
        } else if (!connection.outbound() && !log.connected) {
            violation(callback + " came before onConnected for the inbound connection from " + connection.peer());
        }
    }

    /** Called with the lock held. */
    private void violation(String message) {
        violations.add(message);
    }

    private static void awaitGate(CountDownLatch gate) {
        try {
            gate.await(HOLD_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- holding frames

    /** Makes every {@code onFrame} wait until {@link #releaseFrames()}: this node stops reading. */
    public void holdFrames() {
        hold = new CountDownLatch(1);
    }

    /** Lets held and later {@code onFrame} calls go on. Idempotent. */
    public void releaseFrames() {
        CountDownLatch gate = hold;
        hold = null;
        if (gate != null) {
            gate.countDown();
        }
    }

    // ---------------------------------------------------------------- what was recorded

    /** @return the inbound connections announced so far, in order */
    public List<Connection> connected() {
        synchronized (lock) {
            return List.copyOf(connected);
        }
    }

    /**
     * @param connection a connection
     * @return copies of the frames received on it so far, in order
     */
    public List<byte[]> frames(Connection connection) {
        synchronized (lock) {
            Log log = logs.get(connection);
            return log == null ? List.of() : List.copyOf(log.frames);
        }
    }

    /**
     * @param connection a connection
     * @return how many times {@code onWritable} was called for it
     */
    public int writableCount(Connection connection) {
        synchronized (lock) {
            Log log = logs.get(connection);
            return log == null ? 0 : log.writable;
        }
    }

    /**
     * @param connection a connection
     * @return whether {@code onClosed} was called for it
     */
    public boolean isClosed(Connection connection) {
        synchronized (lock) {
            Log log = logs.get(connection);
            return log != null && log.closed;
        }
    }

    /** @return the connections this handler heard of (inbound and outbound), in no particular order */
    public List<Connection> known() {
        synchronized (lock) {
            return List.copyOf(logs.keySet());
        }
    }

    /** @return the rule violations seen so far (see the class comment) */
    public List<String> violations() {
        synchronized (lock) {
            return List.copyOf(violations);
        }
    }

    /** @throws AssertionError listing the rule violations, if there were any */
    public void assertNoViolations() {
        List<String> seen = violations();
        if (!seen.isEmpty()) {
            throw new AssertionError(name + ": the protocol broke the ConnectionHandler rules: " + seen);
        }
    }

    // ---------------------------------------------------------------- waiting

    /**
     * Waits until {@code count} inbound connections have been announced.
     *
     * @param count   how many
     * @param timeout how long to wait
     * @return the first {@code count} connections, in order
     * @throws AssertionError if fewer arrived in time
     */
    public List<Connection> awaitConnected(int count, Duration timeout) {
        await(() -> connected.size() >= count, timeout,
                () -> "expected " + count + " inbound connection(s), got " + connected.size());
        synchronized (lock) {
            return List.copyOf(connected.subList(0, count));
        }
    }

    /**
     * Waits until {@code count} frames have arrived on a connection.
     *
     * @param connection the connection
     * @param count      how many
     * @param timeout    how long to wait
     * @return the first {@code count} frames, in order
     * @throws AssertionError if fewer arrived in time
     */
    public List<byte[]> awaitFrames(Connection connection, int count, Duration timeout) {
        await(() -> framesLocked(connection).size() >= count, timeout,
                () -> "expected " + count + " frame(s), got " + framesLocked(connection).size());
        synchronized (lock) {
            return List.copyOf(framesLocked(connection).subList(0, count));
        }
    }

    /**
     * Waits until {@code onWritable} has been called {@code count} times for a connection.
     *
     * @param connection the connection
     * @param count      how many calls
     * @param timeout    how long to wait
     * @throws AssertionError if fewer came in time
     */
    public void awaitWritable(Connection connection, int count, Duration timeout) {
        await(() -> log(connection).writable >= count, timeout,
                () -> "expected onWritable " + count + " time(s), got " + log(connection).writable);
    }

    /**
     * Waits until {@code onClosed} is called for a connection.
     *
     * @param connection the connection
     * @param timeout    how long to wait
     * @return the cause given, empty for an orderly close
     * @throws AssertionError if it did not come in time
     */
    public Optional<TransportException> awaitClosed(Connection connection, Duration timeout) {
        await(() -> log(connection).closed, timeout, () -> "onClosed was not called");
        synchronized (lock) {
            return Optional.ofNullable(log(connection).cause);
        }
    }

    /** Called with the lock held. */
    private List<byte[]> framesLocked(Connection connection) {
        Log log = logs.get(connection);
        return log == null ? List.of() : log.frames;
    }

    /** Called with the lock held. */
    private Log log(Connection connection) {
        return logs.computeIfAbsent(connection, c -> new Log());
    }

    private void await(BooleanSupplier condition, Duration timeout, Supplier<String> failure) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (!condition.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError(name + ": after " + timeout.toMillis() + " ms: " + failure.get());
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(name + ": interrupted while waiting", e);
                }
            }
        }
    }

    @Override
    public String toString() {
        return "RecordingConnectionHandler[" + name + "]";
    }
}
