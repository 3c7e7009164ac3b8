package io.hypha.console.internal;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Optional;
import org.apache.felix.service.command.Converter;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * Lets Gogo turn what an operator types into a {@link Bundle}: a bundle id ({@code update 36}) or a symbolic name
 * ({@code update io.hypha.transport.quic}). Gogo's standard commands ({@code update}, {@code stop}, {@code start},
 * {@code headers}...) take {@code Bundle} parameters, and Gogo's own converter for them comes with the interactive
 * console (gogo.jline), which a headless node never starts: without this one, {@code ./hypha exec 'update 36'} fails
 * with "Cannot coerce update(Token)". With both present, either answers.
 */
@Component(service = Converter.class, property = Converter.CONVERTER_CLASSES + "=org.osgi.framework.Bundle")
public final class BundleConverter implements Converter {
    private final BundleContext context;

    /** @param context this bundle's context, to look bundles up */
    @Activate
    public BundleConverter(BundleContext context) {
        this.context = context;
    }

    /**
     * @param desiredType the parameter type Gogo needs
     * @param in          what was typed (a token) or computed (a number)
     * @return the bundle it names, or {@code null} if it names none (or another type is wanted), so that Gogo tries
     *         other converters and otherwise reports the mismatch
     */
    @Override
    public Object convert(Class<?> desiredType, Object in) {
        if (desiredType != Bundle.class || in == null) {
            return null;
        }
        return find(in).orElse(null);
    }

    /** Formatting is left to Gogo and its other converters. */
    @Override
    public CharSequence format(Object target, int level, Converter escape) {
        return null;
    }

    /**
     * @param in a bundle id (number or digits) or a symbolic name
     * @return the bundle: by id, or the highest version installed under that symbolic name
     */
    Optional<Bundle> find(Object in) {
        if (in instanceof Number n) {
            return Optional.ofNullable(context.getBundle(n.longValue()));
        }
        String text = in.toString().trim();
        if (text.isEmpty()) {
            return Optional.empty();
        }
        if (text.chars().allMatch(Character::isDigit)) {
            try {
                return Optional.ofNullable(context.getBundle(Long.parseLong(text)));
            } catch (NumberFormatException e) {
                return Optional.empty(); // more digits than a long holds: no such bundle
            }
        }
        return Arrays.stream(context.getBundles()).filter(b -> text.equals(b.getSymbolicName()))
                .max(Comparator.comparing(Bundle::getVersion));
    }
}
