package io.hypha.multinode;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads what console commands print: {@code name=value} pairs and the counter lines of {@code hypha:transports}. */
final class ConsoleText {
    private static final Pattern PAIR = Pattern.compile("([A-Za-z][\\w.]*)=(\\S+)");

    private ConsoleText() {
    }

    /**
     * @param text text holding {@code name=value} words (a probe's status reply, a counter line)
     * @return every pair, in order
     */
    static Map<String, String> pairs(String text) {
        Map<String, String> pairs = new LinkedHashMap<>();
        Matcher m = PAIR.matcher(text);
        while (m.find()) {
            pairs.put(m.group(1), m.group(2));
        }
        return pairs;
    }

    /**
     * @param text text holding {@code name=<number>}
     * @param name the name
     * @return the number, or -1 if the name is not there
     */
    static long number(String text, String name) {
        String value = pairs(text).get(name);
        return value == null ? -1 : Long.parseLong(value);
    }

    /**
     * Reads one counter of {@code hypha:transports}, whose counter lines look like
     * {@code refused tls: denied=1 malformed=2} ({@code none} when all are zero).
     *
     * @param transports the command's output
     * @param line       the line's start, e.g. {@code refused tls}
     * @param counter    the counter, e.g. {@code denied}
     * @return its value; 0 if the line says none or lacks it
     * @throws AssertionError if the line is missing
     */
    static long counter(String transports, String line, String counter) {
        String found = transports.lines().filter(l -> l.startsWith(line + ":")).findFirst()
                .orElseThrow(() -> new AssertionError("no line '" + line + ":' in:\n" + transports));
        long value = number(found.substring(line.length() + 1), counter);
        return Math.max(0, value);
    }
}
