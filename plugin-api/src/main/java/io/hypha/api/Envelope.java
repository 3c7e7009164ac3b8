package io.hypha.api;

import java.util.Objects;

/**
 * A message between engines: who sent it, where it goes, its id, what it answers, when it expires, its type
 * and its payload.
 *
 * <p>Local delivery hands the same object to the receiving engine without serializing it, so payloads must be
 * immutable (or never mutated after sending). Only what crosses a node boundary is encoded; such payloads must be
 * {@code byte[]} or {@link String}.
 *
 * <p>Build one with {@link #builder()}; engines normally never do, because their
 * {@link io.hypha.api.engine.EngineContext} builds and sends envelopes for them.
 */
public final class Envelope {
    /** {@link #expiresAt()} of a message that never expires. */
    public static final long NEVER = Long.MAX_VALUE;
    /** {@link #inReplyTo()} of a message that answers nothing. */
    public static final long NO_REQUEST = 0L;

    private final EngineAddress src;
    private final EngineAddress dst;
    private final long id;
    private final long inReplyTo;
    private final long expiresAt;
    private final String type;
    private final Object payload;

    private Envelope(Builder b) {
        this.src = b.src;
        this.dst = Objects.requireNonNull(b.dst, "dst");
        this.id = b.id;
        this.inReplyTo = b.inReplyTo;
        this.expiresAt = b.expiresAt;
        this.type = Objects.requireNonNull(b.type, "type");
        this.payload = b.payload;
    }

    /** @return a builder for a new envelope */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the sending engine, or {@code null} when the message came from outside any engine (the console, a test) */
    public EngineAddress src() { return src; }

    /** @return the destination engine */
    public EngineAddress dst() { return dst; }

    /** @return the message id, unique among the messages the sending node sent */
    public long id() { return id; }

    /** @return the id of the request this message answers, or {@link #NO_REQUEST} */
    public long inReplyTo() { return inReplyTo; }

    /** @return whether this message answers a request */
    public boolean isReply() { return inReplyTo != NO_REQUEST; }

    /** @return when the message expires, in milliseconds since the epoch, or {@link #NEVER} */
    public long expiresAt() { return expiresAt; }

    /**
     * @param nowMillis the current time in milliseconds since the epoch
     * @return whether the message has expired at that time
     */
    public boolean isExpired(long nowMillis) { return nowMillis >= expiresAt; }

    /** @return the message type, chosen by the protocol that defines the message (for example {@code echo.request}) */
    public String type() { return type; }

    /** @return the payload; may be {@code null} */
    public Object payload() { return payload; }

    /**
     * @param payloadType the expected type
     * @param <T>         the expected type
     * @return the payload cast to that type
     * @throws ClassCastException if the payload has another type
     */
    public <T> T payload(Class<T> payloadType) { return payloadType.cast(payload); }

    /** @return a builder that starts as a copy of this envelope */
    public Builder toBuilder() {
        return new Builder().src(src).dst(dst).id(id).inReplyTo(inReplyTo).expiresAt(expiresAt).type(type).payload(payload);
    }

    @Override
    public String toString() {
        return "Envelope{" + id + " " + type + " " + src + " -> " + dst + (isReply() ? " re " + inReplyTo : "") + "}";
    }

    /** Builds an {@link Envelope}. Not thread-safe; use one builder per message. */
    public static final class Builder {
        private EngineAddress src;
        private EngineAddress dst;
        private long id;
        private long inReplyTo = NO_REQUEST;
        private long expiresAt = NEVER;
        private String type;
        private Object payload;

        private Builder() {
        }

        /** @param src the sender, or {@code null} @return this builder */
        public Builder src(EngineAddress src) { this.src = src; return this; }

        /** @param dst the destination (required) @return this builder */
        public Builder dst(EngineAddress dst) { this.dst = dst; return this; }

        /** @param id the message id @return this builder */
        public Builder id(long id) { this.id = id; return this; }

        /** @param inReplyTo the id of the request this answers @return this builder */
        public Builder inReplyTo(long inReplyTo) { this.inReplyTo = inReplyTo; return this; }

        /** @param expiresAt expiry in epoch milliseconds, or {@link #NEVER} @return this builder */
        public Builder expiresAt(long expiresAt) { this.expiresAt = expiresAt; return this; }

        /** @param type the message type (required) @return this builder */
        public Builder type(String type) { this.type = type; return this; }

        /** @param payload the payload @return this builder */
        public Builder payload(Object payload) { this.payload = payload; return this; }

        /** @return the envelope @throws NullPointerException if {@code dst} or {@code type} is missing */
        public Envelope build() { return new Envelope(this); }
    }
}
