package io.hypha.relay.store;

import io.hypha.api.NodeId;

/**
 * What the relay holds for one edge node, for the console and metrics. Counts include messages accepted whose group
 * commit is still under way (a few milliseconds).
 *
 * @param edge         the edge node
 * @param messages     messages held
 * @param bytes        envelope bytes held
 * @param messageQuota the most messages held for one edge
 * @param byteQuota    the most envelope bytes held for one edge
 * @param lastSeq      the sequence number of the last message stored for it (0 if none ever was)
 */
public record EdgeStats(NodeId edge, long messages, long bytes, long messageQuota, long byteQuota, long lastSeq) {
}
