package io.hypha.transport.quic.internal;

import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tech.kwik.core.log.BaseLogger;

/**
 * kwik's logger, sent to SLF4J: kwik's warnings and errors at WARN; everything else kwik logs (packets, flow control,
 * recovery; off unless the SLF4J logger {@code tech.kwik} is at TRACE) at TRACE.
 */
final class KwikLog extends BaseLogger {
    private static final Logger LOG = LoggerFactory.getLogger("tech.kwik");

    private final String prefix;

    /** @param who names the connection or endpoint in each message */
    KwikLog(String who) {
        this.prefix = who + ": ";
        logWarning(true);
        if (LOG.isTraceEnabled()) {
            logInfo(true);
            logPackets(true);
            logFlowControl(true);
            logRecovery(true);
            logCongestionControl(true);
            logStream(true);
        }
    }

    @Override
    public void warn(String message) {
        LOG.warn("{}{}", prefix, message);
    }

    @Override
    public void error(String message) {
        LOG.warn("{}{}", prefix, message);
    }

    @Override
    public void error(String message, Throwable error) {
        LOG.warn("{}{}", prefix, message, error);
    }

    @Override
    protected void log(String message) {
        LOG.trace("{}{}", prefix, message);
    }

    @Override
    protected void log(String message, Throwable ex) {
        LOG.trace("{}{}", prefix, message, ex);
    }

    @Override
    protected void logWithHexDump(String message, byte[] data, int length) {
        LOG.trace("{}{} ({} bytes)", prefix, message, length);
    }

    @Override
    protected void logWithHexDump(String message, ByteBuffer data, int offset, int length) {
        LOG.trace("{}{} ({} bytes)", prefix, message, length);
    }
}
