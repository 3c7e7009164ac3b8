package io.hypha.transport.tls.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlushBatcherTest {
    /**
     * Stands for the socket side: keeps writes and records, at each flush, how many writes it covered. Writes stop
     * here, and tests write through the pipeline: EmbeddedChannel runs the pending tasks on every write of its own.
     */
    private static final class Socket extends ChannelOutboundHandlerAdapter {
        final List<Object> written = new ArrayList<>();
        final List<Integer> flushedAt = new ArrayList<>();

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            written.add(msg);
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {
            flushedAt.add(written.size());
        }
    }

    private final Socket socket = new Socket();
    private final EmbeddedChannel channel = new EmbeddedChannel(socket, new FlushBatcher());

    @Test
    void writesOfOneBatchAreFlushedOnceAfterTheLast() {
        channel.pipeline().write("a");
        channel.pipeline().write("b");
        channel.pipeline().write("c");
        assertThat(socket.flushedAt).isEmpty();

        channel.runPendingTasks();

        assertThat(socket.written).containsExactly("a", "b", "c");
        assertThat(socket.flushedAt).containsExactly(3);
    }

    @Test
    void aWriteAfterTheFlushStartsTheNextBatch() {
        channel.pipeline().write("a");
        channel.runPendingTasks();

        channel.pipeline().write("b");
        channel.pipeline().write("c");
        channel.runPendingTasks();

        assertThat(socket.flushedAt).containsExactly(1, 3);
    }
}
