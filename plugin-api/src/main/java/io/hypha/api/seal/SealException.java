package io.hypha.api.seal;

import java.util.Objects;

/** A sealed payload could not be opened; {@link #reason()} says why. Nothing of the payload is revealed. */
public final class SealException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why a sealed payload could not be opened. */
    public enum Reason {
        /** The bytes are not a sealed payload of a known format: too short, or an unknown format version. */
        MALFORMED,
        /** The payload was sealed for another node; it was not opened. */
        NOT_FOR_THIS_NODE,
        /** The payload was meant for this node but was altered (or forged), so its authentication failed. */
        TAMPERED
    }

    private final Reason reason;

    /**
     * @param reason why
     * @param detail a sentence for operators; never parsed
     */
    public SealException(Reason reason, String detail) {
        super(Objects.requireNonNull(reason, "reason") + ": " + detail);
        this.reason = reason;
    }

    /** @return why the payload could not be opened */
    public Reason reason() {
        return reason;
    }
}
