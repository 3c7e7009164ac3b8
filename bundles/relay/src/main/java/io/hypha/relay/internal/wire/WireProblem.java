package io.hypha.relay.internal.wire;

/** What is wrong with bytes that should hold a relay message. A closed set, for counters and logs. */
public enum WireProblem {
    /** The envelope type is not one of the relay protocol's. */
    UNKNOWN_TYPE,
    /** The payload is not a byte array. */
    NOT_BYTES,
    /** The first byte names a format version this node does not know. */
    UNKNOWN_VERSION,
    /** The bytes end inside a field. */
    TRUNCATED,
    /** A field holds a value outside its range (a count, a length, an engine name, a reason code, a sequence number). */
    BAD_FIELD,
    /** Bytes follow the last field. */
    TRAILING_BYTES
}
