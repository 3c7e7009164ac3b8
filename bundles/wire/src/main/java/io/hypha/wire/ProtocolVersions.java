package io.hypha.wire;

import java.util.OptionalInt;

/**
 * The protocol versions this code speaks and how two nodes agree on one: the highest version in both ranges.
 */
public final class ProtocolVersions {
    /** Version 1: the frames of {@code hypha_wire.proto} as {@code docs/wire-protocol.md} describes them. */
    public static final int V1 = 1;
    /** Lowest version this code speaks. */
    public static final int MIN_SUPPORTED = V1;
    /** Highest version this code speaks. */
    public static final int MAX_SUPPORTED = V1;

    private ProtocolVersions() {
    }

    /**
     * Chooses the version for a connection.
     *
     * @param localMin  lowest version this node speaks
     * @param localMax  highest version this node speaks
     * @param remoteMin lowest version the peer speaks
     * @param remoteMax highest version the peer speaks
     * @return the highest version in both ranges, or empty if they do not overlap or a range is invalid (a bound
     *         below 1, or min above max)
     */
    public static OptionalInt highestCommon(int localMin, int localMax, int remoteMin, int remoteMax) {
        if (!isValidRange(localMin, localMax) || !isValidRange(remoteMin, remoteMax)) {
            return OptionalInt.empty();
        }
        int low = Math.max(localMin, remoteMin);
        int high = Math.min(localMax, remoteMax);
        return low <= high ? OptionalInt.of(high) : OptionalInt.empty();
    }

    /**
     * @param min lowest version, as read from a {@code uint32} field into a Java {@code int}
     * @param max highest version, likewise
     * @return whether {@code 1 <= min <= max}; versions of 2^31 and above (negative here) are never valid
     */
    public static boolean isValidRange(int min, int max) {
        return min >= 1 && min <= max;
    }
}
