package io.hypha.relay.store.internal;

import io.hypha.api.NodeId;
import io.hypha.relay.store.MessageOrigin;
import io.hypha.relay.store.StoredMessage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * The relay store's tables in one MVStore file. Three maps, all keyed by {@link UnsignedBytesType}:
 * <pre>
 *  messages  edge (32) ‖ seq (8, big-endian)                → message record (below)
 *  expiry    expiresAt (8, big-endian) ‖ edge (32) ‖ seq (8) → empty      (index: expired ones first)
 *  edges     edge (32)                                       → messages (8) ‖ bytes (8) ‖ lastSeq (8)
 *
 *  message record: 0x01 ‖ storedAt (8) ‖ expiresAt (8) ‖ origin node (32) ‖ origin message id (8)
 *                  ‖ engine name length (1, 0 = none) ‖ engine name (ASCII) ‖ envelope (the rest)
 * </pre>
 * The {@code edges} record is what lets the store reopen without reading every message, and keeps {@code lastSeq}
 * after every message of an edge was acknowledged, so sequence numbers are never reused.
 *
 * <p>Threads: one thread (the store's writer) changes the maps and commits; any thread may read. MVStore's
 * automatic commits are off (no background writer, no commit on memory pressure), so a commit holds exactly the
 * whole operations applied before it, and the file always reflects a state between two operations: after a crash
 * it opens at the last commit, with the three maps consistent.
 */
public final class MessageTables implements AutoCloseable {
    /** Name of the store file in the relay store's directory. */
    public static final String FILE_NAME = "relay-store.mv.db";
    /** Version of this layout, kept as MVStore's store version. */
    public static final int FORMAT = 1;

    /**
     * How long closing may spend shrinking the file. MVStore never shrinks the file while open (freed space is
     * reused once older than its 45 s retention time); a relay that drained its edges gives the space back on close.
     */
    private static final int COMPACT_ON_CLOSE_MILLIS = 500;
    private static final byte RECORD_VERSION = 1;
    private static final int RECORD_HEADER = 1 + 8 + 8 + NodeId.LENGTH + 8 + 1;
    private static final byte[] EMPTY = new byte[0];

    /**
     * What the store holds for one edge, as committed.
     *
     * @param messages messages held
     * @param bytes    envelope bytes held
     * @param lastSeq  the last sequence number given to one of its messages
     */
    public record EdgeRecord(long messages, long bytes, long lastSeq) {
        /** An edge never seen. */
        public static final EdgeRecord NONE = new EdgeRecord(0, 0, 0);
    }

    /**
     * Messages removed by an operation, for the quota counters.
     *
     * @param edge     the edge
     * @param messages how many
     * @param bytes    their envelope bytes
     */
    public record Removal(NodeId edge, long messages, long bytes) {
    }

    private final MVStore store;
    private final MVMap<byte[], byte[]> messages;
    private final MVMap<byte[], byte[]> expiry;
    private final MVMap<byte[], byte[]> edges;

    private MessageTables(MVStore store) {
        this.store = store;
        this.messages = store.openMap("messages", new MVMap.Builder<byte[], byte[]>()
                .keyType(UnsignedBytesType.INSTANCE).valueType(UnsignedBytesType.INSTANCE));
        this.expiry = store.openMap("expiry", new MVMap.Builder<byte[], byte[]>()
                .keyType(UnsignedBytesType.INSTANCE).valueType(UnsignedBytesType.INSTANCE));
        this.edges = store.openMap("edges", new MVMap.Builder<byte[], byte[]>()
                .keyType(UnsignedBytesType.INSTANCE).valueType(UnsignedBytesType.INSTANCE));
    }

    /**
     * Opens (or creates) the store file.
     *
     * @param file the file
     * @return the tables
     * @throws org.h2.mvstore.MVStoreException if MVStore cannot open it (locked, corrupt, I/O)
     * @throws UnsupportedFormatException      if the file has a newer layout
     */
    public static MessageTables open(Path file) throws UnsupportedFormatException {
        MVStore store = new MVStore.Builder()
                .fileName(file.toString())
                // No background writer and no commit on memory pressure: only the writer's explicit commits write,
                // so a commit never splits an operation (see the class comment).
                .autoCommitDisabled()
                .autoCommitBufferSize(0)
                .open();
        try {
            int format = store.getStoreVersion();
            if (format > FORMAT) {
                throw new UnsupportedFormatException(format);
            }
            if (format == 0) {
                store.setStoreVersion(FORMAT);
            }
            MessageTables tables = new MessageTables(store);
            store.commit();
            return tables;
        } catch (RuntimeException | UnsupportedFormatException e) {
            store.closeImmediately();
            throw e;
        }
    }

    /** The file was written with a newer layout than this code reads. */
    public static final class UnsupportedFormatException extends Exception {
        private static final long serialVersionUID = 1L;

        UnsupportedFormatException(int format) {
            super("store format " + format + ", this version reads up to " + FORMAT);
        }
    }

    /** @return the committed per-edge records */
    public Map<NodeId, EdgeRecord> edges() {
        Map<NodeId, EdgeRecord> out = new HashMap<>();
        for (Cursor<byte[], byte[]> cursor = edges.cursor(null); cursor.hasNext(); ) {
            byte[] key = cursor.next();
            ByteBuffer value = ByteBuffer.wrap(cursor.getValue());
            out.put(NodeId.of(key), new EdgeRecord(value.getLong(), value.getLong(), value.getLong()));
        }
        return out;
    }

    /**
     * Encodes a message's record (see the class comment). Any thread: callers encode before handing the record to
     * the writer, so the writer only inserts.
     *
     * @param origin    who sent it
     * @param storedAt  when it was stored
     * @param expiresAt when it expires
     * @param envelope  the envelope; not modified
     * @return the record
     */
    public static byte[] encode(MessageOrigin origin, long storedAt, long expiresAt, byte[] envelope) {
        byte[] engine = origin.engine() == null ? EMPTY : origin.engine().getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(RECORD_HEADER + engine.length + envelope.length)
                .put(RECORD_VERSION).putLong(storedAt).putLong(expiresAt)
                .put(origin.node().publicKey()).putLong(origin.messageId())
                .put((byte) engine.length).put(engine).put(envelope).array();
    }

    /**
     * Adds a message. Writer thread only.
     *
     * @param edge      the edge it is for
     * @param seq       its sequence number
     * @param expiresAt its expiry (the one inside the record)
     * @param record    its record from {@link #encode}
     */
    public void put(NodeId edge, long seq, long expiresAt, byte[] record) {
        byte[] edgeKey = edge.publicKey();
        messages.put(messageKey(edgeKey, seq), record);
        expiry.put(expiryKey(expiresAt, edgeKey, seq), EMPTY);
    }

    /**
     * Records an edge's counters. Writer thread only.
     *
     * @param edge   the edge
     * @param record its counters
     */
    public void putEdge(NodeId edge, EdgeRecord record) {
        edges.put(edge.publicKey(), ByteBuffer.allocate(24).putLong(record.messages()).putLong(record.bytes())
                .putLong(record.lastSeq()).array());
    }

    /**
     * Removes an edge's messages up to a sequence number, except those expired at {@code now}: those were not
     * forwarded ({@link #read} skips them) and stay for {@link #removeExpired}, which reports them. Writer thread only.
     *
     * @param edge    the edge
     * @param upToSeq the last sequence number to remove
     * @param now     the current time in milliseconds since the epoch
     * @return what was removed
     */
    public Removal removeUpTo(NodeId edge, long upToSeq, long now) {
        byte[] edgeKey = edge.publicKey();
        List<byte[]> keys = new ArrayList<>();
        List<Long> expiries = new ArrayList<>();
        long bytes = 0;
        Cursor<byte[], byte[]> cursor = messages.cursor(messageKey(edgeKey, 0), messageKey(edgeKey, upToSeq), false);
        while (cursor.hasNext()) {
            byte[] key = cursor.next();
            byte[] value = cursor.getValue();
            long expiresAt = expiresAt(value);
            if (expiresAt <= now) {
                continue;
            }
            keys.add(key);
            expiries.add(expiresAt);
            bytes += value.length - RECORD_HEADER - (value[RECORD_HEADER - 1] & 0xff);
        }
        for (int i = 0; i < keys.size(); i++) {
            byte[] key = keys.get(i);
            messages.remove(key);
            expiry.remove(expiryKey(expiries.get(i), edgeKey, ByteBuffer.wrap(key, NodeId.LENGTH, 8).getLong()));
        }
        return new Removal(edge, keys.size(), bytes);
    }

    /**
     * Removes messages whose expiry is at or before {@code now}, soonest first. Writer thread only.
     *
     * @param now the current time in milliseconds since the epoch
     * @param max the most to remove
     * @return the messages removed
     */
    public List<StoredMessage> removeExpired(long now, int max) {
        List<byte[]> indexKeys = new ArrayList<>();
        for (Cursor<byte[], byte[]> cursor = expiry.cursor(null); cursor.hasNext() && indexKeys.size() < max; ) {
            byte[] key = cursor.next();
            if (ByteBuffer.wrap(key, 0, 8).getLong() > now) {
                break;
            }
            indexKeys.add(key);
        }
        List<StoredMessage> removed = new ArrayList<>(indexKeys.size());
        for (byte[] indexKey : indexKeys) {
            expiry.remove(indexKey);
            byte[] key = Arrays.copyOfRange(indexKey, 8, indexKey.length);
            byte[] value = messages.remove(key);
            if (value != null) {
                removed.add(decode(key, value));
            }
        }
        return removed;
    }

    /**
     * Reads an edge's messages in sequence order, skipping those expired at {@code now} (never forwarded). Any thread.
     *
     * @param edge     the edge
     * @param afterSeq read messages after this sequence number
     * @param upToSeq  and up to this one
     * @param max      the most to read
     * @param now      the current time in milliseconds since the epoch
     * @return the messages
     */
    public List<StoredMessage> read(NodeId edge, long afterSeq, long upToSeq, int max, long now) {
        List<StoredMessage> out = new ArrayList<>(Math.min(max, 1024));
        if (afterSeq >= upToSeq) {
            return out;
        }
        byte[] edgeKey = edge.publicKey();
        Cursor<byte[], byte[]> cursor = messages.cursor(messageKey(edgeKey, afterSeq + 1), messageKey(edgeKey, upToSeq), false);
        while (cursor.hasNext() && out.size() < max) {
            byte[] key = cursor.next();
            byte[] value = cursor.getValue();
            if (expiresAt(value) > now) {
                out.add(decode(key, value));
            }
        }
        return out;
    }

    private static long expiresAt(byte[] record) {
        return ByteBuffer.wrap(record, 9, 8).getLong();
    }

    /**
     * Writes what changed since the last commit. Writer thread only.
     *
     * @param sync also force it to the disk
     */
    public void commit(boolean sync) {
        store.commit();
        if (sync) {
            store.sync();
        }
    }

    /** @return the size of the store file in bytes */
    public long fileSize() {
        return store.getFileStore().size();
    }

    /** @return the number of messages held */
    public long messageCount() {
        return messages.sizeAsLong();
    }

    /** Commits, shrinks the file for at most {@value #COMPACT_ON_CLOSE_MILLIS} ms, and closes it. */
    @Override
    public void close() {
        store.close(COMPACT_ON_CLOSE_MILLIS);
    }

    /** Closes the file without writing anything (after a failure): it reopens at the last commit. */
    public void closeImmediately() {
        store.closeImmediately();
    }

    private static byte[] messageKey(byte[] edge, long seq) {
        return ByteBuffer.allocate(NodeId.LENGTH + 8).put(edge).putLong(seq).array();
    }

    private static byte[] expiryKey(long expiresAt, byte[] edge, long seq) {
        return ByteBuffer.allocate(8 + NodeId.LENGTH + 8).putLong(expiresAt).put(edge).putLong(seq).array();
    }

    private static StoredMessage decode(byte[] key, byte[] value) {
        ByteBuffer k = ByteBuffer.wrap(key);
        byte[] edge = new byte[NodeId.LENGTH];
        k.get(edge);
        long seq = k.getLong();
        ByteBuffer v = ByteBuffer.wrap(value);
        byte version = v.get();
        if (version != RECORD_VERSION) {
            throw new IllegalStateException("relay store record of unknown version " + version);
        }
        long storedAt = v.getLong();
        long expiresAt = v.getLong();
        byte[] node = new byte[NodeId.LENGTH];
        v.get(node);
        long messageId = v.getLong();
        int engineLength = v.get() & 0xff;
        String engine = null;
        if (engineLength > 0) {
            byte[] name = new byte[engineLength];
            v.get(name);
            engine = new String(name, StandardCharsets.US_ASCII);
        }
        byte[] envelope = new byte[v.remaining()];
        v.get(envelope);
        return new StoredMessage(NodeId.of(edge), seq, new MessageOrigin(NodeId.of(node), engine, messageId),
                storedAt, expiresAt, envelope);
    }
}
