package io.hypha.bench;

/**
 * The payload every benchmark sends, on both sides: a small immutable object naming its sender. Each sender
 * sends one prebuilt instance over and over, so neither side pays for allocating payloads.
 *
 * @param sender the index of the sending benchmark thread, from 0
 */
public record Token(int sender) {
    /** The message type Hypha messages carry (Pekko has none). */
    public static final String TYPE = "bench.token";
}
