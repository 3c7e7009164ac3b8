package io.hypha.relay.store;

import io.hypha.api.NodeId;
import io.hypha.relay.store.RelayStoreSettings.Durability;
import io.hypha.relay.store.StoreResult.Refusal;
import io.hypha.relay.store.internal.MessageTables;
import io.hypha.relay.store.internal.MessageTables.EdgeRecord;
import io.hypha.relay.store.internal.MessageTables.Removal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's durable store of messages for edge nodes that are not connected, on H2's MVStore (one file in the
 * given directory). Thread-safe.
 *
 * <h2>What it guarantees</h2>
 * <ul>
 *   <li><b>Durable before acknowledged.</b> A store completes with {@link StoreResult.Stored} only after the commit
 *       that holds it was written (and, with {@link Durability#FSYNC}, forced to disk). A relay that acknowledges a
 *       message to its sender only then loses nothing it acknowledged when it is killed.</li>
 *   <li><b>Order and numbering.</b> Each edge's messages get sequence numbers 1, 2, 3... in the order of the store
 *       calls, never reused (not even after all were acknowledged and the store reopened); {@link #pending} returns
 *       them in that order, and only those already durable, so an edge never sees a message the relay could lose.</li>
 *   <li><b>Bounded.</b> Per-edge quotas (messages, bytes), a total byte limit and a largest message are checked when a
 *       message arrives; a message over a bound is refused at once with the reason, never dropped later.</li>
 *   <li><b>Deleted only when acknowledged or expired.</b> {@link #ack} removes an edge's messages up to a sequence
 *       number; {@link #expire} removes those past their expiry and returns them, so the relay can tell each
 *       sender. An expired message is never returned by {@link #pending} nor removed by {@link #ack}, so every
 *       message ends either acknowledged by the edge or reported as expired. Removals are durable once their
 *       future completes; after a crash, messages acknowledged in a commit that did not finish may be forwarded
 *       again (with their old sequence numbers, so the edge can drop them), and messages expired in one may be
 *       reported again.</li>
 * </ul>
 *
 * <h2>Group commit</h2>
 * One writer thread owns the file. Callers hand it operations through a queue ({@link #storeAsync},
 * {@link #ackAsync}, {@link #expireAsync}); it takes every operation waiting (up to
 * {@link RelayStoreSettings#maxBatch()}), applies them, commits once, and then completes their futures, on the writer
 * thread (keep callbacks short, or hand them to another thread). While a commit is written, new operations gather
 * for the next one, so the number of commits per second adapts to the disk, not to the message rate: a single sync
 * per batch of thousands of messages. The blocking forms ({@link #store}, {@link #ack}, {@link #expire}) wait for
 * their batch; an engine, which must not block, uses the asynchronous ones.
 */
public final class RelayStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RelayStore.class);

    /** Operations handed to the writer thread. */
    private sealed interface Op {
    }

    /** A message to insert, its record already encoded by the caller's thread. */
    private record StoreOp(NodeId edge, long seq, long expiresAt, int size, byte[] record,
            CompletableFuture<StoreResult> done) implements Op {
    }

    private record AckOp(NodeId edge, long upToSeq, long now, CompletableFuture<Integer> done) implements Op {
    }

    private record ExpireOp(long now, int max, CompletableFuture<List<StoredMessage>> done) implements Op {
    }

    private record CloseOp() implements Op {
    }

    /** Per-edge counters as callers see them: messages accepted (committed or about to be), and what is durable. */
    private static final class EdgeCounters {
        long messages;
        long bytes;
        long lastSeq;
        long durableSeq;

        EdgeCounters(EdgeRecord record) {
            messages = record.messages();
            bytes = record.bytes();
            lastSeq = record.lastSeq();
            durableSeq = record.lastSeq();
        }
    }

    private enum State { OPEN, CLOSED, FAILED }

    private final Path file;
    private final RelayStoreSettings settings;
    private final Clock clock;
    private final MessageTables tables;
    private final BlockingQueue<Op> queue = new LinkedBlockingQueue<>();
    private final Thread writer;

    // Guarded by this: the quota counters, sequence numbers and state, so checks and numbering are atomic.
    private final Map<NodeId, EdgeCounters> counters = new HashMap<>();
    private long totalBytes;
    private State state = State.OPEN;

    /** Committed per-edge records; owned by the writer thread. */
    private final Map<NodeId, EdgeRecord> committed;

    private RelayStore(Path file, RelayStoreSettings settings, Clock clock, MessageTables tables) {
        this.file = file;
        this.settings = settings;
        this.clock = clock;
        this.tables = tables;
        this.committed = new HashMap<>(tables.edges());
        committed.forEach((edge, record) -> {
            counters.put(edge, new EdgeCounters(record));
            totalBytes += record.bytes();
        });
        this.writer = new Thread(this::runWriter, "hypha-relay-store-writer " + file);
        writer.setDaemon(true);
    }

    /**
     * Opens the store in {@code dir} (created if missing), with the system clock.
     *
     * @param dir      the store's directory
     * @param settings bounds and durability
     * @return the open store
     * @throws RelayStoreException if it cannot be opened; the reason says why and what to do
     */
    public static RelayStore open(Path dir, RelayStoreSettings settings) throws RelayStoreException {
        return open(dir, settings, Clock.systemUTC());
    }

    /**
     * Opens the store in {@code dir} (created if missing).
     *
     * @param dir      the store's directory
     * @param settings bounds and durability
     * @param clock    the time messages are stored and checked at
     * @return the open store
     * @throws RelayStoreException if it cannot be opened; the reason says why and what to do
     */
    public static RelayStore open(Path dir, RelayStoreSettings settings, Clock clock) throws RelayStoreException {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(clock, "clock");
        Path file = dir.resolve(MessageTables.FILE_NAME).toAbsolutePath();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new RelayStoreException(RelayStoreException.Reason.IO, file, e);
        }
        MessageTables tables;
        try {
            tables = MessageTables.open(file);
        } catch (MessageTables.UnsupportedFormatException e) {
            throw new RelayStoreException(RelayStoreException.Reason.UNSUPPORTED_FORMAT, file, e);
        } catch (MVStoreException e) {
            throw new RelayStoreException(reasonOf(e), file, e);
        }
        RelayStore store = new RelayStore(file, settings, clock, tables);
        store.writer.start();
        LOG.info("Relay store {} open: {} messages for {} edge nodes, {} durability", file, tables.messageCount(),
                store.counters.size(), settings.durability());
        return store;
    }

    private static RelayStoreException.Reason reasonOf(MVStoreException e) {
        return switch (e.getErrorCode()) {
            case DataUtils.ERROR_FILE_LOCKED -> RelayStoreException.Reason.LOCKED;
            case DataUtils.ERROR_FILE_CORRUPT, DataUtils.ERROR_CHUNK_NOT_FOUND, DataUtils.ERROR_SERIALIZATION ->
                    RelayStoreException.Reason.CORRUPT;
            case DataUtils.ERROR_UNSUPPORTED_FORMAT -> RelayStoreException.Reason.UNSUPPORTED_FORMAT;
            default -> RelayStoreException.Reason.IO;
        };
    }

    /** @return the settings in force */
    public RelayStoreSettings settings() {
        return settings;
    }

    /**
     * Stores a message for an edge node. Bounds are checked at once; the future completes when the message is
     * durable (or at once if it is refused).
     *
     * @param edge      the edge node
     * @param origin    who sent it
     * @param expiresAt its expiry in milliseconds since the epoch ({@link io.hypha.api.Envelope#NEVER} for none);
     *                  the relay's retention limit applies on top
     * @param envelope  the envelope bytes; copied
     * @return the outcome, completed on the writer thread
     */
    public CompletableFuture<StoreResult> storeAsync(NodeId edge, MessageOrigin origin, long expiresAt, byte[] envelope) {
        Objects.requireNonNull(edge, "edge");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(envelope, "envelope");
        long now = clock.millis();
        long size = envelope.length;
        CompletableFuture<StoreResult> done = new CompletableFuture<>();
        synchronized (this) {
            Refusal refusal = null;
            EdgeCounters edgeCounters = counters.get(edge);
            long held = edgeCounters == null ? 0 : edgeCounters.messages;
            long heldBytes = edgeCounters == null ? 0 : edgeCounters.bytes;
            if (state != State.OPEN) {
                refusal = Refusal.UNAVAILABLE;
            } else if (size > settings.maxMessageBytes()) {
                refusal = Refusal.TOO_LARGE;
            } else if (expiresAt <= now) {
                refusal = Refusal.EXPIRED;
            } else if (held >= settings.perEdgeMessageQuota() || heldBytes + size > settings.perEdgeByteQuota()) {
                refusal = Refusal.QUOTA_FULL;
            } else if (totalBytes + size > settings.maxTotalBytes()) {
                refusal = Refusal.STORE_FULL;
            }
            if (refusal != null) {
                return CompletableFuture.completedFuture(new StoreResult.Refused(refusal));
            }
            if (edgeCounters == null) {
                edgeCounters = new EdgeCounters(EdgeRecord.NONE);
                counters.put(edge, edgeCounters);
            }
            long seq = ++edgeCounters.lastSeq;
            edgeCounters.messages++;
            edgeCounters.bytes += size;
            totalBytes += size;
            long expiry = Math.min(expiresAt, now + settings.maxRetention().toMillis());
            // Encoded here, on the caller's thread, so that the writer thread only inserts; enqueued under the lock,
            // so the writer sees each edge's messages in sequence order.
            queue.add(new StoreOp(edge, seq, expiry, envelope.length, MessageTables.encode(origin, now, expiry, envelope), done));
        }
        return done;
    }

    /**
     * Stores a message and waits until it is durable. See {@link #storeAsync}.
     *
     * @param edge      the edge node
     * @param origin    who sent it
     * @param expiresAt its expiry in milliseconds since the epoch
     * @param envelope  the envelope bytes
     * @return the outcome
     */
    public StoreResult store(NodeId edge, MessageOrigin origin, long expiresAt, byte[] envelope) {
        return storeAsync(edge, origin, expiresAt, envelope).join();
    }

    /**
     * Reads an edge's durable messages in sequence order, without removing them. Messages whose expiry has passed are
     * skipped: the relay never forwards an expired message, and {@link #expire} reports it.
     *
     * @param edge     the edge node
     * @param afterSeq read messages after this sequence number (0 for the first held)
     * @param max      the most to return
     * @return up to {@code max} messages, lowest sequence number first
     * @throws IllegalStateException if the store is closed
     */
    public List<StoredMessage> pending(NodeId edge, long afterSeq, int max) {
        Objects.requireNonNull(edge, "edge");
        long durableSeq;
        synchronized (this) {
            checkReadable();
            EdgeCounters edgeCounters = counters.get(edge);
            if (edgeCounters == null) {
                return List.of();
            }
            durableSeq = edgeCounters.durableSeq;
        }
        return tables.read(edge, afterSeq, durableSeq, max, clock.millis());
    }

    /**
     * Reads an edge's first durable messages. See {@link #pending(NodeId, long, int)}.
     *
     * @param edge the edge node
     * @param max  the most to return
     * @return up to {@code max} messages in sequence order
     */
    public List<StoredMessage> pending(NodeId edge, int max) {
        return pending(edge, 0, max);
    }

    /**
     * Deletes an edge's messages up to and including a sequence number (the edge acknowledged them). Messages in that
     * range whose expiry has passed are left for {@link #expire}: {@link #pending} skipped them, so they were not
     * delivered, and their senders are to be told. (One that was forwarded just before its expiry and acknowledged
     * just after it is reported as expired too: a sender may hear "expired" for a message delivered at its deadline,
     * never silence for one that was not delivered.)
     *
     * @param edge    the edge node
     * @param upToSeq the highest sequence number acknowledged
     * @return how many messages were deleted, once the deletion is committed
     */
    public CompletableFuture<Integer> ackAsync(NodeId edge, long upToSeq) {
        Objects.requireNonNull(edge, "edge");
        CompletableFuture<Integer> done = new CompletableFuture<>();
        return enqueue(new AckOp(edge, upToSeq, clock.millis(), done), done);
    }

    /**
     * Deletes acknowledged messages and waits for the commit. See {@link #ackAsync}.
     *
     * @param edge    the edge node
     * @param upToSeq the highest sequence number acknowledged
     * @return how many messages were deleted
     */
    public int ack(NodeId edge, long upToSeq) {
        return ackAsync(edge, upToSeq).join();
    }

    /**
     * Deletes messages whose expiry is at or before {@code now} (soonest first) and returns them, so the relay can
     * report them to their senders. Call again while it returns {@code max} messages.
     *
     * @param now the current time in milliseconds since the epoch
     * @param max the most to delete in this call (bounds the memory of the answer)
     * @return the deleted messages, once the deletion is committed
     */
    public CompletableFuture<List<StoredMessage>> expireAsync(long now, int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1, got " + max);
        }
        CompletableFuture<List<StoredMessage>> done = new CompletableFuture<>();
        return enqueue(new ExpireOp(now, max, done), done);
    }

    /**
     * Deletes and returns expired messages, waiting for the commit. See {@link #expireAsync}.
     *
     * @param now the current time in milliseconds since the epoch
     * @param max the most to delete
     * @return the deleted messages
     */
    public List<StoredMessage> expire(long now, int max) {
        return expireAsync(now, max).join();
    }

    /**
     * Deletes and returns every expired message. For tests and small stores; an engine uses the bounded form.
     *
     * @param now the current time in milliseconds since the epoch
     * @return the deleted messages
     */
    public List<StoredMessage> expire(long now) {
        return expire(now, Integer.MAX_VALUE);
    }

    private <T> CompletableFuture<T> enqueue(Op op, CompletableFuture<T> done) {
        synchronized (this) {
            if (state != State.OPEN) {
                done.completeExceptionally(new IllegalStateException("relay store " + file + " is " + state.name().toLowerCase()));
                return done;
            }
            queue.add(op);
        }
        return done;
    }

    /**
     * @param edge an edge node
     * @return what the store holds for it
     */
    public synchronized EdgeStats stats(NodeId edge) {
        EdgeCounters c = counters.get(edge);
        return c == null ? new EdgeStats(edge, 0, 0, settings.perEdgeMessageQuota(), settings.perEdgeByteQuota(), 0)
                : new EdgeStats(edge, c.messages, c.bytes, settings.perEdgeMessageQuota(), settings.perEdgeByteQuota(), c.lastSeq);
    }

    /** @return what the store holds for each edge node that has messages, by node id */
    public synchronized List<EdgeStats> stats() {
        return counters.entrySet().stream().filter(e -> e.getValue().messages > 0)
                .sorted(Map.Entry.comparingByKey())
                .map(e -> stats(e.getKey())).toList();
    }

    /** @return envelope bytes held for all edges */
    public synchronized long totalBytes() {
        return totalBytes;
    }

    /** @return messages held for all edges */
    public synchronized long totalMessages() {
        return counters.values().stream().mapToLong(c -> c.messages).sum();
    }

    /** @return the size of the store file in bytes (it includes space MVStore will reuse) */
    public long fileSize() {
        synchronized (this) {
            checkReadable();
        }
        return tables.fileSize();
    }

    /** @return the store file */
    public Path file() {
        return file;
    }

    /**
     * Writes what is queued, commits and closes the file. Stores after this are refused as
     * {@link Refusal#UNAVAILABLE}. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (state == State.OPEN) {
                state = State.CLOSED;
                queue.add(new CloseOp());
            }
        }
        boolean interrupted = false;
        while (writer.isAlive()) {
            try {
                writer.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void checkReadable() {
        if (state != State.OPEN) {
            throw new IllegalStateException("relay store " + file + " is " + state.name().toLowerCase());
        }
    }

    // ---- writer thread ----

    private void runWriter() {
        List<Op> batch = new ArrayList<>();
        boolean closing = false;
        while (!closing) {
            batch.clear();
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                // Nobody interrupts this thread but close(); go on until the close operation arrives.
                continue;
            }
            queue.drainTo(batch, settings.maxBatch() - 1);
            List<Removal> removals = new ArrayList<>();
            List<Object> results = new ArrayList<>(batch.size());
            Map<NodeId, EdgeRecord> changedEdges = new HashMap<>();
            try {
                for (Op op : batch) {
                    results.add(apply(op, removals, changedEdges));
                    closing |= op instanceof CloseOp;
                }
                // One edge record per edge and commit, however many of its messages the batch holds.
                changedEdges.forEach(tables::putEdge);
                tables.commit(settings.durability() == Durability.FSYNC);
            } catch (RuntimeException | Error e) {
                fail(batch, e);
                return;
            }
            publish(batch, removals);
            complete(batch, results);
        }
        try {
            tables.close();
            LOG.info("Relay store {} closed", file);
        } catch (RuntimeException e) {
            LOG.warn("Relay store {}: closing the file failed ({}); it reopens at its last commit", file, e.toString());
        }
    }

    private Object apply(Op op, List<Removal> removals, Map<NodeId, EdgeRecord> changedEdges) {
        if (op instanceof StoreOp store) {
            tables.put(store.edge(), store.seq(), store.expiresAt(), store.record());
            EdgeRecord before = committed.getOrDefault(store.edge(), EdgeRecord.NONE);
            EdgeRecord after = new EdgeRecord(before.messages() + 1, before.bytes() + store.size(), store.seq());
            committed.put(store.edge(), after);
            changedEdges.put(store.edge(), after);
            return new StoreResult.Stored(store.seq());
        } else if (op instanceof AckOp ack) {
            Removal removal = tables.removeUpTo(ack.edge(), ack.upToSeq(), ack.now());
            record(removal, removals, changedEdges);
            return (int) removal.messages();
        } else if (op instanceof ExpireOp expire) {
            List<StoredMessage> expired = tables.removeExpired(expire.now(), expire.max());
            Map<NodeId, long[]> perEdge = new HashMap<>();
            for (StoredMessage message : expired) {
                long[] sums = perEdge.computeIfAbsent(message.edge(), e -> new long[2]);
                sums[0]++;
                sums[1] += message.size();
            }
            perEdge.forEach((edge, sums) -> record(new Removal(edge, sums[0], sums[1]), removals, changedEdges));
            return expired;
        }
        return null;
    }

    private void record(Removal removal, List<Removal> removals, Map<NodeId, EdgeRecord> changedEdges) {
        if (removal.messages() == 0) {
            return;
        }
        EdgeRecord before = committed.get(removal.edge());
        EdgeRecord after = new EdgeRecord(before.messages() - removal.messages(), before.bytes() - removal.bytes(), before.lastSeq());
        committed.put(removal.edge(), after);
        changedEdges.put(removal.edge(), after);
        removals.add(removal);
    }

    /** After a commit: stored messages become visible to {@link #pending}; removed ones free their quota. */
    private void publish(List<Op> batch, List<Removal> removals) {
        synchronized (this) {
            for (Op op : batch) {
                if (op instanceof StoreOp store) {
                    EdgeCounters c = counters.get(store.edge());
                    c.durableSeq = Math.max(c.durableSeq, store.seq());
                }
            }
            for (Removal removal : removals) {
                EdgeCounters c = counters.get(removal.edge());
                c.messages -= removal.messages();
                c.bytes -= removal.bytes();
                totalBytes -= removal.bytes();
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void complete(List<Op> batch, List<Object> results) {
        for (int i = 0; i < batch.size(); i++) {
            Op op = batch.get(i);
            Object result = results.get(i);
            if (op instanceof StoreOp store) {
                store.done().complete((StoreResult) result);
            } else if (op instanceof AckOp ack) {
                ack.done().complete((Integer) result);
            } else if (op instanceof ExpireOp expire) {
                expire.done().complete((List<StoredMessage>) result);
            }
        }
    }

    /**
     * A write failed (disk full, I/O error): what is not committed cannot be trusted, so the store stops. Waiting
     * stores are refused as unavailable (their senders were not acknowledged and will resend); the file reopens at
     * its last commit.
     */
    private void fail(List<Op> batch, Throwable error) {
        LOG.error("Relay store {} failed to write and stops; reopen it to continue from its last commit", file, error);
        List<Op> waiting = new ArrayList<>(batch);
        synchronized (this) {
            state = State.FAILED;
            queue.drainTo(waiting);
        }
        IllegalStateException failure = new IllegalStateException("relay store " + file + " failed: " + error, error);
        for (Op op : waiting) {
            if (op instanceof StoreOp store) {
                store.done().complete(new StoreResult.Refused(Refusal.UNAVAILABLE));
            } else if (op instanceof AckOp ack) {
                ack.done().completeExceptionally(failure);
            } else if (op instanceof ExpireOp expire) {
                expire.done().completeExceptionally(failure);
            }
        }
        try {
            tables.closeImmediately();
        } catch (RuntimeException e) {
            LOG.debug("Relay store {}: closing after the failure also failed", file, e);
        }
    }

    @Override
    public String toString() {
        return "RelayStore{" + file + "}";
    }
}
