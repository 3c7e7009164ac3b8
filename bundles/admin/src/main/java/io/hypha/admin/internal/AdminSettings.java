package io.hypha.admin.internal;

/**
 * The admin endpoint's bounds, checked once when the component is configured.
 *
 * @param port                 loopback port to bind, 0 for any free port
 * @param maxConnections       connections served at once; more are answered {@code BUSY}
 * @param commandTimeoutMillis how long one command may run before it is interrupted and answered {@code TIMEOUT}
 * @param maxCommandLength     longest command line accepted, in UTF-8 bytes
 * @param readTimeoutMillis    how long a client may take to send its request
 * @param maxOutputBytes       most output kept per command; the rest is dropped with a note
 */
record AdminSettings(int port, int maxConnections, long commandTimeoutMillis, int maxCommandLength,
                     long readTimeoutMillis, int maxOutputBytes) {

    /** @throws IllegalArgumentException if a bound is out of range, naming it */
    AdminSettings {
        require(port >= 0 && port <= 65535, "port must be 0..65535, got " + port);
        require(maxConnections >= 1 && maxConnections <= 256, "maxConnections must be 1..256, got " + maxConnections);
        require(commandTimeoutMillis >= 1, "commandTimeoutMillis must be positive, got " + commandTimeoutMillis);
        require(maxCommandLength >= 16 && maxCommandLength <= AdminProtocol.MAX_FRAME,
                "maxCommandLength must be 16.." + AdminProtocol.MAX_FRAME + ", got " + maxCommandLength);
        require(readTimeoutMillis >= 1 && readTimeoutMillis <= Integer.MAX_VALUE,
                "readTimeoutMillis must be positive, got " + readTimeoutMillis);
        require(maxOutputBytes >= 1024, "maxOutputBytes must be at least 1024, got " + maxOutputBytes);
    }

    /** @return the defaults of the configuration PID {@code io.hypha.admin} */
    static AdminSettings defaults() {
        return new AdminSettings(0, 4, 60_000, 8192, 5_000, 4 << 20);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
