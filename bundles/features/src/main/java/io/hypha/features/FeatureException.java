package io.hypha.features;

import java.util.Objects;

/** A feature operation failed; {@link #reason()} says why and the message says what to do. */
public class FeatureException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why a feature operation failed. A closed set, one meaning per case. */
    public enum Reason {
        /** No feature file defines a feature of that name. */
        UNKNOWN_FEATURE,
        /** The feature file is not a valid feature: bad JSON, no id, a bad bundle id or a bad feature name. */
        MALFORMED,
        /** A bundle the feature lists is in none of the repositories; nothing was installed. */
        MISSING_ARTIFACT,
        /** A bundle artifact was found but is not a readable OSGi bundle; nothing was installed. */
        INVALID_ARTIFACT,
        /** Installing or starting a bundle failed; what the operation had installed was rolled back. */
        INSTALL_FAILED,
        /** The feature to uninstall is not installed. */
        NOT_INSTALLED,
        /** Stopping or uninstalling a bundle failed; the feature is recorded as uninstalled, the bundle may remain. */
        UNINSTALL_FAILED
    }

    private final Reason reason;
    private final String feature;

    /**
     * @param reason  why
     * @param feature the feature concerned
     * @param message a sentence for operators
     * @param cause   the underlying exception, or {@code null}
     */
    public FeatureException(Reason reason, String feature, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.feature = Objects.requireNonNull(feature, "feature");
    }

    /**
     * @param reason  why
     * @param feature the feature concerned
     * @param message a sentence for operators
     */
    public FeatureException(Reason reason, String feature, String message) {
        this(reason, feature, message, null);
    }

    /** @return why the operation failed */
    public Reason reason() {
        return reason;
    }

    /** @return the feature concerned */
    public String feature() {
        return feature;
    }
}
