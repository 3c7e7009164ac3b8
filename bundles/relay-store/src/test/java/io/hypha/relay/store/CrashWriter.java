package io.hypha.relay.store;

import io.hypha.api.NodeId;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.Semaphore;

/**
 * The child process of {@link RelayStoreCrashTest}: stores numbered 1 KiB messages as fast as it can, with many in
 * flight, and prints {@code stored <seq>} for each one the store acknowledged, until it is killed.
 */
public final class CrashWriter {
    private CrashWriter() {
    }

    /** @return the envelope of message {@code seq}: 1 KiB whose first 8 bytes are seq */
    static byte[] envelope(long seq) {
        byte[] bytes = new byte[1024];
        ByteBuffer.wrap(bytes).putLong(seq).putLong(~seq);
        bytes[1023] = (byte) seq;
        return bytes;
    }

    /**
     * @param args the store directory
     * @throws Exception if the store cannot be opened
     */
    public static void main(String[] args) throws Exception {
        RelayStore store = RelayStore.open(Path.of(args[0]), RelayStoreSettings.DEFAULTS);
        NodeId edge = RelayStoreTest.node(1);
        MessageOrigin origin = new MessageOrigin(RelayStoreTest.node(9), "sender", 0);
        Semaphore window = new Semaphore(512);
        System.out.println("open");
        System.out.flush();
        for (long seq = 1; ; seq++) {
            window.acquire();
            store.storeAsync(edge, origin, Long.MAX_VALUE, envelope(seq)).thenAccept(result -> {
                window.release();
                if (result instanceof StoreResult.Stored stored) {
                    System.out.println("stored " + stored.seq());
                }
            });
        }
    }
}
