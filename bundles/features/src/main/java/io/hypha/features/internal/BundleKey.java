package io.hypha.features.internal;

import java.util.Objects;
import org.osgi.framework.Version;

/**
 * A bundle's identity as the framework sees it: symbolic name and version. Two bundles with the same key are the
 * same bundle for feature purposes, whatever their location.
 *
 * @param symbolicName the Bundle-SymbolicName without directives
 * @param version      the normalised Bundle-Version ({@code 0.1.0.SNAPSHOT}, {@code 1.87.0})
 */
record BundleKey(String symbolicName, String version) implements Comparable<BundleKey> {
    BundleKey {
        Objects.requireNonNull(symbolicName, "symbolicName");
        Objects.requireNonNull(version, "version");
    }

    /**
     * @param symbolicNameHeader a Bundle-SymbolicName header, possibly with directives ({@code ;singleton:=true})
     * @param versionHeader      a Bundle-Version header, or {@code null} for 0.0.0
     * @return the key
     * @throws IllegalArgumentException if the version is not an OSGi version
     */
    static BundleKey of(String symbolicNameHeader, String versionHeader) {
        int semi = symbolicNameHeader.indexOf(';');
        String name = (semi < 0 ? symbolicNameHeader : symbolicNameHeader.substring(0, semi)).trim();
        return new BundleKey(name, Version.parseVersion(versionHeader == null ? null : versionHeader.trim()).toString());
    }

    /**
     * Parses the form {@link #encode()} writes.
     *
     * @param text {@code name@version}
     * @return the key
     * @throws IllegalArgumentException if the text has no {@code @}
     */
    static BundleKey decode(String text) {
        int at = text.lastIndexOf('@');
        if (at <= 0) {
            throw new IllegalArgumentException("not name@version: " + text);
        }
        return new BundleKey(text.substring(0, at), text.substring(at + 1));
    }

    /** @return {@code name@version}, the form kept in the state file */
    String encode() {
        return symbolicName + "@" + version;
    }

    @Override
    public int compareTo(BundleKey o) {
        int c = symbolicName.compareTo(o.symbolicName);
        return c != 0 ? c : version.compareTo(o.version);
    }

    /** @return {@code name version}, the form operators see */
    @Override
    public String toString() {
        return symbolicName + " " + version;
    }
}
