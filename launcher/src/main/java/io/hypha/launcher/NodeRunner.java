package io.hypha.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.startlevel.FrameworkStartLevel;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.framework.wiring.FrameworkWiring;

/**
 * Runs one node in this process until its framework stops: takes the data directory, boots Felix with the startup
 * bundles of {@code etc/startup.list}, and (interactive mode) starts the Gogo console on the terminal. The seeds of
 * {@code --seed} reach the node as the framework property {@code hypha.seeds}.
 *
 * <h2>Boot order</h2>
 * The framework starts at start level 1, where only logging lives; the launcher then initialises the logging
 * backend, so that it writes to the log file before Gogo takes over {@code System.out}/{@code System.err} (Gogo
 * routes them per thread to sessions), and raises the start level to the last startup level + 1, which is also the
 * level of every bundle installed later (features, {@code deploy/}). Console bundles start last, transiently, so a
 * later headless start of the same data directory never starts them.
 *
 * <h2>Restart</h2>
 * The framework keeps installed bundles in {@code felix-cache/}; a startup bundle whose symbolic name is already
 * installed is left as it is, even if the distribution now has another version (delete {@code felix-cache/} to take
 * the distribution's versions; the node key in {@code identity/} is kept).
 */
final class NodeRunner {
    /** How long the shutdown hook waits for the framework to stop. */
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    /** How long the boot waits for the start level to be reached. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    /** How often FileInstall looks at conf/ and deploy/. */
    static final long POLL_MILLIS = 1000;
    /** Boot features when {@code -Dhypha.features.boot} does not say otherwise. */
    static final String BOOT_FEATURES = "core,console,tls,quic,relay";

    private final Distribution distribution;
    private final Invocation.Run run;
    private final DataDir data;
    private final PrintStream out;
    private final PrintStream err;
    private volatile Framework framework;
    private volatile BootLog log;

    /**
     * @param distribution the installed distribution
     * @param run          what to run
     * @param out          the terminal's standard output (the launcher's own messages)
     * @param err          the terminal's standard error
     */
    NodeRunner(Distribution distribution, Invocation.Run run, PrintStream out, PrintStream err) {
        this.distribution = distribution;
        this.run = run;
        this.data = new DataDir(run.data());
        this.out = out;
        this.err = err;
    }

    /**
     * Runs the node until it stops.
     *
     * @return {@link ExitCode#OK} after a clean stop, {@link ExitCode#DATA_DIR_IN_USE} if another node holds the data
     *         directory, {@link ExitCode#FAILED} if the node could not start or stopped with an error
     * @throws Exception if the node cannot be started
     */
    ExitCode run() throws Exception {
        StartupList startup = StartupList.read(distribution.startupList());
        List<String> missing = new ArrayList<>();
        for (StartupList.Entry e : startup.entries()) {
            if (!Files.isRegularFile(distribution.artifact(e.coordinates()))) {
                missing.add(e.coordinates() + " (" + distribution.artifact(e.coordinates()) + ")");
            }
        }
        if (!missing.isEmpty()) {
            err.println("The distribution at " + distribution.home() + " lacks startup bundles: " + String.join(", ", missing)
                    + ". Rebuild it: mvn -DskipTests install");
            return ExitCode.FAILED;
        }
        Optional<DataDir.Lock> lock = data.tryLock();
        if (lock.isEmpty()) {
            err.println("Another Hypha node" + data.readPid().stream().mapToObj(p -> " (pid " + p + ")").findFirst().orElse("")
                    + " is running with data directory " + data.root() + ".\nStop it with: hypha stop --data " + data.root()
                    + "\nor start this node with another --data directory.");
            return ExitCode.DATA_DIR_IN_USE;
        }
        try (DataDir.Lock held = lock.get()) {
            boolean fresh = data.prepare(POLL_MILLIS);
            data.deleteStaleAdminFiles();
            data.writePid(ProcessHandle.current().pid());
            // Not closed: framework threads may still print to it while the JVM exits.
            PrintStream logStream = data.openLog();
            try {
                // Everything the JVM prints from now on (framework, FileInstall, stray stack traces) goes to the log,
                // not to the terminal, where the console is or where nobody reads in headless mode.
                System.setOut(logStream);
                System.setErr(logStream);
                configureLogging();
                log = new BootLog(logStream);
                log.info("Hypha node starting: data " + data.root() + (fresh ? " (new)" : "") + ", distribution "
                        + distribution.home() + ", pid " + ProcessHandle.current().pid() + (run.headless() ? ", headless" : "")
                        + (run.seeds().isEmpty() ? "" : ", seeds " + String.join(" ", run.seeds())));
                Runtime.getRuntime().addShutdownHook(new Thread(this::stopOnSignal, "hypha-shutdown-hook"));
                return runFramework(startup);
            } finally {
                data.deletePid();
            }
        }
    }

