package io.hypha.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The bundles the launcher installs before any feature, read from {@code etc/startup.list}: data, not code.
 *
 * <p>One bundle per line, {@code #} starts a comment:
 * <pre>
 *   &lt;start level&gt;  &lt;group:artifact[:type[:classifier]]:version&gt;  [install] [console]
 * </pre>
 * {@code install}: install only (fragments, or bundles someone else starts); {@code console}: only with the
 * interactive console, never headless. Bundles start in start-level order, and in list order within a level.
 *
 * @param entries the bundles in list order
 */
public record StartupList(List<Entry> entries) {
    /**
     * One startup bundle.
     *
     * @param startLevel  its start level (at least 1)
     * @param coordinates where it is in {@code system/}
     * @param start       whether the launcher starts it
     * @param consoleOnly whether it belongs to the interactive console only
     */
    public record Entry(int startLevel, Coordinates coordinates, boolean start, boolean consoleOnly) {
    }

    /** @throws NullPointerException if {@code entries} is null */
    public StartupList {
        entries = List.copyOf(entries);
    }

    /** @return the highest start level in the list */
    public int maxStartLevel() {
        return entries.stream().mapToInt(Entry::startLevel).max().orElse(1);
    }

    /**
     * @param file the list
     * @return its entries
     * @throws IOException              if it cannot be read
     * @throws IllegalArgumentException naming the line, if a line is malformed
     */
    public static StartupList read(Path file) throws IOException {
        return parse(Files.readAllLines(file, StandardCharsets.UTF_8), file.toString());
    }

    /**
     * @param lines  the lines of a list
     * @param source where they come from, for messages
     * @return the entries
     * @throws IllegalArgumentException naming the line, if a line is malformed
     */
    static StartupList parse(List<String> lines, String source) {
        List<Entry> entries = new ArrayList<>();
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n);
            int hash = line.indexOf('#');
            String content = (hash < 0 ? line : line.substring(0, hash)).trim();
            if (content.isEmpty()) {
                continue;
            }
            String where = source + ":" + (n + 1) + ": ";
            String[] words = content.split("\\s+");
            if (words.length < 2) {
                throw new IllegalArgumentException(where + "expected '<start level> <coordinates> [install] [console]'");
            }
            int level;
            try {
                level = Integer.parseInt(words[0]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(where + "start level '" + words[0] + "' is not a number");
            }
            if (level < 1) {
                throw new IllegalArgumentException(where + "start level must be at least 1");
            }
            Coordinates coordinates;
            try {
                coordinates = Coordinates.parse(words[1]);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + e.getMessage());
            }
            boolean start = true;
            boolean console = false;
            for (int w = 2; w < words.length; w++) {
                switch (words[w]) {
                    case "install" -> start = false;
                    case "console" -> console = true;
                    default -> throw new IllegalArgumentException(where + "unknown option '" + words[w] + "' (install, console)");
                }
            }
            entries.add(new Entry(level, coordinates, start, console));
        }
        if (entries.isEmpty()) {
            throw new IllegalArgumentException(source + ": no bundles listed");
        }
        return new StartupList(entries);
    }
}
