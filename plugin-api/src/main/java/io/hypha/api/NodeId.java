package io.hypha.api;

import java.util.Arrays;
import java.util.Objects;

/**
 * The identity of a node: its Ed25519 public key (32 bytes).
 *
 * <p>The text form is the key in lowercase RFC 4648 base32 without padding (52 characters), which is what
 * operators type in the console and what logs print. Instances are immutable; equality is by key bytes.
 */
public final class NodeId implements Comparable<NodeId> {
    /** Length of an Ed25519 public key in bytes. */
    public static final int LENGTH = 32;

    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    private static final int TEXT_LENGTH = (LENGTH * 8 + 4) / 5;

    private final byte[] key;
    private final int hash;

    private NodeId(byte[] key) {
        this.key = key;
        this.hash = Arrays.hashCode(key);
    }

    /**
     * Wraps a public key.
     *
     * @param publicKey the 32 raw bytes of an Ed25519 public key; copied
     * @return the node id
     * @throws IllegalArgumentException if the key is not 32 bytes long
     */
    public static NodeId of(byte[] publicKey) {
        Objects.requireNonNull(publicKey, "publicKey");
        if (publicKey.length != LENGTH) {
            throw new IllegalArgumentException("a node id is a 32-byte Ed25519 public key, got " + publicKey.length + " bytes");
        }
        return new NodeId(publicKey.clone());
    }

    /**
     * Parses the text form.
     *
     * @param text lowercase (or uppercase) base32 without padding, 52 characters
     * @return the node id
     * @throws IllegalArgumentException if the text is not a valid node id, with the reason
     */
    public static NodeId parse(String text) {
        Objects.requireNonNull(text, "text");
        String s = text.trim().toLowerCase(java.util.Locale.ROOT);
        if (s.length() != TEXT_LENGTH) {
            throw new IllegalArgumentException("a node id has " + TEXT_LENGTH + " base32 characters, got " + s.length() + ": '" + text + "'");
        }
        byte[] out = new byte[LENGTH];
        int buffer = 0;
        int bits = 0;
        int index = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int value;
            if (c >= 'a' && c <= 'z') {
                value = c - 'a';
            } else if (c >= '2' && c <= '7') {
                value = c - '2' + 26;
            } else {
                throw new IllegalArgumentException("'" + c + "' is not a base32 character in node id '" + text + "'");
            }
            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8) {
                bits -= 8;
                out[index++] = (byte) (buffer >> bits);
            }
        }
        if ((buffer & ((1 << bits) - 1)) != 0) {
            throw new IllegalArgumentException("node id '" + text + "' has non-zero padding bits");
        }
        return new NodeId(out);
    }

    /** @return a copy of the 32 public key bytes */
    public byte[] publicKey() {
        return key.clone();
    }

    /** @return the first 8 characters of the text form, for logs and tables where the full id is too wide */
    public String shortForm() {
        return toString().substring(0, 8);
    }

    /** @return the text form: lowercase base32 without padding */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(TEXT_LENGTH);
        int buffer = 0;
        int bits = 0;
        for (byte b : key) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                bits -= 5;
                sb.append(ALPHABET[(buffer >> bits) & 31]);
            }
        }
        if (bits > 0) {
            sb.append(ALPHABET[(buffer << (5 - bits)) & 31]);
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NodeId other && hash == other.hash && Arrays.equals(key, other.key);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public int compareTo(NodeId o) {
        return Arrays.compareUnsigned(key, o.key);
    }
}