    /** Boots the framework and waits for it to stop; boots it again when the system bundle was updated. */
    private ExitCode runFramework(StartupList startup) throws Exception {
        while (true) {
            Framework fw = newFramework(startup);
            framework = fw;
            try {
                boot(fw, startup);
            } catch (Exception e) {
                log.error("Hypha node failed to start", e);
                err.println("Hypha node failed to start: " + e.getMessage() + " (details in " + data.logFile() + ")");
                stopQuietly(fw);
                return ExitCode.FAILED;
            }
            if (run.headless()) {
                out.println("Hypha node running (pid " + ProcessHandle.current().pid() + ") with data directory " + data.root()
                        + "; log: " + data.logFile() + "; stop it with: hypha stop --data " + data.root());
            }
            FrameworkEvent event = fw.waitForStop(0);
            switch (event.getType()) {
                case FrameworkEvent.STOPPED_UPDATE, FrameworkEvent.STOPPED_SYSTEM_REFRESHED -> {
                    log.info("Framework updated; starting it again");
                    continue;
                }
                case FrameworkEvent.ERROR -> {
                    log.error("Framework stopped with an error", event.getThrowable());
                    err.println("Hypha node stopped with an error; see " + data.logFile());
                    return ExitCode.FAILED;
                }
                default -> {
                    log.info("Hypha node stopped");
                    if (run.headless()) {
                        out.println("Hypha node stopped.");
                    }
                    return ExitCode.OK;
                }
            }
        }
    }

