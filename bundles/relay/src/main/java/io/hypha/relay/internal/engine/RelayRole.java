package io.hypha.relay.internal.engine;

import io.hypha.api.NodeId;
import io.hypha.relay.internal.wire.Refusal;
import io.hypha.relay.internal.wire.RegisterStatus;
import io.hypha.relay.internal.wire.RelayMessage;
import io.hypha.relay.internal.wire.RelayMessage.Deliver;
import io.hypha.relay.internal.wire.RelayMessage.DeliverEntry;
import io.hypha.relay.internal.wire.RelayMessage.Delivered;
import io.hypha.relay.internal.wire.RelayMessage.Expired;
import io.hypha.relay.internal.wire.RelayMessage.ExpiredEntry;
import io.hypha.relay.internal.wire.RelayMessage.Refused;
import io.hypha.relay.internal.wire.RelayMessage.RefusedEntry;
import io.hypha.relay.internal.wire.RelayMessage.Registered;
import io.hypha.relay.internal.wire.RelayMessage.Store;
import io.hypha.relay.internal.wire.RelayMessage.StoreEntry;
import io.hypha.relay.internal.wire.RelayMessage.Stored;
import io.hypha.relay.internal.wire.StoredRecord;
import io.hypha.relay.internal.wire.WireException;
import io.hypha.relay.store.EdgeStats;
import io.hypha.relay.store.MessageOrigin;
import io.hypha.relay.store.RelayStore;
import io.hypha.relay.store.StoreResult;
import io.hypha.relay.store.StoredMessage;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The relay role ({@code serve=true}): keeps messages for registered edge nodes in the {@link RelayStore}, answers
 * {@code stored} only once the store's commit is durable (or {@code refused} with the reason), forwards each edge's
 * messages in order while it is registered on a live connection, with at most {@code forwardWindow} unacknowledged,
 * deletes them only on the edge's cumulative acknowledgement, and expires them periodically, telling their senders.
 *
 * <p>Runs on the engine's turn. The store works on its own writer thread; its completions come back through
 * {@link Port#post}. Reads of stored messages ({@link RelayStore#pending}) run on the {@code io} executor, never on
 * the engine's turn, since they may touch the disk.
 */
final class RelayRole {
    /** A registration is written to disk again when the one on disk is older than this share of its lifetime. */
    private static final int PERSIST_REFRESH_DIVISOR = 10;

    /** One registered edge node. Turn-confined. */
    private static final class EdgeLink {
        final NodeId edge;
        long registeredAt;
        long persistedAt;
        boolean online;
        /** Incremented when the edge (re)registers or goes away, so reads for an older session are dropped. */
        int session;
        boolean reading;
        /** A store committed while a read was under way: read again when it returns. */
        boolean storedWhileReading;
        long lastSentSeq;
        final ArrayDeque<Long> inFlight = new ArrayDeque<>();
        long lastStoredAt;
        long lastAckAt;

        EdgeLink(NodeId edge) {
            this.edge = edge;
        }
    }

    private final Port port;
    private final RelaySettings.Serve settings;
    private final RelayStore store;
    private final String problem;
    private final RegisteredEdges registrations;
    private final Executor io;
    private final EnumMap<Drop, Long> drops;
    private final Map<NodeId, EdgeLink> edges = new LinkedHashMap<>();

    /** Answers gathered during a turn, sent at its end: one {@code stored} and one {@code refused} per sender. */
    private final Map<NodeId, List<Long>> storedAnswers = new LinkedHashMap<>();
    private final Map<NodeId, List<RefusedEntry>> refusedAnswers = new LinkedHashMap<>();

    private boolean expiring;
    private long nextExpiryAt;
    private boolean saving;
    private boolean saveAgain;

    private long stored;
    private final EnumMap<Refusal, Long> refused = new EnumMap<>(Refusal.class);
    private long forwarded;
    private long acked;
    private long expired;
    private long firstStoredAt;
    private long lastStoredAt;

    /**
     * @param port          the engine
     * @param settings      the relay role's settings; {@code serve=false} makes every store and registration refused
     * @param store         the open store, or {@code null} if not serving or it could not be opened
     * @param problem       why the store is not open while serving, or {@code null}
     * @param registrations where registrations are kept, or {@code null} for nowhere (tests)
     * @param registered    the registrations kept from before, by edge (their time of registration)
     * @param io            where store reads and registration writes run
     * @param drops         the engine's drop counters
     */
    RelayRole(Port port, RelaySettings.Serve settings, RelayStore store, String problem, RegisteredEdges registrations,
            Map<NodeId, Long> registered, Executor io, EnumMap<Drop, Long> drops) {
        this.port = port;
        this.settings = settings;
        this.store = store;
        this.problem = problem;
        this.registrations = registrations;
        this.io = io;
        this.drops = drops;
        long now = port.now();
        registered.forEach((edge, at) -> {
            if (now - at < settings.registrationTtl().toMillis()) {
                EdgeLink link = new EdgeLink(edge);
                link.registeredAt = at;
                link.persistedAt = at;
                edges.put(edge, link);
            }
        });
    }

    /** @return whether this node serves as a relay with an open store */
    boolean serving() {
        return settings.serve() && store != null;
    }

    // ------------------------------------------------------------------------------------------ store

    /**
     * A sender asks this relay to keep messages.
     *
     * @param sender the sending node (authenticated by the transport)
     * @param m      the messages
     */
    void onStore(NodeId sender, Store m) {
        for (StoreEntry e : m.entries()) {
            Refusal refusal = !settings.serve() ? Refusal.NOT_SERVING
                    : store == null ? Refusal.UNAVAILABLE
                    : !edges.containsKey(e.edge()) ? Refusal.UNKNOWN_EDGE : null;
            if (refusal != null) {
                refuse(sender, e.msgId(), refusal);
                continue;
            }
            byte[] record = new StoredRecord(e.note(), e.sealed()).encode();
            NodeId edge = e.edge();
            long msgId = e.msgId();
            store.storeAsync(edge, new MessageOrigin(sender, e.srcEngine(), msgId), e.expiresAt(), record)
                    .whenComplete((result, error) -> port.post(() -> onStoreResult(sender, edge, msgId, result, error)));
        }
    }

    private void onStoreResult(NodeId sender, NodeId edge, long msgId, StoreResult result, Throwable error) {
        if (result instanceof StoreResult.Stored) {
            long now = port.now();
            stored++;
            if (firstStoredAt == 0) {
                firstStoredAt = now;
            }
            lastStoredAt = now;
            storedAnswers.computeIfAbsent(sender, s -> new ArrayList<>()).add(msgId);
            EdgeLink link = edges.get(edge);
            if (link != null) {
                link.lastStoredAt = now;
                forward(link);
            }
        } else if (result instanceof StoreResult.Refused r) {
            refuse(sender, msgId, switch (r.reason()) {
                case QUOTA_FULL -> Refusal.QUOTA_FULL;
                case STORE_FULL -> Refusal.STORE_FULL;
                case EXPIRED -> Refusal.EXPIRED;
                case TOO_LARGE -> Refusal.TOO_LARGE;
                case UNAVAILABLE -> Refusal.UNAVAILABLE;
            });
        } else {
            port.log().warn("storing a message for {} failed: {}", edge.shortForm(), String.valueOf(error));
            refuse(sender, msgId, Refusal.UNAVAILABLE);
        }
    }

    private void refuse(NodeId sender, long msgId, Refusal reason) {
        refused.merge(reason, 1L, Long::sum);
        refusedAnswers.computeIfAbsent(sender, s -> new ArrayList<>()).add(new RefusedEntry(msgId, reason));
    }

    /** Sends the answers gathered during this turn. */
    void flush() {
        storedAnswers.forEach((sender, ids) -> {
            for (int from = 0; from < ids.size(); from += RelayMessage.MAX_ENTRIES) {
                List<Long> chunk = ids.subList(from, Math.min(ids.size(), from + RelayMessage.MAX_ENTRIES));
                port.sendControl(sender, new Stored(chunk.stream().mapToLong(Long::longValue).toArray()));
            }
        });
        storedAnswers.clear();
        refusedAnswers.forEach((sender, entries) -> {
            for (int from = 0; from < entries.size(); from += RelayMessage.MAX_ENTRIES) {
                port.sendControl(sender, new Refused(entries.subList(from, Math.min(entries.size(), from + RelayMessage.MAX_ENTRIES))));
            }
        });
        refusedAnswers.clear();
    }

    // ------------------------------------------------------------------------------------------ edges

    /**
     * An edge node registers (after each connection).
     *
     * @param edge the edge node (authenticated by the transport)
     */
    void onRegister(NodeId edge) {
        if (!settings.serve()) {
            port.sendControl(edge, new Registered(RegisterStatus.NOT_SERVING, 0, 0, 0));
            return;
        }
        if (store == null) {
            port.sendControl(edge, new Registered(RegisterStatus.UNAVAILABLE, 0, 0, 0));
            return;
        }
        EdgeLink link = edges.get(edge);
        if (link == null) {
            if (edges.size() >= settings.maxEdges()) {
                port.log().warn("edge node {} not registered: {} edge nodes are (maxEdges)", edge.shortForm(), edges.size());
                port.sendControl(edge, new Registered(RegisterStatus.FULL, 0, 0, 0));
                return;
            }
            link = new EdgeLink(edge);
            edges.put(edge, link);
            port.log().info("edge node {} registered", edge);
        }
        long now = port.now();
        link.registeredAt = now;
        if (now - link.persistedAt >= settings.registrationTtl().toMillis() / PERSIST_REFRESH_DIVISOR) {
            link.persistedAt = now;
            saveRegistrations();
        }
        // Whatever was forwarded before is forwarded again from the store: the edge drops what it already has.
        link.online = true;
        link.session++;
        link.inFlight.clear();
        link.lastSentSeq = 0;
        port.sendControl(edge, new Registered(RegisterStatus.OK, store.settings().perEdgeMessageQuota(),
                store.settings().perEdgeByteQuota(), store.settings().maxMessageBytes()));
        forward(link);
    }

    /**
     * An edge node acknowledges what it handled.
     *
     * @param edge the edge node
     * @param m    up to which sequence number
     */
    void onDelivered(NodeId edge, Delivered m) {
        EdgeLink link = edges.get(edge);
        if (link == null || store == null) {
            count(Drop.NOT_REGISTERED);
            return;
        }
        while (!link.inFlight.isEmpty() && link.inFlight.peekFirst() <= m.upToSeq()) {
            link.inFlight.pollFirst();
        }
        store.ackAsync(edge, m.upToSeq()).whenComplete((deleted, error) -> port.post(() -> {
            if (error != null) {
                port.log().warn("deleting acknowledged messages of {} failed: {}", edge.shortForm(), error.toString());
                return;
            }
            acked += deleted;
            link.lastAckAt = port.now();
        }));
        forward(link);
    }

    /** @param peer a node whose last connection closed: if it is an edge, forwarding to it stops */
    void onDisconnected(NodeId peer) {
        EdgeLink link = edges.get(peer);
        if (link != null && link.online) {
            link.online = false;
            link.session++;
            link.inFlight.clear();
            port.log().debug("edge node {} went away; forwarding stops", peer.shortForm());
        }
    }

    /** Reads the next messages for a registered, online edge if the window has room and no read is under way. */
    private void forward(EdgeLink link) {
        if (!link.online || store == null) {
            return;
        }
        if (link.reading) {
            link.storedWhileReading = true;
            return;
        }
        int room = settings.forwardWindow() - link.inFlight.size();
        if (room <= 0) {
            return;
        }
        int want = Math.min(room, settings.deliverBatchMessages() * 4);
        long after = link.lastSentSeq;
        int session = link.session;
        link.reading = true;
        link.storedWhileReading = false;
        try {
            io.execute(() -> {
                List<StoredMessage> read;
                try {
                    read = store.pending(link.edge, after, want);
                } catch (RuntimeException e) {
                    port.log().warn("reading messages for {} failed: {}", link.edge.shortForm(), e.toString());
                    read = null;
                }
                List<StoredMessage> result = read;
                port.post(() -> onRead(link, session, result, want));
            });
        } catch (RejectedExecutionException e) {
            link.reading = false; // stopping
        }
    }

    private void onRead(EdgeLink link, int session, List<StoredMessage> read, int want) {
        link.reading = false;
        if (session != link.session || !link.online) {
            forward(link); // the edge re-registered meanwhile: start over from its new state
            return;
        }
        if (read == null || read.isEmpty()) {
            if (read != null && link.storedWhileReading) {
                forward(link);
            }
            return; // caught up (or the read failed; the next tick tries again)
        }
        List<DeliverEntry> batch = new ArrayList<>();
        long batchBytes = 0;
        for (StoredMessage m : read) {
            link.lastSentSeq = m.seq();
            StoredRecord record;
            try {
                record = StoredRecord.decode(m.envelope());
            } catch (WireException e) {
                // Never forwardable: the edge's next cumulative acknowledgement deletes it, or its expiry does.
                count(Drop.MALFORMED);
                port.log().warn("stored message {} for {} is not a relay record ({}); skipped", m.seq(), link.edge.shortForm(),
                        e.getMessage());
                continue;
            }
            batch.add(new DeliverEntry(m.seq(), m.origin().node(), record.sealed()));
            link.inFlight.addLast(m.seq());
            batchBytes += record.sealed().length;
            if (batch.size() >= settings.deliverBatchMessages() || batchBytes >= settings.deliverBatchBytes()) {
                deliver(link, batch);
                batch = new ArrayList<>();
                batchBytes = 0;
            }
        }
        if (!batch.isEmpty()) {
            deliver(link, batch);
        }
        if (read.size() == want || link.storedWhileReading) {
            forward(link);
        }
    }

    private void deliver(EdgeLink link, List<DeliverEntry> batch) {
        forwarded += batch.size();
        port.sendControl(link.edge, new Deliver(batch));
    }

    // ------------------------------------------------------------------------------------------ expiry, registrations

    /** Periodic work: expiry, lapsed registrations. */
    void tick() {
        long now = port.now();
        if (store != null && !expiring && now >= nextExpiryAt) {
            nextExpiryAt = now + settings.expiryPeriod().toMillis();
            expire();
        }
        boolean lapsed = edges.values().removeIf(link -> !link.online
                && now - link.registeredAt >= settings.registrationTtl().toMillis());
        if (lapsed) {
            saveRegistrations();
        }
        for (EdgeLink link : edges.values()) {
            forward(link); // after a failed read, or a window freed by acks that raced a read
        }
    }

    private void expire() {
        expiring = true;
        store.expireAsync(port.now(), settings.expiryBatch())
                .whenComplete((list, error) -> port.post(() -> onExpired(list, error)));
    }

    private void onExpired(List<StoredMessage> list, Throwable error) {
        expiring = false;
        if (error != null) {
            port.log().warn("expiring stored messages failed: {}", error.toString());
            return;
        }
        // One report per sender and edge, in chunks.
        Map<NodeId, Map<NodeId, List<ExpiredEntry>>> bySender = new LinkedHashMap<>();
        for (StoredMessage m : list) {
            byte[] note;
            try {
                note = StoredRecord.decode(m.envelope()).note();
            } catch (WireException e) {
                count(Drop.MALFORMED);
                continue;
            }
            bySender.computeIfAbsent(m.origin().node(), s -> new LinkedHashMap<>())
                    .computeIfAbsent(m.edge(), e -> new ArrayList<>())
                    .add(new ExpiredEntry(m.origin().messageId(), m.origin().engine(), note));
        }
        bySender.forEach((sender, byEdge) -> byEdge.forEach((edge, entries) -> {
            for (int from = 0; from < entries.size(); from += RelayMessage.MAX_ENTRIES) {
                port.sendControl(sender, new Expired(edge, entries.subList(from, Math.min(entries.size(), from + RelayMessage.MAX_ENTRIES))));
            }
        }));
        expired += list.size();
        if (!list.isEmpty()) {
            port.log().info("{} stored messages expired; reported to {} senders", list.size(), bySender.size());
        }
        if (list.size() >= settings.expiryBatch()) {
            expire(); // more are due
        }
    }

    /** Writes the registrations on the io executor; one write at a time, the last state wins. */
    private void saveRegistrations() {
        if (registrations == null) {
            return;
        }
        if (saving) {
            saveAgain = true;
            return;
        }
        saving = true;
        Map<NodeId, Long> snapshot = new TreeMap<>();
        edges.values().forEach(l -> snapshot.put(l.edge, l.registeredAt));
        try {
            io.execute(() -> {
                try {
                    registrations.save(snapshot);
                } catch (IOException e) {
                    port.log().error("cannot keep the registered edge nodes in {}: {}", registrations.file(), e.toString());
                }
                port.post(() -> {
                    saving = false;
                    if (saveAgain) {
                        saveAgain = false;
                        saveRegistrations();
                    }
                });
            });
        } catch (RejectedExecutionException e) {
            saving = false;
        }
    }

    private void count(Drop drop) {
        drops.merge(drop, 1L, Long::sum);
    }

    /** @return a consistent view for the console, or {@code null} if this node does not serve */
    RelaySnapshot.RelayView view() {
        if (!settings.serve()) {
            return null;
        }
        Map<NodeId, EdgeStats> held = new HashMap<>();
        long fileSize = 0;
        if (store != null) {
            store.stats().forEach(s -> held.put(s.edge(), s));
            try {
                fileSize = store.fileSize();
            } catch (IllegalStateException e) {
                fileSize = -1;
            }
        }
        Map<NodeId, RelaySnapshot.EdgeRow> rows = new TreeMap<>();
        for (EdgeLink l : edges.values()) {
            EdgeStats s = held.get(l.edge);
            rows.put(l.edge, new RelaySnapshot.EdgeRow(l.edge, true, l.online, instant(l.registeredAt),
                    s == null ? 0 : s.messages(), s == null ? 0 : s.bytes(), l.inFlight.size(), instant(l.lastStoredAt),
                    instant(l.lastAckAt)));
        }
        held.forEach((edge, s) -> rows.computeIfAbsent(edge, e -> new RelaySnapshot.EdgeRow(e, false, false, null,
                s.messages(), s.bytes(), 0, null, null)));
        var st = settings.store();
        return new RelaySnapshot.RelayView(store == null ? null : store.file(), store == null ? problem : null,
                st.durability().name(), st.perEdgeMessageQuota(), st.perEdgeByteQuota(), st.maxTotalBytes(),
                st.maxMessageBytes(), store == null ? 0 : store.totalMessages(), store == null ? 0 : store.totalBytes(),
                fileSize, List.copyOf(rows.values()), stored, new EnumMap<>(refused), forwarded, acked, expired,
                instant(firstStoredAt), instant(lastStoredAt));
    }

    private static Instant instant(long millis) {
        return millis == 0 ? null : Instant.ofEpochMilli(millis);
    }
}
