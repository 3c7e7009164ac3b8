package io.hypha.api.transport;

/**
 * What a transport protocol guarantees, used to choose between protocols.
 *
 * @param ordered  frames on one connection arrive in the order sent
 * @param reliable frames are retransmitted while the connection lives
 * @param latency  the expected latency class
 * @param privacy  how much the protocol hides who talks to whom
 */
public record TransportCapabilities(boolean ordered, boolean reliable, Latency latency, Privacy privacy) {
    /** Expected latency class. */
    public enum Latency {
        /** Milliseconds (direct IP). */
        LOW,
        /** Seconds (relayed, mixed). */
        MEDIUM,
        /** Minutes to days (delay-tolerant). */
        HIGH
    }

    /** Privacy class. */
    public enum Privacy {
        /** Encrypted, but addresses visible to observers. */
        ENCRYPTED,
        /** Hides the sender's location from the peer (onion, mix). */
        ANONYMOUS
    }
}
