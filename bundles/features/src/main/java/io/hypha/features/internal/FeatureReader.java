package io.hypha.features.internal;

import io.hypha.features.FeatureException;
import io.hypha.features.FeatureException.Reason;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.osgi.service.feature.Feature;
import org.osgi.service.feature.FeatureBundle;
import org.osgi.service.feature.ID;

/**
 * Reads feature files with the OSGi R8 Feature Service (Apache Felix's implementation registers it) and checks
 * what Hypha needs beyond the format: a valid feature name, a complete feature id, bundle ids that are safe Maven
 * coordinates, and numeric {@code start-order}s. Any problem is a {@link Reason#MALFORMED} naming the file.
 */
final class FeatureReader {
    /** Bundle metadata key giving the order in which a feature's bundles start (lower first). */
    static final String START_ORDER = "start-order";
    /** Suffix of feature files. */
    static final String SUFFIX = ".json";

    private final org.osgi.service.feature.FeatureService osgiFeatures;

    /** @param osgiFeatures the OSGi feature service that parses the JSON */
    FeatureReader(org.osgi.service.feature.FeatureService osgiFeatures) {
        this.osgiFeatures = osgiFeatures;
    }

    /**
     * @param file a file name
     * @return the feature name the file defines ({@code core.json} → {@code core}), or {@code null} if the file name
     *         does not end in {@code .json} or the rest is not a valid feature name
     */
    static String featureName(Path file) {
        String fileName = file.getFileName().toString();
        if (!fileName.endsWith(SUFFIX)) {
            return null;
        }
        String name = fileName.substring(0, fileName.length() - SUFFIX.length());
        return isValidName(name) ? name : null;
    }

    /**
     * @param name a feature name
     * @return whether it is non-empty and uses letters, digits, {@code . _ -} only
     */
    static boolean isValidName(String name) {
        if (name == null || name.isEmpty() || name.startsWith(".")) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /**
     * Reads and checks one feature file.
     *
     * @param file the file
     * @return the feature it defines
     * @throws FeatureException {@link Reason#MALFORMED} naming the file and the problem
     */
    FeatureDefinition read(Path file) throws FeatureException {
        String fileName = file.getFileName().toString();
        String name = featureName(file);
        if (name == null) {
            throw malformed(fileName, file, "the file name must be <feature-name>.json with letters, digits, '.', '_' or '-'");
        }
        Feature feature = parse(name, file);
        ID id = feature.getID();
        if (id == null || isBlank(id.getGroupId()) || isBlank(id.getArtifactId()) || isBlank(id.getVersion())) {
            throw malformed(name, file, "the feature has no complete \"id\" (group:artifact:version)");
        }
        List<FeatureDefinition.Entry> entries = new ArrayList<>();
        int index = 0;
        for (FeatureBundle bundle : feature.getBundles()) {
            ID bid = bundle.getID();
            ArtifactCoordinates coordinates;
            try {
                coordinates = new ArtifactCoordinates(bid.getGroupId(), bid.getArtifactId(), bid.getVersion(),
                        bid.getType().orElse(null), bid.getClassifier().orElse(null));
            } catch (IllegalArgumentException e) {
                throw malformed(name, file, "bundle '" + bid + "': " + e.getMessage());
            }
            entries.add(new FeatureDefinition.Entry(coordinates, startOrder(name, file, bundle), index++));
        }
        return new FeatureDefinition(name, id.toString(), feature.getDescription().orElse(""), entries, file);
    }

    private Feature parse(String name, Path file) throws FeatureException {
        // The JSON provider lookup uses the context class loader; pin it to the feature service's own loader so
        // whatever loader the calling thread carries (Gogo, FileInstall, a test runner) cannot hand it a foreign one.
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(osgiFeatures.getClass().getClassLoader());
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return osgiFeatures.readFeature(reader);
        } catch (IOException e) {
            throw malformed(name, file, "cannot read it: " + e.getMessage());
        } catch (NullPointerException e) {
            // The Felix reader dereferences missing required members without saying which.
            throw malformed(name, file, "a required member is missing (the feature's \"id\", or the \"id\" of a bundle)");
        } catch (ClassCastException e) {
            throw malformed(name, file, "a member has the wrong JSON type (\"id\" must be a string, \"bundles\" an array of objects)");
        } catch (RuntimeException e) {
            throw malformed(name, file, describe(e));
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /** Turns the Felix reader's and the JSON parser's exceptions into a sentence. */
    private static String describe(RuntimeException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        String invalidId = "Not a valid maven ID";
        if (message.startsWith(invalidId)) {
            return "id '" + message.substring(invalidId.length()).trim() + "' is not group:artifact[:type[:classifier]]:version";
        }
        if (e.getClass().getName().startsWith("jakarta.json")) {
            return "invalid JSON: " + message;
        }
        return message;
    }

    private static long startOrder(String name, Path file, FeatureBundle bundle) throws FeatureException {
        Map<String, Object> metadata = bundle.getMetadata();
        Object value = metadata == null ? null : metadata.get(START_ORDER);
        if (value == null) {
            return FeatureDefinition.NO_START_ORDER;
        }
        try {
            long order = value instanceof Number n ? n.longValue() : Long.parseLong(value.toString().trim());
            if (order < 0) {
                throw new NumberFormatException();
            }
            return order;
        } catch (NumberFormatException e) {
            throw malformed(name, file, "bundle '" + bundle.getID() + "': \"" + START_ORDER + "\" must be a non-negative integer, got " + value);
        }
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    private static FeatureException malformed(String feature, Path file, String problem) {
        return new FeatureException(Reason.MALFORMED, feature, "feature file " + file + " is malformed: " + problem);
    }
}
