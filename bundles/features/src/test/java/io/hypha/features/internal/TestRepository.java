package io.hypha.features.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** Builds a Maven-layout repository of tiny bundle jars (manifest only) for tests. */
final class TestRepository {
    final Path root;

    TestRepository(Path root) {
        this.root = root;
    }

    /** Puts a bundle jar at the coordinates' place. @return the jar */
    Path bundle(String coordinates, String symbolicName, String version) throws IOException {
        return jar(coordinates, symbolicName, version, null);
    }

    /** Puts a fragment jar. @return the jar */
    Path fragment(String coordinates, String symbolicName, String version, String host) throws IOException {
        return jar(coordinates, symbolicName, version, host);
    }

    /** Puts a jar without OSGi headers. @return the jar */
    Path plainJar(String coordinates) throws IOException {
        return jar(coordinates, null, null, null);
    }

    /** Puts a bundle jar with extra manifest headers (Export-Package, Import-Package, ...). @return the jar */
    Path bundle(String coordinates, String symbolicName, String version, java.util.Map<String, String> headers) throws IOException {
        Path file = jar(coordinates, symbolicName, version, null);
        Manifest manifest;
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(file.toFile())) {
            manifest = jar.getManifest();
        }
        headers.forEach(manifest.getMainAttributes()::putValue);
        try (OutputStream out = Files.newOutputStream(file); JarOutputStream jar = new JarOutputStream(out, manifest)) {
            jar.flush();
        }
        return file;
    }

    private Path jar(String coordinates, String symbolicName, String version, String host) throws IOException {
        Path file = root.resolve(ArtifactCoordinates.parse(coordinates).repositoryPath());
        Files.createDirectories(file.getParent());
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (symbolicName != null) {
            main.putValue("Bundle-ManifestVersion", "2");
            main.putValue("Bundle-SymbolicName", symbolicName + ";singleton:=true");
            main.putValue("Bundle-Version", version);
        }
        if (host != null) {
            main.putValue("Fragment-Host", host);
        }
        try (OutputStream out = Files.newOutputStream(file); JarOutputStream jar = new JarOutputStream(out, manifest)) {
            jar.flush();
        }
        return file;
    }

    /** Writes a feature file. @return the file */
    static Path featureFile(Path dir, String name, String json) throws IOException {
        Files.createDirectories(dir);
        return Files.writeString(dir.resolve(name + ".json"), json);
    }

    /** @return the JSON of a feature with these bundle ids (each {@code id} or {@code id|start-order}) */
    static String feature(String name, String... bundles) {
        StringBuilder sb = new StringBuilder("{\n  \"feature-resource-version\": \"1.0\",\n  \"id\": \"test:" + name + ":1.0.0\",\n");
        sb.append("  \"description\": \"the ").append(name).append(" feature\",\n  \"bundles\": [");
        for (int i = 0; i < bundles.length; i++) {
            String[] parts = bundles[i].split("\\|");
            sb.append(i == 0 ? "\n" : ",\n").append("    { \"id\": \"").append(parts[0]).append('"');
            if (parts.length > 1) {
                sb.append(", \"start-order\": ").append(parts[1]);
            }
            sb.append(" }");
        }
        return sb.append("\n  ]\n}\n").toString();
    }
}
