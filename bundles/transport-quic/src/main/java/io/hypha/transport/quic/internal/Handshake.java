package io.hypha.transport.quic.internal;

import io.hypha.api.transport.TransportError;
import io.hypha.api.transport.TransportException;
import io.hypha.wire.LengthPrefix;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import tech.kwik.core.ConnectionListener;
import tech.kwik.core.ConnectionTerminatedEvent;
import tech.kwik.core.QuicConnection;

/**
 * What the dialler's and the listener's side of the QUIC client authentication ({@link ClientAuth}) share: a deadline
 * enforced by the {@link Watchdog}, kicks of the stream while messages are written (STALL.md), writing one
 * authentication message as a frame, and learning why kwik ended the connection.
 */
abstract class Handshake implements Watchdog.Watched {
    /** How long to wait for kwik's (asynchronous) termination event when the stream fails. */
    private static final long TERMINATION_WAIT_MILLIS = 200;

    private final long deadline;
    private final long kickWindowNanos;
    private final CountDownLatch terminatedSeen = new CountDownLatch(1);
    private volatile ConnectionTerminatedEvent terminated;
    private volatile QuicConnection quic;
    private volatile StreamOutput output;
    private volatile boolean finished;
    private volatile boolean timedOut;

    /**
     * @param timeoutMillis   how long the handshake may take from now
     * @param kickWindowNanos how long after a write the stream is kicked
     */
    Handshake(long timeoutMillis, long kickWindowNanos) {
        this.deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        this.kickWindowNanos = kickWindowNanos;
    }

    /** Watches a kwik connection: its termination event is kept, and it is closed at the deadline. */
    void watch(QuicConnection connection) {
        this.quic = connection;
        connection.setConnectionListener(new ConnectionListener() {
            @Override
            public void disconnected(ConnectionTerminatedEvent event) {
                terminated = event;
                terminatedSeen.countDown();
            }
        });
    }

    /** @param stream the stream whose writes are kicked while the handshake runs */
    void kicking(StreamOutput stream) {
        this.output = stream;
    }

    /** The handshake ended (either way): no more deadline or kicks. */
    void finish() {
        finished = true;
    }

    /** @return whether the handshake ended (either way) */
    boolean finished() {
        return finished;
    }

    /** @return whether the deadline passed before the handshake finished */
    boolean timedOut() {
        return timedOut;
    }

    /** @return milliseconds left before the deadline, at least 1 */
    long remainingMillis() {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }

    @Override
    public void tick(long now) {
        if (finished) {
            return;
        }
        StreamOutput out = output;
        if (out != null) {
            out.kick(now, kickWindowNanos);
        }
        if (now - deadline > 0) {
            timedOut = true;
            finished = true;
            QuicConnection connection = quic;
            if (connection != null) {
                connection.close(CloseCode.HANDSHAKE_TIMEOUT.code, CloseCode.HANDSHAKE_TIMEOUT.name());
            }
        }
    }

    /** Writes one authentication message as a length-prefixed frame. */
    static void writeMessage(StreamOutput out, byte[] body) throws IOException {
        ByteBuffer frame = ByteBuffer.allocate(LengthPrefix.size(body.length) + body.length);
        LengthPrefix.put(body.length, frame);
        frame.put(body);
        out.write(frame.array(), 0, frame.capacity());
    }

    /**
     * @param failure what the handshake's thread saw fail (a read or write)
     * @return why the connection failed: the deadline, the peer's close code, or kwik's reason
     */
    TransportException causeOf(Exception failure) {
        if (timedOut) {
            return new TransportException(TransportError.TIMEOUT, "the QUIC handshake took longer than allowed", failure);
        }
        try {
            terminatedSeen.await(TERMINATION_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ConnectionTerminatedEvent event = terminated;
        if (event != null && event.closedByPeer()) {
            CloseCode code = CloseCode.ofCode(event.applicationErrorCode());
            if (code != null && code != CloseCode.NO_ERROR) {
                return new TransportException(code.error, "the peer closed the connection during the handshake: "
                        + code.name(), failure);
            }
            return new TransportException(TransportError.UNREACHABLE, "the peer closed the connection during the "
                    + "handshake", failure);
        }
        if (event != null && event.closeReason() == ConnectionTerminatedEvent.CloseReason.IdleTimeout) {
            return new TransportException(TransportError.TIMEOUT, "the peer stopped answering during the handshake", failure);
        }
        return new TransportException(TransportError.IO, "the QUIC handshake failed: " + failure, failure);
    }
}
