package io.hypha.launcher;

import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Maven coordinates of an artifact in the distribution's {@code system/} repository, written
 * {@code group:artifact[:type[:classifier]]:version} (the form OSGi feature files use for bundle ids).
 *
 * @param group      group id
 * @param artifact   artifact id
 * @param version    version
 * @param type       file extension, {@code jar} when absent
 * @param classifier classifier, or {@code null}
 */
public record Coordinates(String group, String artifact, String version, String type, String classifier) {
    private static final Pattern PART = Pattern.compile("[A-Za-z0-9._-]+");

    /** @throws IllegalArgumentException if a part is empty, {@code .}/{@code ..}, or has characters outside {@code [A-Za-z0-9._-]} */
    public Coordinates {
        type = type == null ? "jar" : type;
        check("group id", group);
        check("artifact id", artifact);
        check("version", version);
        check("type", type);
        if (classifier != null) {
            check("classifier", classifier);
        }
    }

    /**
     * @param text {@code group:artifact[:type[:classifier]]:version}
     * @return the coordinates
     * @throws IllegalArgumentException if the text is not of that form
     */
    public static Coordinates parse(String text) {
        String[] p = Objects.requireNonNull(text, "text").trim().split(":", -1);
        return switch (p.length) {
            case 3 -> new Coordinates(p[0], p[1], p[2], null, null);
            case 4 -> new Coordinates(p[0], p[1], p[3], p[2], null);
            case 5 -> new Coordinates(p[0], p[1], p[4], p[2], p[3]);
            default -> throw new IllegalArgumentException("'" + text + "' is not group:artifact[:type[:classifier]]:version");
        };
    }

    /** @return the artifact's path relative to the root of a Maven-layout repository */
    public Path repositoryPath() {
        String file = artifact + "-" + version + (classifier == null ? "" : "-" + classifier) + "." + type;
        return Path.of(group.replace('.', '/'), artifact, version, file);
    }

    private static void check(String what, String value) {
        if (value == null || !PART.matcher(value).matches() || value.equals(".") || value.equals("..")) {
            throw new IllegalArgumentException("invalid " + what + " '" + value + "' in Maven coordinates");
        }
    }

    @Override
    public String toString() {
        return group + ":" + artifact + (classifier != null ? ":" + type + ":" + classifier : type.equals("jar") ? "" : ":" + type)
                + ":" + version;
    }
}
