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
 *   hypha [--data DIR] [--headless] [--seed URI]...
 *                                            run a node (interactive console unless --headless), dialling the seeds
 *   hypha exec [--data DIR] COMMAND...       run one Gogo command on the node running on DIR
 *   hypha stop [--data DIR]                  stop the node running on DIR
 *   hypha --help                             print the usage
 * </pre>
 *
 * Options are declared once in {@link Option} with the modes they apply to (and whether they may be repeated, as
 * {@code --seed URI} may), so a new one is one constant and one record component.
 */
public sealed interface Invocation {
    /** The data directory when {@code --data} is not given, relative to the working directory. */
    Path DEFAULT_DATA = Path.of("data");

    /**
     * Run a node in the foreground.
     *
     * @param data     the data directory (absolute)
     * @param headless no console: no terminal needed, for services and tests
     * @param seeds    seed node addresses ({@code scheme://[nodeid@]host:port}) the node dials at start to join the
     *                 network, in the order given; passed to the node as the framework property {@value #SEEDS_PROPERTY}
     */
    record Run(Path data, boolean headless, List<String> seeds) implements Invocation {
        /** Framework property naming the seeds, comma-separated; the NetRegistry reads it. */
        public static final String SEEDS_PROPERTY = "hypha.seeds";

        /** Copies the seeds. */
        public Run {
            seeds = List.copyOf(seeds);
        }

        /**
         * A run without seeds.
         *
         * @param data     the data directory (absolute)
         * @param headless no console
         */
        public Run(Path data, boolean headless) {
            this(data, headless, List.of());
        }
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
        DATA("--data", true, false, "DIR", "data directory of the node (default ./data)", EnumSet.allOf(Mode.class)),
        /** No console. */
        HEADLESS("--headless", false, false, null, "no console, no terminal needed (services, scripts)", EnumSet.of(Mode.RUN)),
        /** A seed node; repeatable. */
        SEED("--seed", true, true, "URI", "a node to dial at start to join the network, scheme://[nodeid@]host:port,"
                + " e.g. tls://127.0.0.1:4001; repeatable; added to the seeds of configuration io.hypha.netregistry",
                EnumSet.of(Mode.RUN)),
        /** Usage. */
        HELP("--help", false, false, null, "print this help", EnumSet.allOf(Mode.class));

        final String flag;
        final boolean takesValue;
        final boolean repeatable;
        final String valueName;
        final String description;
        final Set<Mode> modes;

        Option(String flag, boolean takesValue, boolean repeatable, String valueName, String description, Set<Mode> modes) {
            this.flag = flag;
            this.takesValue = takesValue;
            this.repeatable = repeatable;
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
            if (!values.isEmpty() && !option.repeatable) {
                throw new UsageException(flag + " given twice");
            }
            if (option == Option.SEED) {
                checkSeed(value);
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
                yield new Run(data, options.containsKey(Option.HEADLESS), options.getOrDefault(Option.SEED, List.of()));
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

    /**
     * Checks a seed address as far as the launcher can: {@code scheme://[nodeid@]host:port}. Whether the scheme has a
     * transport is for the node to find out (it logs seeds it cannot dial).
     *
     * @param seed what was given after {@code --seed}
     * @throws UsageException with what is wrong
     */
    private static void checkSeed(String seed) throws UsageException {
        String hint = "--seed needs scheme://[nodeid@]host:port, e.g. --seed tls://127.0.0.1:4001; got '" + seed + "'";
        if (seed.indexOf(',') >= 0) {
            throw new UsageException(hint + " (give one address per --seed)");
        }
        java.net.URI uri;
        try {
            uri = new java.net.URI(seed);
        } catch (java.net.URISyntaxException e) {
            throw new UsageException(hint);
        }
        if (uri.getScheme() == null || uri.getHost() == null || uri.getPort() < 1) {
            throw new UsageException(hint);
        }
        String user = uri.getUserInfo();
        if (user != null && !user.matches("[a-zA-Z2-7]{52}")) {
            throw new UsageException("the node id in seed '" + seed + "' is not a node id (52 base32 characters, as"
                    + " hypha:node prints it)");
        }
    }

    /** @return the usage text, generated from {@link Option} so it never lists an option that does not exist */
    static String usage() {
        StringBuilder sb = new StringBuilder();
        sb.append("""
                Usage:
                  hypha [--data DIR] [--headless] [--seed URI]...
                                                        run a node; without --headless with an interactive console
                  hypha exec [--data DIR] COMMAND...    run one console command on the node running on DIR
                  hypha stop [--data DIR]               stop the node running on DIR
                  hypha --help                          print this help

                Options:
                """);
        for (Option o : Option.values()) {
            String left = o.flag + (o.takesValue ? " " + o.valueName : "") + (o.repeatable ? "..." : "");
            List<String> modes = new ArrayList<>();
            o.modes.forEach(m -> modes.add(m.name().toLowerCase()));
            sb.append(String.format("  %-20s %s (%s)%n", left, o.description, String.join(", ", modes)));
        }
        sb.append("""

                Examples:
                  hypha                                   console node with data in ./data
                  hypha --data /var/lib/hypha --headless  background node (logs in /var/lib/hypha/log/hypha.log)
                  hypha --seed tls://192.0.2.7:4001       join the network through the node at 192.0.2.7
                  hypha exec --data /var/lib/hypha 'hypha:node'
                  hypha stop --data /var/lib/hypha

                A node logs to DIR/log/hypha.log. In the console, Ctrl-C interrupts the running command and Ctrl-D
                stops the node; a headless node stops on SIGTERM/Ctrl-C or with 'hypha stop'.

                Exit codes: 0 ok, 1 failed, 2 usage, 3 no node running, 4 data directory in use, 5 refused by the node.
                """);
        return sb.toString();
    }
}
