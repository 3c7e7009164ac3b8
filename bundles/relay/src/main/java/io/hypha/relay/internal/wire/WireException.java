package io.hypha.relay.internal.wire;

import java.util.Objects;

/** Bytes could not be read as a relay message (or as a record inside one); {@link #problem()} says why. */
public final class WireException extends Exception {
    private static final long serialVersionUID = 1L;

    private final WireProblem problem;

    /**
     * @param problem what is wrong
     * @param detail  a sentence for the log; never parsed
     */
    public WireException(WireProblem problem, String detail) {
        super(Objects.requireNonNull(problem, "problem") + ": " + detail, null, false, false);
        this.problem = problem;
    }

    /** @return what is wrong */
    public WireProblem problem() {
        return problem;
    }
}
