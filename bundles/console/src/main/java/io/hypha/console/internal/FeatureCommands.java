package io.hypha.console.internal;

import io.hypha.features.FeatureChange;
import io.hypha.features.FeatureException;
import io.hypha.features.FeatureService;
import java.util.ArrayList;
import java.util.List;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * {@code hypha:feature-install <name> [--dry-run]} and {@code hypha:feature-uninstall <name> [--dry-run]}.
 *
 * <h2>Why a {@code _main} method</h2>
 * Gogo (runtime 1.1.6) finds the Java method for a function by name, ignoring case and trying {@code get}/
 * {@code is}/{@code set} prefixes; a name with a dash matches no Java method. The one method it offers for such
 * names is {@code _main}, called for any function of the service with the function name first. So the dashed
 * commands live in this service of their own, which has {@code _main} and nothing else Gogo could pick; putting
 * {@code _main} beside the other commands would make it a candidate for every one of them. Gogo's {@code help}
 * lists a function only when a method has its exact name, so these two are not in {@code help}; they answer
 * {@code --help} themselves, and {@code help hypha:features} names them.
 */
@Component(service = FeatureCommands.class)
@GogoCommand(scope = "hypha", function = {FeatureCommands.INSTALL, FeatureCommands.UNINSTALL})
public final class FeatureCommands {
    static final String INSTALL = "feature-install";
    static final String UNINSTALL = "feature-uninstall";
    static final String USAGE = "usage: hypha:" + INSTALL + " <name> [--dry-run]   install a feature and start its bundles\n"
            + "       hypha:" + UNINSTALL + " <name> [--dry-run] stop and remove the bundles a feature installed\n"
            + "  --dry-run, -n  show what would change, change nothing\n"
            + "  (hypha:features lists the features)\n";

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile FeatureService featureService;

    /**
     * Gogo's entry point for the dashed functions.
     *
     * @param argv the function name, then the arguments
     * @throws CommandException if the arguments are wrong or the operation fails
     */
    @Descriptor("hypha:feature-install <name> [--dry-run] | hypha:feature-uninstall <name> [--dry-run]")
    public void _main(String... argv) throws CommandException {
        System.out.print(run(argv));
    }

    /** @param argv the function name, then the arguments @return the text to print */
    String run(String... argv) throws CommandException {
        if (argv.length == 0) {
            throw usage("no command");
        }
        String function = argv[0];
        if (!function.equals(INSTALL) && !function.equals(UNINSTALL)) {
            throw usage("unknown command " + function);
        }
        boolean dryRun = false;
        List<String> names = new ArrayList<>();
        for (int i = 1; i < argv.length; i++) {
            String arg = argv[i];
            switch (arg) {
                case "--help", "-h" -> {
                    return USAGE;
                }
                case "--dry-run", "-n" -> dryRun = true;
                default -> {
                    if (arg.startsWith("-")) {
                        throw usage("unknown option " + arg);
                    }
                    names.add(arg);
                }
            }
        }
        if (names.size() != 1) {
            throw usage(names.isEmpty() ? "give the feature name" : "give one feature name, got " + names);
        }
        FeatureService features = featureService;
        if (features == null) {
            throw new CommandException(CommandException.Kind.UNAVAILABLE,
                    "the feature service is not running: the io.hypha.features bundle is missing or stopped (check with lb)");
        }
        String name = names.get(0);
        try {
            boolean install = function.equals(INSTALL);
            FeatureChange change = install ? features.install(name, dryRun) : features.uninstall(name, dryRun);
            return ConsoleFormat.change(install ? "install" : "uninstall", change);
        } catch (FeatureException e) {
            throw new CommandException(CommandException.Kind.FEATURE_FAILED, e.getMessage() + " [" + e.reason() + "]");
        }
    }

    private static CommandException usage(String problem) {
        return new CommandException(CommandException.Kind.BAD_ARGUMENT, problem + "\n" + USAGE);
    }
}
