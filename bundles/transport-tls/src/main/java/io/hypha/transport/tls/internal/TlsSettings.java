package io.hypha.transport.tls.internal;

/**
 * Checked settings of a {@link TlsTransport}.
 *
 * @param ioThreads                 event loop threads shared by all of the transport's sockets
 * @param connectTimeoutMillis      how long a TCP connect may take before a dial fails with TIMEOUT
 * @param writeBufferHighWaterMark  outbound bytes queued on a connection above which {@code send} refuses frames
 * @param writeBufferLowWaterMark   queued bytes below which a refusing connection takes frames again
 * @param maxConnections            inbound connections (handshaking or open) above which new ones are closed at once
 * @param shutdownQuietMillis       Netty's quiet period when the event loops stop
 * @param shutdownTimeoutMillis     the longest the transport waits for its connections and threads to stop
 */
public record TlsSettings(int ioThreads, int connectTimeoutMillis, int writeBufferHighWaterMark,
                          int writeBufferLowWaterMark, int maxConnections, long shutdownQuietMillis,
                          long shutdownTimeoutMillis) {
    /** The defaults of {@link TlsTransport.Config}. */
    public static final TlsSettings DEFAULTS = new TlsSettings(1, 5_000, 1 << 20, 256 << 10, 1_024, 10L, 2_000L);

    /** @throws IllegalArgumentException naming the attribute to fix, if a value is out of range */
    public TlsSettings {
        check(ioThreads >= 1 && ioThreads <= 64, "ioThreads must be between 1 and 64, got " + ioThreads);
        check(connectTimeoutMillis >= 1, "connectTimeoutMillis must be at least 1, got " + connectTimeoutMillis);
        check(writeBufferLowWaterMark >= 1, "writeBufferLowWaterMark must be at least 1, got " + writeBufferLowWaterMark);
        check(writeBufferHighWaterMark > writeBufferLowWaterMark, "writeBufferHighWaterMark (" + writeBufferHighWaterMark
                + ") must be above writeBufferLowWaterMark (" + writeBufferLowWaterMark + ")");
        check(maxConnections >= 1, "maxConnections must be at least 1, got " + maxConnections);
        check(shutdownQuietMillis >= 0, "shutdownQuietMillis must be at least 0, got " + shutdownQuietMillis);
        check(shutdownTimeoutMillis >= shutdownQuietMillis, "shutdownTimeoutMillis (" + shutdownTimeoutMillis
                + ") must be at least shutdownQuietMillis (" + shutdownQuietMillis + ")");
    }

    /**
     * @param config the component configuration
     * @return its settings
     * @throws IllegalArgumentException if a value is out of range
     */
    public static TlsSettings of(TlsTransport.Config config) {
        return new TlsSettings(config.ioThreads(), config.connectTimeoutMillis(), config.writeBufferHighWaterMark(),
                config.writeBufferLowWaterMark(), config.maxConnections(), config.shutdownQuietMillis(),
                config.shutdownTimeoutMillis());
    }

    /**
     * @param max the new inbound connection limit
     * @return a copy with another limit
     */
    public TlsSettings withMaxConnections(int max) {
        return new TlsSettings(ioThreads, connectTimeoutMillis, writeBufferHighWaterMark, writeBufferLowWaterMark, max,
                shutdownQuietMillis, shutdownTimeoutMillis);
    }

    /**
     * @param high the new high water mark
     * @param low  the new low water mark
     * @return a copy with other water marks
     */
    public TlsSettings withWaterMarks(int high, int low) {
        return new TlsSettings(ioThreads, connectTimeoutMillis, high, low, maxConnections, shutdownQuietMillis,
                shutdownTimeoutMillis);
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(TlsTransport.PID + ": " + message);
        }
    }
}
