package io.hypha.features.internal;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Which features are installed, which bundles each needs, and which bundles each installed (owns), kept in a
 * properties file in the bundle's data area so it survives restarts. Immutable; changes return a new state.
 *
 * <p>File format, one group of keys per installed feature:
 * <pre>
 * feature.core.id=io.hypha.features:core:0.1.0-SNAPSHOT
 * feature.core.requires=bcprov@1.87.0,io.hypha.api@0.1.0.SNAPSHOT
 * feature.core.owns=7,8
 * </pre>
 */
final class FeatureState {
    private static final String PREFIX = "feature.";

    /**
     * One installed feature.
     *
     * @param name     the feature name
     * @param id       the feature id when it was installed
     * @param requires the bundles it needs (including reused ones), in start order
     * @param owns     ids of the bundles it installed, in start order; removed when no installed feature needs them
     */
    record Installed(String name, String id, List<BundleKey> requires, List<Long> owns) {
        Installed {
            Objects.requireNonNull(name, "name");
            id = id == null ? "" : id;
            requires = List.copyOf(requires);
            owns = List.copyOf(owns);
        }
    }

    private final Map<String, Installed> features;

    FeatureState(Map<String, Installed> features) {
        this.features = Collections.unmodifiableMap(new TreeMap<>(features));
    }

    /** @return the empty state */
    static FeatureState empty() {
        return new FeatureState(Map.of());
    }

    /** @return installed features by name, sorted */
    Map<String, Installed> features() {
        return features;
    }

    /** @param name a feature @return whether it is installed */
    boolean isInstalled(String name) {
        return features.containsKey(name);
    }

    /**
     * @param feature the new or changed entry
     * @return a state with it
     */
    FeatureState with(Installed feature) {
        Map<String, Installed> copy = new TreeMap<>(features);
        copy.put(feature.name(), feature);
        return new FeatureState(copy);
    }

    /**
     * @param name a feature
     * @return a state without it
     */
    FeatureState without(String name) {
        Map<String, Installed> copy = new TreeMap<>(features);
        copy.remove(name);
        return new FeatureState(copy);
    }

    /**
     * Loads the state; a missing file is the empty state.
     *
     * @param file the state file
     * @return the state
     * @throws IOException if the file exists but cannot be read
     */
    static FeatureState load(Path file) throws IOException {
        if (!Files.exists(file)) {
            return empty();
        }
        Properties p = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(reader);
        }
        Map<String, Installed> features = new TreeMap<>();
        for (String key : p.stringPropertyNames()) {
            if (key.startsWith(PREFIX) && key.endsWith(".id")) {
                String name = key.substring(PREFIX.length(), key.length() - ".id".length());
                List<BundleKey> requires = new ArrayList<>();
                for (String item : split(p.getProperty(PREFIX + name + ".requires", ""))) {
                    requires.add(BundleKey.decode(item));
                }
                List<Long> owns = new ArrayList<>();
                for (String item : split(p.getProperty(PREFIX + name + ".owns", ""))) {
                    owns.add(Long.parseLong(item));
                }
                features.put(name, new Installed(name, p.getProperty(key), requires, owns));
            }
        }
        return new FeatureState(features);
    }

    /**
     * Writes the state, atomically where the file system allows.
     *
     * @param file the state file
     * @throws IOException if it cannot be written
     */
    void save(Path file) throws IOException {
        Properties p = new Properties();
        for (Installed f : features.values()) {
            p.setProperty(PREFIX + f.name() + ".id", f.id());
            p.setProperty(PREFIX + f.name() + ".requires", f.requires().stream().map(BundleKey::encode).collect(Collectors.joining(",")));
            p.setProperty(PREFIX + f.name() + ".owns", f.owns().stream().map(String::valueOf).collect(Collectors.joining(",")));
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (Writer writer = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(writer, "Hypha installed features; written by io.hypha.features, do not edit while the node runs");
        }
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static List<String> split(String value) {
        return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
