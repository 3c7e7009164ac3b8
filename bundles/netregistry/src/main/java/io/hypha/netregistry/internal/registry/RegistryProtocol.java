package io.hypha.netregistry.internal.registry;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The NetRegistry's messages between the {@value #ENGINE} engines of two nodes: ordinary engine messages with
 * {@code byte[]} payloads over the nodes' session (exactly-once, in order, while both live).
 *
 * <pre>
 *  type                         payload                                  answer (a reply, same types)
 *  hypha.netregistry.advert     one encoded NodeAdvert (pushed)          none
 *  hypha.netregistry.get        the 32 bytes of the node id looked up    hypha.netregistry.advert: the advert, or
 *                                                                        empty if the node is not known
 *  hypha.netregistry.sample     varint: most adverts wanted (1..64)      hypha.netregistry.adverts: up to that many
 *                                                                        adverts (never more than the answerer's
 *                                                                        sample size), each varint-length-prefixed
 * </pre>
 *
 * Adverts are self-authenticating (signed by the node they describe), so a node takes them from whoever passes them
 * on: a pushed advert may be about any node, and every advert is checked ({@code AdvertCodec}) before it is kept.
 * An answer that arrives after its request timed out is handled like a pushed advert, so nothing valid is lost.
 * Varints are unsigned LEB128, minimally encoded (the frame length prefix of the wire protocol).
 */
public final class RegistryProtocol {
    /** The engine name on every node. */
    public static final String ENGINE = "netregistry";
    /** A pushed advert, or the answer to {@link #GET}. */
    public static final String ADVERT = "hypha.netregistry.advert";
    /** A request for one node's advert. */
    public static final String GET = "hypha.netregistry.get";
    /** A request for a sample of the adverts the peer holds. */
    public static final String SAMPLE = "hypha.netregistry.sample";
    /** The answer to {@link #SAMPLE}. */
    public static final String ADVERTS = "hypha.netregistry.adverts";

    /** Longest varint read: 5 bytes hold any {@code int}. */
    private static final int MAX_VARINT_BYTES = 5;

    private RegistryProtocol() {
    }

    /**
     * @param count a count, at least 0
     * @return its varint
     */
    public static byte[] encodeCount(int count) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(MAX_VARINT_BYTES);
        writeVarint(count, out);
        return out.toByteArray();
    }

    /**
     * @param payload a {@link #SAMPLE} payload
     * @return the count it holds, or empty if it is not exactly one minimal varint
     */
    public static Optional<Integer> decodeCount(byte[] payload) {
        int[] position = {0};
        int count = readVarint(payload, position);
        return count < 0 || position[0] != payload.length ? Optional.empty() : Optional.of(count);
    }

    /**
     * @param items encoded adverts
     * @return them, each preceded by its length as a varint
     */
    public static byte[] encodeList(List<byte[]> items) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] item : items) {
            writeVarint(item.length, out);
            out.writeBytes(item);
        }
        return out.toByteArray();
    }

    /**
     * Reads a list written by {@link #encodeList}.
     *
     * @param payload  the bytes
     * @param maxItems most items accepted
     * @param maxItem  longest item accepted, in bytes
     * @return the items, or empty if the bytes are not such a list or break a bound
     */
    public static Optional<List<byte[]>> decodeList(byte[] payload, int maxItems, int maxItem) {
        List<byte[]> items = new ArrayList<>();
        int[] position = {0};
        while (position[0] < payload.length) {
            int length = readVarint(payload, position);
            if (length < 0 || length > maxItem || length > payload.length - position[0] || items.size() >= maxItems) {
                return Optional.empty();
            }
            items.add(Arrays.copyOfRange(payload, position[0], position[0] + length));
            position[0] += length;
        }
        return Optional.of(items);
    }

    private static void writeVarint(int value, ByteArrayOutputStream out) {
        if (value < 0) {
            throw new IllegalArgumentException("a varint here is not negative, got " + value);
        }
        while ((value & ~0x7F) != 0) {
            out.write((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out.write(value);
    }

    /** @return the value, advancing {@code position[0]}; -1 if truncated, too long, not minimal or not an int */
    private static int readVarint(byte[] bytes, int[] position) {
        long value = 0;
        for (int i = 0; i < MAX_VARINT_BYTES; i++) {
            int at = position[0] + i;
            if (at >= bytes.length) {
                return -1;
            }
            int b = bytes[at] & 0xFF;
            value |= (long) (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) {
                if (i > 0 && b == 0) {
                    return -1; // not minimal: a trailing zero group
                }
                if (value > Integer.MAX_VALUE) {
                    return -1;
                }
                position[0] = at + 1;
                return (int) value;
            }
        }
        return -1;
    }
}
