package io.hypha.bench.probe;

/**
 * What the benchmark engines share about their text commands (what {@code hypha:send <engine> <text>} sends): the
 * message types and the parsing of {@code name=value} options and numbers. Parse failures carry the sentence to answer.
 */
final class Commands {
    /** Type of the text requests the engines understand (what the console sends). */
    static final String TEXT_TYPE = "text";
    /** Reply type of a command that worked. */
    static final String OK_TYPE = "bench.ok";
    /** Reply type of a command that was refused. */
    static final String ERROR_TYPE = "bench.error";

    private Commands() {
    }

    /**
     * @param word an option word
     * @return its name and value
     * @throws IllegalArgumentException if it is not {@code name=value}
     */
    static String[] pair(String word) {
        String[] kv = word.split("=", 2);
        if (kv.length != 2) {
            throw new IllegalArgumentException("option '" + word + "' is not name=value");
        }
        return kv;
    }

    /**
     * @return the number
     * @throws IllegalArgumentException if {@code text} is not a number from {@code min} to {@code max}
     */
    static long number(String name, String text, long min, long max) {
        long value;
        try {
            value = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, got '" + text + "'");
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be " + min + " to " + max + ", got " + value);
        }
        return value;
    }
}
