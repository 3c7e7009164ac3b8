package io.hypha.features.internal;

import io.hypha.features.FeatureException;
import io.hypha.features.FeatureException.Reason;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The feature files the node knows: {@code *.json} in the feature directories ({@code ${hypha.home}/features}),
 * then in the deploy directory, then files handed over by FileInstall. A later source overrides an earlier one of
 * the same name, so an operator can deploy a changed copy of a distribution feature.
 *
 * <p>Files are re-listed on every call (they are few) and re-parsed only when their size or modification time
 * changes, so a malformed file is reported once per change. Not thread-safe: the caller serialises access.
 */
final class FeatureCatalog {
    private static final Logger LOG = LoggerFactory.getLogger(FeatureCatalog.class);

    private final FeatureReader reader;
    private final Map<Path, Parsed> cache = new HashMap<>();
    private final Set<Path> deployedFiles = new LinkedHashSet<>();

    /** One parse of one file version: a definition or the reason there is none. */
    private record Parsed(FileTime modified, long size, FeatureDefinition definition, FeatureException problem) {
    }

    /** @param reader parses files */
    FeatureCatalog(FeatureReader reader) {
        this.reader = reader;
    }

    /**
     * Adds a file that FileInstall deployed; it overrides directory files of the same name.
     *
     * @param file the feature file
     */
    void addDeployed(Path file) {
        deployedFiles.add(file.toAbsolutePath().normalize());
    }

    /**
     * @param file a file added with {@link #addDeployed}
     */
    void removeDeployed(Path file) {
        Path normal = file.toAbsolutePath().normalize();
        deployedFiles.remove(normal);
        cache.remove(normal);
    }

    /**
     * @param directories the feature directories, in precedence order (later overrides earlier)
     * @return the feature files by feature name, sorted
     */
    Map<String, Path> files(List<Path> directories) {
        Map<String, Path> files = new TreeMap<>();
        for (Path dir : directories) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*" + FeatureReader.SUFFIX)) {
                for (Path file : stream) {
                    String name = FeatureReader.featureName(file);
                    if (name != null && Files.isRegularFile(file)) {
                        files.put(name, file.toAbsolutePath().normalize());
                    }
                }
            } catch (IOException e) {
                LOG.warn("cannot list feature directory {}: {}", dir, e.toString());
            }
        }
        for (Path file : deployedFiles) {
            String name = FeatureReader.featureName(file);
            if (name != null && Files.isRegularFile(file)) {
                files.put(name, file);
            }
        }
        return files;
    }

    /**
     * @param directories the feature directories
     * @return every feature that parses, by name; malformed files are logged (once per change) and left out
     */
    Map<String, FeatureDefinition> definitions(List<Path> directories) {
        Map<String, FeatureDefinition> result = new TreeMap<>();
        for (Map.Entry<String, Path> e : files(directories).entrySet()) {
            Parsed parsed = parse(e.getValue());
            if (parsed.definition() != null) {
                result.put(e.getKey(), parsed.definition());
            }
        }
        return result;
    }

    /**
     * @param directories the feature directories
     * @param name        a feature name
     * @return its definition
     * @throws FeatureException {@link Reason#UNKNOWN_FEATURE} if no file defines it, {@link Reason#MALFORMED} if its
     *                          file is not a valid feature
     */
    FeatureDefinition lookup(List<Path> directories, String name) throws FeatureException {
        Objects.requireNonNull(name, "name");
        Map<String, Path> files = files(directories);
        Path file = files.get(name);
        if (file == null) {
            String known = files.isEmpty() ? "no feature files are present" : "known features: " + String.join(", ", files.keySet());
            throw new FeatureException(Reason.UNKNOWN_FEATURE, name, "no feature named '" + name + "' (" + known + ")");
        }
        Parsed parsed = parse(file);
        if (parsed.problem() != null) {
            throw parsed.problem();
        }
        return parsed.definition();
    }

    private Parsed parse(Path file) {
        FileTime modified;
        long size;
        try {
            modified = Files.getLastModifiedTime(file);
            size = Files.size(file);
        } catch (IOException e) {
            modified = FileTime.fromMillis(0);
            size = -1;
        }
        Parsed cached = cache.get(file);
        if (cached != null && cached.modified().equals(modified) && cached.size() == size) {
            return cached;
        }
        Parsed parsed;
        try {
            parsed = new Parsed(modified, size, reader.read(file), null);
        } catch (FeatureException e) {
            LOG.warn("{}", e.getMessage());
            parsed = new Parsed(modified, size, null, e);
        }
        cache.put(file, parsed);
        return parsed;
    }
}
