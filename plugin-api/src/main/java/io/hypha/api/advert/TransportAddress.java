package io.hypha.api.advert;

import java.net.URI;
import java.util.Objects;

/**
 * One address a node can be dialled at, as it appears in the node's advert: a transport URI such as
 * {@code quic://192.0.2.7:4002} or {@code tls://192.0.2.7:4001}, and a weight.
 *
 * <p>The weight is relative: among the addresses a dialler can use (its transports are installed, the address did
 * not fail), higher weights are tried first. A node gives a lower weight to an address it prefers not to be dialled
 * at (a metered link, a fallback port); 0 means "only if nothing else works".
 *
 * @param uri    an absolute URI whose scheme names the transport; at most {@link #MAX_URI_LENGTH} characters
 * @param weight the preference, {@code 0} to {@link #MAX_WEIGHT}; higher is preferred
 */
public record TransportAddress(URI uri, int weight) {
    /** Longest URI text accepted, in characters. */
    public static final int MAX_URI_LENGTH = 256;
    /** Largest weight. */
    public static final int MAX_WEIGHT = 65_535;
    /** The weight of an address given without one. */
    public static final int DEFAULT_WEIGHT = 100;

    /** @throws IllegalArgumentException if the URI is not absolute, is too long, or the weight is out of range */
    public TransportAddress {
        Objects.requireNonNull(uri, "uri");
        if (!uri.isAbsolute() || uri.isOpaque()) {
            throw new IllegalArgumentException("a transport address is an absolute hierarchical URI such as "
                    + "quic://host:port, got '" + uri + "'");
        }
        if (uri.toString().length() > MAX_URI_LENGTH) {
            throw new IllegalArgumentException("a transport address has at most " + MAX_URI_LENGTH
                    + " characters, got " + uri.toString().length());
        }
        if (weight < 0 || weight > MAX_WEIGHT) {
            throw new IllegalArgumentException("a transport address weight is between 0 and " + MAX_WEIGHT
                    + ", got " + weight);
        }
    }

    /**
     * @param uri the URI text, such as {@code quic://127.0.0.1:4002}
     * @return the address with {@link #DEFAULT_WEIGHT}
     * @throws IllegalArgumentException if the text is not a valid absolute URI
     */
    public static TransportAddress of(String uri) {
        return new TransportAddress(URI.create(uri), DEFAULT_WEIGHT);
    }

    /** @return the transport scheme, such as {@code quic}, in lower case */
    public String scheme() {
        return uri.getScheme().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public String toString() {
        return uri + " (weight " + weight + ")";
    }
}
