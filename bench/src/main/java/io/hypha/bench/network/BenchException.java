package io.hypha.bench.network;

/** Something kept a benchmark run from being measured (a node that does not start, a command that fails). */
final class BenchException extends Exception {
    private static final long serialVersionUID = 1L;

    BenchException(String message) {
        super(message);
    }
}
