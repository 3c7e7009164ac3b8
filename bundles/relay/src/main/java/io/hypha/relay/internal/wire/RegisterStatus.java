package io.hypha.relay.internal.wire;

/** The answer of a relay to a registration ({@code hypha.relay.registered}), with its wire code. */
public enum RegisterStatus {
    /** Registered: the relay keeps messages for the edge node and forwards them now. */
    OK(0),
    /** This node does not serve as a relay. */
    NOT_SERVING(1),
    /** The relay holds as many edge nodes as it is configured to. */
    FULL(2),
    /** The relay's store could not be opened or failed. */
    UNAVAILABLE(3);

    private final int code;

    RegisterStatus(int code) {
        this.code = code;
    }

    /** @return the wire code */
    public int code() {
        return code;
    }

    /**
     * @param code a wire code
     * @return the status, or {@code null} if the code is unknown
     */
    public static RegisterStatus ofCode(int code) {
        for (RegisterStatus s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        return null;
    }
}