    private Framework newFramework(StartupList startup) {
        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class, NodeRunner.class.getClassLoader())
                .findFirst().orElseThrow(() -> new IllegalStateException("no OSGi framework on the class path (lib/)"));
        return factory.newFramework(frameworkProperties(startup));
    }

    /**
     * @return the framework properties; system properties named {@code hypha.*} (for example
     *         {@code -Dhypha.features.boot=core} in {@code HYPHA_JAVA_OPTS}) override the defaults
     */
    Map<String, String> frameworkProperties(StartupList startup) {
        Map<String, String> p = new HashMap<>();
        p.put(Constants.FRAMEWORK_STORAGE, data.felixCache().toString());
        p.put(Constants.FRAMEWORK_BEGINNING_STARTLEVEL, "1");
        p.put("felix.startlevel.bundle", Integer.toString(startup.maxStartLevel() + 1));
        p.put("felix.log.level", "2");
        p.put("hypha.home", distribution.home().toString());
        p.put("hypha.data", data.root().toString());
        p.put("hypha.features.boot", BOOT_FEATURES);
        p.put("felix.fileinstall.dir", data.conf().toString());
        p.put("felix.fileinstall.filter", ".*\\.(cfg|config)");
        p.put("felix.fileinstall.poll", Long.toString(POLL_MILLIS));
        p.put("felix.fileinstall.noInitialDelay", "true");
        p.put("felix.fileinstall.log.level", "2");
        // conf/ is the operator's: FileInstall must never write configurations back into it. Its write-back raced
        // with its own first read of the deploy/ watcher's file and could leave that file empty.
        p.put("felix.fileinstall.enableConfigSave", "false");
        p.put("gosh.home", distribution.home().toString());
        p.put("gosh.args", run.headless() ? "--nointeractive" : "");
        for (String name : System.getProperties().stringPropertyNames()) {
            // hypha.home and hypha.data come from the distribution and --data, which the lock and pid file follow
            if (name.startsWith("hypha.") && !name.equals(Distribution.HOME_PROPERTY) && !name.equals("hypha.data")) {
                p.put(name, System.getProperty(name));
            }
        }
        String seeds = seeds(p.get(Invocation.Run.SEEDS_PROPERTY), run.seeds());
        if (!seeds.isEmpty()) {
            p.put(Invocation.Run.SEEDS_PROPERTY, seeds);
        }
        return p;
    }

    /**
     * The seeds the node gets: those of {@code -Dhypha.seeds} (in {@code HYPHA_JAVA_OPTS}) and then those of
     * {@code --seed}, each once.
     *
     * @param property the comma-separated seeds of the system property, or {@code null}
     * @param options  the seeds of the command line
     * @return the comma-separated seeds, empty if none
     */
    static String seeds(String property, List<String> options) {
        java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>();
        if (property != null) {
            for (String s : property.split(",")) {
                if (!s.isBlank()) {
                    all.add(s.trim());
                }
            }
        }
        all.addAll(options);
        return String.join(",", all);
    }

    /**
     * slf4j-simple reads system properties. It writes to the {@code System.err} it finds at initialisation, which is
     * the log file (see {@link #initLoggingBackend}); an operator's {@code -D} settings win.
     */
    private static void configureLogging() {
        Map<String, String> defaults = Map.of(
                "org.slf4j.simpleLogger.logFile", "System.err",
                "org.slf4j.simpleLogger.cacheOutputStream", "true",
                "org.slf4j.simpleLogger.defaultLogLevel", "info",
                "org.slf4j.simpleLogger.showDateTime", "true",
                "org.slf4j.simpleLogger.dateTimeFormat", BootLog.TIMESTAMP_PATTERN,
                "org.slf4j.simpleLogger.showThreadName", "true",
                "org.slf4j.simpleLogger.levelInBrackets", "true");
        defaults.forEach((k, v) -> {
            if (System.getProperty(k) == null) {
                System.setProperty(k, v);
            }
        });
    }

    private void boot(Framework fw, StartupList startup) throws Exception {
        fw.init();
        BundleContext context = fw.getBundleContext();
        Map<String, Bundle> installed = new HashMap<>();
        for (Bundle b : context.getBundles()) {
            if (b.getSymbolicName() != null) {
                installed.put(b.getSymbolicName(), b);
            }
        }
        List<Bundle> console = new ArrayList<>();
        for (StartupList.Entry entry : startup.entries()) {
            Path jar = distribution.artifact(entry.coordinates());
            String bsn = symbolicName(jar);
            Bundle bundle = installed.get(bsn);
            if (entry.consoleOnly() && run.headless()) {
                if (bundle != null && bundle.adapt(BundleStartLevel.class).isPersistentlyStarted()) {
                    bundle.stop(); // never start the console without a terminal
                }
                continue;
            }
            if (bundle == null) {
                bundle = context.installBundle(jar.toUri().toString());
                installed.put(bsn, bundle);
            } else if (!bundle.getVersion().toString().equals(versionOf(jar))) {
                log.info("Keeping " + bsn + " " + bundle.getVersion() + " from felix-cache; the distribution has " + versionOf(jar));
            }
            bundle.adapt(BundleStartLevel.class).setStartLevel(entry.startLevel());
            if (entry.consoleOnly()) {
                if (entry.start()) {
                    console.add(bundle);
                }
            } else if (entry.start()) {
                bundle.start(); // persistent: effective once the framework reaches the bundle's start level
            }
        }
        fw.start();
        initLoggingBackend(context, installed.get("slf4j.api"));
        raiseStartLevel(fw, startup.maxStartLevel() + 1);
        for (Bundle b : context.getBundles()) {
            if (b.getState() == Bundle.INSTALLED && b.getHeaders().get(Constants.FRAGMENT_HOST) == null
                    && b.adapt(BundleStartLevel.class).isPersistentlyStarted()) {
                log.warn("Bundle " + b.getSymbolicName() + " " + b.getVersion() + " did not resolve; "
                        + "run 'diag " + b.getBundleId() + "' or see the log above");
            }
        }
        startConsole(fw, console, installed.get("org.jline"));
        log.info("Hypha node started with " + context.getBundles().length + " bundles");
    }

    /**
     * Starts the console bundles transiently. JLine finds its terminal providers (exec, jni) as resources of the
     * thread's context class loader, which outside a bundle is the launcher's: without its own loader as context,
     * it finds none and falls back to a dumb terminal (no line editing, no history).
     */
    private static void startConsole(Framework fw, List<Bundle> console, Bundle jline) throws BundleException {
        if (console.isEmpty()) {
            return;
        }
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        fw.adapt(FrameworkWiring.class).resolveBundles(console);
        BundleWiring wiring = jline == null ? null : jline.adapt(BundleWiring.class);
        try {
            if (wiring != null) {
                thread.setContextClassLoader(wiring.getClassLoader());
            }
            for (Bundle b : console) {
                b.start(Bundle.START_TRANSIENT);
            }
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /**
     * Creates the first slf4j logger from inside the framework, which makes slf4j-simple bind to the current
     * {@code System.err} (the log file) before Gogo replaces it; then routes the launcher's own log through slf4j.
     */
    private void initLoggingBackend(BundleContext context, Bundle slf4j) {
        if (slf4j == null || slf4j.getState() != Bundle.ACTIVE) {
            log.warn("slf4j-api is not active at start level 1; bundle logs may end up in console sessions");
            return;
        }
        try {
            Class<?> factory = slf4j.loadClass("org.slf4j.LoggerFactory");
            Object logger = factory.getMethod("getLogger", String.class).invoke(null, "io.hypha.launcher");
            log = log.through(logger);
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn("Could not initialise slf4j from the launcher: " + e);
        }
    }

    private void raiseStartLevel(Framework fw, int level) throws InterruptedException {
        CountDownLatch reached = new CountDownLatch(1);
        fw.adapt(FrameworkStartLevel.class).setStartLevel(level, event -> {
            if (event.getType() == FrameworkEvent.STARTLEVEL_CHANGED) {
                reached.countDown();
            }
        });
        if (!reached.await(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            log.warn("Start level " + level + " not reached within " + START_TIMEOUT.toSeconds() + " s; continuing");
        }
    }

    /** The shutdown hook: SIGTERM or Ctrl-C stops the framework cleanly, bounded by {@link #STOP_TIMEOUT}. */
    private void stopOnSignal() {
        Framework fw = framework;
        if (fw == null || (fw.getState() & (Bundle.STARTING | Bundle.ACTIVE | Bundle.STOPPING)) == 0) {
            return;
        }
        BootLog l = log;
        if (l != null) {
            l.info("Signal received; stopping the node");
        }
        try {
            fw.stop();
            if (fw.waitForStop(STOP_TIMEOUT.toMillis()).getType() == FrameworkEvent.WAIT_TIMEDOUT && l != null) {
                l.warn("Framework did not stop within " + STOP_TIMEOUT.toSeconds() + " s; exiting anyway");
            }
        } catch (BundleException | InterruptedException | RuntimeException e) {
            if (l != null) {
                l.error("Stopping the framework failed", e);
            }
        } finally {
            data.deletePid();
        }
    }

    private void stopQuietly(Framework fw) {
        try {
            fw.stop();
            fw.waitForStop(STOP_TIMEOUT.toMillis());
        } catch (BundleException | InterruptedException | RuntimeException e) {
            log.error("Stopping the framework after a failed start failed", e);
        }
    }

    private static String symbolicName(Path jar) throws IOException {
        String header = manifestHeader(jar, Constants.BUNDLE_SYMBOLICNAME);
        if (header == null) {
            throw new IOException(jar + " is not an OSGi bundle (no Bundle-SymbolicName)");
        }
        int semi = header.indexOf(';');
        return (semi < 0 ? header : header.substring(0, semi)).trim();
    }

    private static String versionOf(Path jar) throws IOException {
        String header = manifestHeader(jar, Constants.BUNDLE_VERSION);
        return org.osgi.framework.Version.parseVersion(header == null ? null : header.trim()).toString();
    }

    private static String manifestHeader(Path jar, String name) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            return file.getManifest() == null ? null : file.getManifest().getMainAttributes().getValue(name);
        }
    }

    /**
     * The launcher's own log: lines in slf4j-simple's format on the log stream until slf4j is up, then through an
     * slf4j logger of the framework (called reflectively: the launcher is outside the framework).
     */
    static final class BootLog {
        /** The timestamp format the launcher gives slf4j-simple, so that all lines of the log look alike. */
        static final String TIMESTAMP_PATTERN = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX";
        private static final java.time.format.DateTimeFormatter TIMESTAMP =
                java.time.format.DateTimeFormatter.ofPattern(TIMESTAMP_PATTERN);
        private final PrintStream stream;
        private final Object logger;

        BootLog(PrintStream stream) {
            this(stream, null);
        }

        private BootLog(PrintStream stream, Object logger) {
            this.stream = stream;
            this.logger = logger;
        }

        BootLog through(Object slf4jLogger) {
            return new BootLog(stream, slf4jLogger);
        }

        void info(String message) {
            log("info", "INFO", message, null);
        }

        void warn(String message) {
            log("warn", "WARN", message, null);
        }

        void error(String message, Throwable t) {
            log("error", "ERROR", message, t);
        }

        private void log(String method, String level, String message, Throwable t) {
            if (logger != null) {
                try {
                    if (t == null) {
                        Method m = logger.getClass().getMethod(method, String.class);
                        m.invoke(logger, message);
                    } else {
                        Method m = logger.getClass().getMethod(method, String.class, Throwable.class);
                        m.invoke(logger, message, t);
                    }
                    return;
                } catch (ReflectiveOperationException | RuntimeException e) {
                    // fall through to the plain stream
                }
            }
            stream.println(TIMESTAMP.format(java.time.OffsetDateTime.now()) + " [" + Thread.currentThread().getName() + "] [" + level
                    + "] io.hypha.launcher - " + message);
            if (t != null) {
                t.printStackTrace(stream);
            }
        }
    }
}
