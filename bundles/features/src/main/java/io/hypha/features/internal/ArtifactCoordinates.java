package io.hypha.features.internal;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Maven coordinates of a bundle artifact, as a feature file names it: {@code group:artifact[:type[:classifier]]:version}
 * (the OSGi R8 feature id form).
 *
 * <p>Every part is checked to hold only {@code [A-Za-z0-9._-]} and not to be {@code .} or {@code ..}, so a feature
 * file can never make the resolver read outside its repositories.
 *
 * @param group      the group id
 * @param artifact   the artifact id
 * @param version    the version
 * @param type       the type (file extension), {@code jar} by default
 * @param classifier the classifier, or {@code null}
 */
record ArtifactCoordinates(String group, String artifact, String version, String type, String classifier) {
    ArtifactCoordinates {
        checkPart("group id", group);
        checkPart("artifact id", artifact);
        checkPart("version", version);
        type = type == null ? "jar" : type;
        checkPart("type", type);
        if (classifier != null) {
            checkPart("classifier", classifier);
        }
    }

    /**
     * Parses {@code group:artifact[:type[:classifier]]:version}.
     *
     * @param text the coordinates
     * @return the parsed coordinates
     * @throws IllegalArgumentException with the reason if the text is not valid coordinates
     */
    static ArtifactCoordinates parse(String text) {
        Objects.requireNonNull(text, "text");
        String[] parts = text.split(":", -1);
        return switch (parts.length) {
            case 3 -> new ArtifactCoordinates(parts[0], parts[1], parts[2], null, null);
            case 4 -> new ArtifactCoordinates(parts[0], parts[1], parts[3], parts[2], null);
            case 5 -> new ArtifactCoordinates(parts[0], parts[1], parts[4], parts[2], parts[3]);
            default -> throw new IllegalArgumentException("'" + text + "' is not group:artifact[:type[:classifier]]:version");
        };
    }

    /** @return where the artifact lies inside a Maven-layout repository */
    Path repositoryPath() {
        String file = artifact + "-" + version + (classifier == null ? "" : "-" + classifier) + "." + type;
        return Path.of(group.replace('.', '/'), artifact, version, file);
    }

    private static void checkPart(String what, String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("the " + what + " is empty");
        }
        if (value.equals(".") || value.equals("..")) {
            throw new IllegalArgumentException("the " + what + " '" + value + "' is not allowed");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
            if (!ok) {
                throw new IllegalArgumentException("the " + what + " '" + value + "' has '" + c + "'; use letters, digits, '.', '_' or '-'");
            }
        }
    }

    /** @return the coordinates in the form feature files use */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(group).append(':').append(artifact);
        if (!type.equals("jar") || classifier != null) {
            sb.append(':').append(type);
            if (classifier != null) {
                sb.append(':').append(classifier);
            }
        }
        return sb.append(':').append(version).toString();
    }
}
