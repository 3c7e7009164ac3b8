package io.hypha.relay.store;

import java.time.Duration;
import java.util.Objects;

/**
 * The bounds and durability of a {@link RelayStore}. Quotas count envelope bytes as received (not the store's own
 * overhead of about 100 bytes per message).
 *
 * @param perEdgeMessageQuota most messages held for one edge node
 * @param perEdgeByteQuota    most envelope bytes held for one edge node
 * @param maxTotalBytes       most envelope bytes held for all edge nodes together
 * @param maxMessageBytes     largest envelope kept
 * @param maxRetention        longest a message is kept, whatever its own expiry (a message that never expires is
 *                            kept this long); a message expires at the earlier of the two
 * @param durability          what a {@link StoreResult.Stored} result survives
 * @param maxBatch            most operations written in one group commit; bounds the memory of a commit and the
 *                            wait of the first operation in it
 */
public record RelayStoreSettings(long perEdgeMessageQuota, long perEdgeByteQuota, long maxTotalBytes, int maxMessageBytes,
        Duration maxRetention, Durability durability, int maxBatch) {

    /** What an acknowledged store survives. */
    public enum Durability {
        /**
         * Each group commit is written to the operating system before the stores in it are acknowledged: they survive
         * the relay process being killed (even with SIGKILL), not a crash of the machine or a power loss.
         */
        WRITE,
        /**
         * Each group commit is also forced to the disk ({@code fsync}) before the stores in it are acknowledged: they
         * survive a crash of the machine and a power loss too, on disks that honour the flush.
         */
        FSYNC
    }

    /** Defaults: 100,000 messages and 256 MiB per edge, 2 GiB in all, 1 MiB per message, 7 days, fsync, 4,096 per commit. */
    public static final RelayStoreSettings DEFAULTS = new RelayStoreSettings(100_000, 256L << 20, 2L << 30, 1 << 20,
            Duration.ofDays(7), Durability.FSYNC, 4_096);

    /** @throws IllegalArgumentException naming the setting that is out of range */
    public RelayStoreSettings {
        Objects.requireNonNull(maxRetention, "maxRetention");
        Objects.requireNonNull(durability, "durability");
        positive("perEdgeMessageQuota", perEdgeMessageQuota);
        positive("perEdgeByteQuota", perEdgeByteQuota);
        positive("maxTotalBytes", maxTotalBytes);
        positive("maxMessageBytes", maxMessageBytes);
        positive("maxBatch", maxBatch);
        if (maxRetention.isNegative() || maxRetention.isZero()) {
            throw new IllegalArgumentException("maxRetention must be positive, got " + maxRetention);
        }
    }

    private static void positive(String name, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, got " + value);
        }
    }

    /**
     * @param messages most messages per edge
     * @param bytes    most envelope bytes per edge
     * @return these settings with other per-edge quotas
     */
    public RelayStoreSettings withEdgeQuota(long messages, long bytes) {
        return new RelayStoreSettings(messages, bytes, maxTotalBytes, maxMessageBytes, maxRetention, durability, maxBatch);
    }

    /**
     * @param total most envelope bytes for all edges
     * @return these settings with another total limit
     */
    public RelayStoreSettings withMaxTotalBytes(long total) {
        return new RelayStoreSettings(perEdgeMessageQuota, perEdgeByteQuota, total, maxMessageBytes, maxRetention, durability, maxBatch);
    }

    /**
     * @param value the durability
     * @return these settings with another durability
     */
    public RelayStoreSettings withDurability(Durability value) {
        return new RelayStoreSettings(perEdgeMessageQuota, perEdgeByteQuota, maxTotalBytes, maxMessageBytes, maxRetention, value, maxBatch);
    }

    /**
     * @param value the longest retention
     * @return these settings with another retention limit
     */
    public RelayStoreSettings withMaxRetention(Duration value) {
        return new RelayStoreSettings(perEdgeMessageQuota, perEdgeByteQuota, maxTotalBytes, maxMessageBytes, value, durability, maxBatch);
    }
}
