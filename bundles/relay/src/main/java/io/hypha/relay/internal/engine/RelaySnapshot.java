package io.hypha.relay.internal.engine;

import io.hypha.api.DeliveryFailure;
import io.hypha.api.NodeId;
import io.hypha.relay.internal.wire.Refusal;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the relay engine shows the console ({@code hypha:relay}), taken on its turn so that it is consistent.
 *
 * @param self   this node
 * @param sender the sender role (every node has it)
 * @param relay  the relay role, or {@code null} if this node does not serve
 * @param edge   the edge role, or {@code null} if this node has no relays
 * @param drops  what was dropped, by reason (every reason present)
 */
public record RelaySnapshot(NodeId self, SenderView sender, RelayView relay, EdgeView edge, Map<Drop, Long> drops) {

    /**
     * @param pendingMessages messages held until a relay stored or refused them
     * @param pendingBytes    their estimated bytes
     * @param unsent          of them, not yet handed to a relay (waiting for the window, or for a retry)
     * @param inFlight        handed to each relay and not answered yet
     * @param taken           messages taken since start
     * @param confirmed       stored by a relay
     * @param resent          handed to a relay again (it reconnected, or did not answer)
     * @param failovers       moved to the edge node's next relay
     * @param refused         refusals received from relays, by reason
     * @param reported        messages reported undeliverable to their sending engines, by reason
     */
    public record SenderView(long pendingMessages, long pendingBytes, long unsent, Map<NodeId, Integer> inFlight,
            long taken, long confirmed, long resent, long failovers, Map<Refusal, Long> refused,
            Map<DeliveryFailure, Long> reported) {
    }

    /**
     * @param storeFile      the store's file, or {@code null} if it is not open
     * @param problem        why the store is not open, or {@code null}
     * @param durability     the store's durability
     * @param quotaMessages  per-edge message quota
     * @param quotaBytes     per-edge byte quota
     * @param maxTotalBytes  total byte limit
     * @param maxMessageBytes largest stored message
     * @param messages       messages held for all edges
     * @param bytes          bytes held for all edges
     * @param fileSize       the store file's size in bytes
     * @param edges          registered edge nodes, and any edge the store holds messages for
     * @param stored         messages stored since start
     * @param refused        messages refused since start, by reason
     * @param forwarded      messages forwarded to edge nodes (including again after a reconnect)
     * @param acked          messages deleted after an edge acknowledged them
     * @param expired        messages deleted at expiry and reported to their senders
     * @param firstStoredAt  when the first message since start was stored, or {@code null}
     * @param lastStoredAt   when the last one was, or {@code null}
     */
    public record RelayView(Path storeFile, String problem, String durability, long quotaMessages, long quotaBytes,
            long maxTotalBytes, long maxMessageBytes, long messages, long bytes, long fileSize, List<EdgeRow> edges,
            long stored, Map<Refusal, Long> refused, long forwarded, long acked, long expired, Instant firstStoredAt,
            Instant lastStoredAt) {
    }

    /**
     * @param edge         the edge node
     * @param registered   whether it is registered (messages for it are accepted)
     * @param online       whether it is registered on a live connection (messages are forwarded)
     * @param registeredAt when it last registered, or {@code null}
     * @param messages     messages held for it
     * @param bytes        bytes held for it
     * @param inFlight     forwarded and not acknowledged
     * @param lastStoredAt when a message for it was last stored, or {@code null}
     * @param lastAckAt    when it last acknowledged, or {@code null}
     */
    public record EdgeRow(NodeId edge, boolean registered, boolean online, Instant registeredAt, long messages, long bytes,
            long inFlight, Instant lastStoredAt, Instant lastAckAt) {
    }

    /**
     * @param relays       this edge node's relays
     * @param delivered    messages delivered to local engines
     * @param duplicates   duplicates dropped
     * @param unsealable   messages that did not open (counted, acknowledged, never delivered)
     * @param undeliverable messages that opened but no local engine took (dead-lettered here)
     */
    public record EdgeView(List<RelayRow> relays, long delivered, long duplicates, long unsealable, long undeliverable) {
    }

    /**
     * @param relay         the relay's node id
     * @param uri           where it is dialled
     * @param state         registration state
     * @param detail        the last error or refusal, or empty
     * @param registeredAt  when it last confirmed the registration, or {@code null}
     * @param quotaMessages the quota it announced (0 before)
     * @param quotaBytes    the byte quota it announced (0 before)
     * @param delivered     messages from it delivered here
     * @param lastSeq       the highest sequence number handled in this registration
     */
    public record RelayRow(NodeId relay, URI uri, String state, String detail, Instant registeredAt, long quotaMessages,
            long quotaBytes, long delivered, long lastSeq) {
    }
}
