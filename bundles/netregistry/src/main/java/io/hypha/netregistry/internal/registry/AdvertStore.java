package io.hypha.netregistry.internal.registry;

import io.hypha.api.NodeId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The adverts a node keeps on disk, so that a restarted node remembers its peers: one H2 MVStore file
 * ({@value #FILE_NAME}) in the registry's directory ({@code ${hypha.data}/registry/} on a node).
 *
 * <ul>
 *   <li>map {@code adverts}: node id (text form) to the node's encoded advert, as received (so its signature is
 *       checked again when loaded);</li>
 *   <li>map {@code own}: {@code version} (8 bytes, big-endian) is the last version this node gave its own advert, so
 *       that versions only grow across restarts; {@code advert} is its current advert.</li>
 * </ul>
 * Nothing here decides what is valid: the registry checks every advert it loads and removes what it refuses. The
 * store holds what the registry's advert table holds, so the table's capacity bounds it.
 *
 * <p>Writes become durable at {@link #commit} (no background writer), which the registry calls after each change;
 * a node killed between a change and its commit forgets that change, which the next exchange with its peers repairs.
 * A file MVStore cannot read is moved aside ({@code adverts.mv.db.corrupt-<millis>}) and an empty store is started:
 * adverts are a cache of what the network says, never the only copy. Thread-safe: every method is synchronized.
 */
public final class AdvertStore implements AutoCloseable {
    /** Name of the store file. */
    public static final String FILE_NAME = "adverts.mv.db";
    /** Version of this layout, kept as MVStore's store version. */
    public static final int FORMAT = 1;

    private static final Logger LOG = LoggerFactory.getLogger(AdvertStore.class);
    private static final String OWN_VERSION = "version";
    private static final String OWN_ADVERT = "advert";
    private static final int COMPACT_ON_CLOSE_MILLIS = 200;

    private final Path file;
    private final MVStore store;
    private final MVMap<String, byte[]> adverts;
    private final MVMap<String, byte[]> own;
    private boolean closed;

    private AdvertStore(Path file, MVStore store) {
        this.file = file;
        this.store = store;
        this.adverts = store.openMap("adverts");
        this.own = store.openMap("own");
    }

    /**
     * Opens (or creates) the store in a directory, which is created if needed.
     *
     * @param directory the directory
     * @return the store
     * @throws AdvertStoreException if the directory or file cannot be made or opened, or holds a newer layout
     */
    public static AdvertStore open(Path directory) throws AdvertStoreException {
        Path file = directory.resolve(FILE_NAME);
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new AdvertStoreException(AdvertStoreException.Reason.IO, file, "cannot create directory " + directory + ": " + e, e);
        }
        try {
            return openFile(file);
        } catch (MVStoreException e) {
            if (isLocked(e)) {
                throw new AdvertStoreException(AdvertStoreException.Reason.IN_USE, file, "the file is in use by another process", e);
            }
            Path aside = file.resolveSibling(FILE_NAME + ".corrupt-" + System.currentTimeMillis());
            LOG.warn("advert store {} cannot be read ({}); moving it to {} and starting with no adverts", file, e.toString(), aside);
            try {
                Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
                return openFile(file);
            } catch (IOException | MVStoreException again) {
                throw new AdvertStoreException(AdvertStoreException.Reason.IO, file, "cannot start a new store: " + again, again);
            }
        }
    }

    private static boolean isLocked(MVStoreException e) {
        return e.getErrorCode() == org.h2.mvstore.DataUtils.ERROR_FILE_LOCKED;
    }

    private static AdvertStore openFile(Path file) throws AdvertStoreException {
        MVStore store = new MVStore.Builder().fileName(file.toString()).autoCommitDisabled().open();
        try {
            int format = store.getStoreVersion();
            if (format > FORMAT) {
                throw new AdvertStoreException(AdvertStoreException.Reason.NEWER_FORMAT, file,
                        "store format " + format + ", this version reads up to " + FORMAT, null);
            }
            if (format == 0) {
                store.setStoreVersion(FORMAT);
            }
            AdvertStore opened = new AdvertStore(file, store);
            store.commit();
            return opened;
        } catch (RuntimeException | AdvertStoreException e) {
            store.closeImmediately();
            throw e;
        }
    }

    /** @return the file */
    public Path file() {
        return file;
    }

    /** @return every stored advert by node, as stored (unchecked); nodes whose key is not a node id are skipped */
    public synchronized Map<NodeId, byte[]> adverts() {
        Map<NodeId, byte[]> all = new LinkedHashMap<>();
        if (closed) {
            return all;
        }
        for (Map.Entry<String, byte[]> e : adverts.entrySet()) {
            try {
                all.put(NodeId.parse(e.getKey()), e.getValue());
            } catch (IllegalArgumentException bad) {
                LOG.warn("advert store {}: skipping entry '{}', which is not a node id", file, e.getKey());
            }
        }
        return all;
    }

    /**
     * @param node    a node
     * @param encoded its advert (replaces what was stored)
     */
    public synchronized void put(NodeId node, byte[] encoded) {
        if (!closed) {
            adverts.put(node.toString(), encoded.clone());
        }
    }

    /**
     * @param node a node
     * @return whether an advert was stored for it
     */
    public synchronized boolean remove(NodeId node) {
        return !closed && adverts.remove(node.toString()) != null;
    }

    /** @return how many adverts are stored */
    public synchronized int size() {
        return closed ? 0 : adverts.size();
    }

    /** @return the last version this node gave its own advert, 0 if none */
    public synchronized long lastOwnVersion() {
        byte[] v = closed ? null : own.get(OWN_VERSION);
        return v == null || v.length != Long.BYTES ? 0 : ByteBuffer.wrap(v).getLong();
    }

    /** @return this node's current advert, encoded, if one was stored */
    public synchronized Optional<byte[]> ownAdvert() {
        return closed ? Optional.empty() : Optional.ofNullable(own.get(OWN_ADVERT));
    }

    /**
     * @param version the version of the advert
     * @param encoded this node's new advert
     */
    public synchronized void putOwn(long version, byte[] encoded) {
        if (!closed) {
            own.put(OWN_VERSION, ByteBuffer.allocate(Long.BYTES).putLong(version).array());
            own.put(OWN_ADVERT, encoded.clone());
        }
    }

    /** Writes what changed since the last commit. */
    public synchronized void commit() {
        if (!closed) {
            store.commit();
        }
    }

    /** Commits, shrinks the file briefly, and closes it; later calls do nothing. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            store.commit();
            store.compactFile(COMPACT_ON_CLOSE_MILLIS);
        } catch (MVStoreException e) {
            LOG.warn("advert store {}: could not write before closing: {}", file, e.toString());
        } finally {
            store.close();
        }
    }

    @Override
    public synchronized String toString() {
        return "AdvertStore{" + file + (closed ? ", closed" : ", " + adverts.size() + " adverts") + "}";
    }
}
