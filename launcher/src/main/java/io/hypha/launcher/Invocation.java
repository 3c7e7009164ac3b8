package io.hypha.launcher;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the launcher was asked to do, parsed from its arguments.
 *
 * <pre>
 *   hypha [--data DIR] [--headless]          run a node (interactive console unless --headless)
 *   hypha exec [--data DIR] COMMAND...       run one Gogo command on the node running on DIR
 *   hypha stop [--data DIR]                  stop the node running on DIR
 *   hypha --help                             print the usage
 * </pre>
 *
 * Options are declared once in {@link Option} with the modes they apply to, so a new one (for example a repeatable
 * {@code --seed URI} for {@code run}) is one constant and one record component.
 */
public sealed interface Invocation {
    /** The data directory when {@code --data} is not given, relative to the working directory. */
    Path DEFAULT_DATA = Path.of("data");

    /**
     * Run a node in the foreground.
     *
     * @param data     the data directory (absolute)
     * @param headless no console: no terminal needed, for services and tests
     */
    record Run(Path data, boolean headless) implements Invocation {
    }

    /**
     * Run one command on a running node.
     *
     * @param data    the running node's data directory (absolute)
     * @param command the Gogo command line
     */
    record Exec(Path data, String command) implements Invocation {
    }

    /**
     * Stop a running node.
     *
     * @param data the running node's data directory (absolute)
     */
    record Stop(Path data) implements Invocation {
    }

    /** Print the usage. */
    record Help() implements Invocation {
    }

    /** The arguments cannot be understood; the message says which one and why. */
    final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message, null, false, false);
        }
    }

    /** The modes (sub-commands) of the launcher. */
    enum Mode {
        /** Run a node. */
        RUN,
        /** Run one command on a running node. */
        EXEC,
        /** Stop a running node. */
        STOP
    }

    /** The options, each with the modes in which it is accepted. */
    enum Option {
        /** The node's data directory. */
        DATA("--data", true, "DIR", "data directory of the node (default ./data)", EnumSet.allOf(Mode.class)),
        /** No console. */
        HEADLESS("--headless", false, null, "no console, no terminal needed (services, scripts)", EnumSet.of(Mode.RUN)),
        /** Usage. */
        HELP("--help", false, null, "print this help", EnumSet.allOf(Mode.class));

        final String flag;
        final boolean takesValue;
        final String valueName;
        final String description;
        final Set<Mode> modes;

        Option(String flag, boolean takesValue, String valueName, String description, Set<Mode> modes) {
            this.flag = flag;
            this.takesValue = takesValue;
            this.valueName = valueName;
            this.description = description;
            this.modes = modes;
        }

        static Option byFlag(String flag) {
            for (Option o : values()) {
                if (o.flag.equals(flag)) {
                    return o;
                }
            }
            return null;
        }
    }

    /**
     * Parses the launcher's arguments.
     *
     * @param args       the arguments
     * @param workingDir the directory relative data directories are resolved against
     * @return what to do
     * @throws UsageException if the arguments are not understood
     */
    static Invocation parse(List<String> args, Path workingDir) throws UsageException {
        Mode mode = Mode.RUN;
        int i = 0;
        if (!args.isEmpty()) {
            switch (args.get(0)) {
                case "exec" -> {
                    mode = Mode.EXEC;
                    i = 1;
                }
                case "stop" -> {
                    mode = Mode.STOP;
                    i = 1;
                }
                case "help" -> {
                    return new Help();
                }
                default -> {
                }
            }
        }
        Map<Option, List<String>> options = new LinkedHashMap<>();
        List<String> positional = new ArrayList<>();
        for (; i < args.size(); i++) {
            String arg = args.get(i);
            if (!positional.isEmpty() || !arg.startsWith("--")) {
                positional.add(arg);
                continue;
            }
            if (arg.equals("--")) {
                positional.addAll(args.subList(i + 1, args.size()));
                break;
            }
            int eq = arg.indexOf('=');
            String flag = eq < 0 ? arg : arg.substring(0, eq);
            Option option = Option.byFlag(flag);
            if (option == null || !option.modes.contains(mode)) {
                throw new UsageException("unknown option " + flag + (option == null ? "" : " for " + mode.name().toLowerCase()));
            }
            String value = null;
            if (option.takesValue) {
                if (eq >= 0) {
                    value = arg.substring(eq + 1);
                } else if (i + 1 < args.size()) {
                    value = args.get(++i);
                }
                if (value == null || value.isEmpty()) {
                    throw new UsageException(flag + " needs a value: " + flag + " " + option.valueName);
                }
            } else if (eq >= 0) {
                throw new UsageException(flag + " takes no value");
            }
            List<String> values = options.computeIfAbsent(option, o -> new ArrayList<>());
            if (!values.isEmpty()) {
                throw new UsageException(flag + " given twice");
            }
            values.add(value);
        }
        if (options.containsKey(Option.HELP)) {
            return new Help();
        }
        Path data = workingDir.resolve(options.containsKey(Option.DATA)
                ? Path.of(options.get(Option.DATA).get(0)) : DEFAULT_DATA).toAbsolutePath().normalize();
        return switch (mode) {
            case RUN -> {
                if (!positional.isEmpty()) {
                    throw new UsageException("unexpected argument '" + positional.get(0) + "'");
                }
                yield new Run(data, options.containsKey(Option.HEADLESS));
            }
            case EXEC -> {
                if (positional.isEmpty()) {
                    throw new UsageException("exec needs a command, for example: hypha exec --data DIR 'hypha:node'");
                }
                String command = String.join(" ", positional);
                if (command.indexOf('\n') >= 0 || command.indexOf('\r') >= 0) {
                    throw new UsageException("the command must be one line; separate commands with ';'");
                }
                if (command.isBlank()) {
                    throw new UsageException("the command is empty");
                }
                yield new Exec(data, command);
            }
            case STOP -> {
                if (!positional.isEmpty()) {
                    throw new UsageException("unexpected argument '" + positional.get(0) + "'");
                }
                yield new Stop(data);
            }
        };
    }

    /** @return the usage text, generated from {@link Option} so it never lists an option that does not exist */
    static String usage() {
        StringBuilder sb = new StringBuilder();
        sb.append("""
                Usage:
                  hypha [--data DIR] [--headless]       run a node; without --headless with an interactive console
                  hypha exec [--data DIR] COMMAND...    run one console command on the node running on DIR
                  hypha stop [--data DIR]               stop the node running on DIR
                  hypha --help                          print this help

                Options:
                """);
        for (Option o : Option.values()) {
            String left = o.flag + (o.takesValue ? " " + o.valueName : "");
            List<String> modes = new ArrayList<>();
            o.modes.forEach(m -> modes.add(m.name().toLowerCase()));
            sb.append(String.format("  %-20s %s (%s)%n", left, o.description, String.join(", ", modes)));
        }
        sb.append("""

                Examples:
                  hypha                                   console node with data in ./data
                  hypha --data /var/lib/hypha --headless  background node (logs in /var/lib/hypha/log/hypha.log)
                  hypha exec --data /var/lib/hypha 'hypha:node'
                  hypha stop --data /var/lib/hypha

                A node logs to DIR/log/hypha.log. In the console, Ctrl-C interrupts the running command and Ctrl-D
                stops the node; a headless node stops on SIGTERM/Ctrl-C or with 'hypha stop'.

                Exit codes: 0 ok, 1 failed, 2 usage, 3 no node running, 4 data directory in use, 5 refused by the node.
                """);
        return sb.toString();
    }
}
