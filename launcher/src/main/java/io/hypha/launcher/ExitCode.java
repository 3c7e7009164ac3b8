package io.hypha.launcher;

/** The launcher's exit codes: one meaning each, so that scripts can tell what happened. */
public enum ExitCode {
    /** The node ran and stopped cleanly, the command succeeded, or the node was stopped. */
    OK(0),
    /** The command failed (or timed out) on the node, the node failed to start, or it did not stop. */
    FAILED(1),
    /** The arguments were wrong; the usage was printed. */
    USAGE(2),
    /** No node runs on the data directory ({@code exec}, {@code stop}). */
    NO_NODE(3),
    /** Another node already runs on the data directory. */
    DATA_DIR_IN_USE(4),
    /** The node's admin endpoint refused the request (wrong token, busy, command too long, other protocol). */
    REFUSED(5);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    /** @return the process exit status */
    public int code() {
        return code;
    }
}
