package io.hypha.launcher;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A node's data directory: everything a node writes lives here, so that one distribution can run many nodes.
 * <pre>
 *   felix-cache/   the OSGi framework's storage: installed bundles and their state
 *   conf/          configurations (*.cfg, *.config) applied through ConfigAdmin by FileInstall
 *   deploy/        hot deployment: bundle jars (and feature files) dropped here are installed and started
 *   identity/      the node key (written by io.hypha.identity)
 *   log/hypha.log  the node's log (older ones: hypha.log.1 .. hypha.log.3)
 *   hypha.lock     locked (OS file lock) while a node runs here
 *   hypha.pid      process id of the running node
 *   admin.port     port of the running node's admin endpoint (written by io.hypha.admin)
 *   admin.token    its secret, owner-only, new on every start (written by io.hypha.admin)
 * </pre>
 *
 * @param root the directory (absolute)
 */
public record DataDir(Path root) {
    /** Name of the FileInstall configuration that makes a second watcher for {@code deploy/}. */
    public static final String DEPLOY_WATCHER_CFG = "org.apache.felix.fileinstall-deploy.cfg";
    /** A log larger than this is moved aside to {@code hypha.log.1} when a node starts. */
    static final long LOG_ROTATE_BYTES = 10L << 20;
    /** How many old logs are kept. */
    static final int LOG_GENERATIONS = 3;

    /** @return the framework storage */
    public Path felixCache() {
        return root.resolve("felix-cache");
    }

    /** @return the configuration directory */
    public Path conf() {
        return root.resolve("conf");
    }

    /** @return the hot-deployment directory */
    public Path deploy() {
        return root.resolve("deploy");
    }

    /** @return the log directory */
    public Path logDir() {
        return root.resolve("log");
    }

    /** @return the node's log file */
    public Path logFile() {
        return logDir().resolve("hypha.log");
    }

    /** @return the lock file */
    public Path lockFile() {
        return root.resolve("hypha.lock");
    }

    /** @return the pid file */
    public Path pidFile() {
        return root.resolve("hypha.pid");
    }

    /** @return the admin endpoint's port file */
    public Path adminPort() {
        return root.resolve("admin.port");
    }

    /** @return the admin endpoint's token file */
    public Path adminToken() {
        return root.resolve("admin.token");
    }

    /**
     * Creates the directories. When the data directory is new (no node has used it: no {@code log/}, no
     * {@code felix-cache/}), seeds {@code conf/} with the FileInstall configuration that watches {@code deploy/},
     * unless it holds one already; an operator who later deletes that file keeps it deleted. An operator may prepare
     * {@code conf/} and {@code deploy/} before the first start: the directory is still new.
     *
     * @param pollMillis how often the deploy watcher looks for changes
     * @return whether the data directory was new
     * @throws IOException if a directory or file cannot be made
     */
    public boolean prepare(long pollMillis) throws IOException {
        boolean fresh = !Files.isDirectory(logDir()) && !Files.isDirectory(felixCache());
        Files.createDirectories(conf());
        Files.createDirectories(deploy());
        Files.createDirectories(logDir());
        if (fresh && !Files.exists(conf().resolve(DEPLOY_WATCHER_CFG))) {
            // FileInstall replaces ${hypha.data} with the framework property when it reads the file.
            Files.writeString(conf().resolve(DEPLOY_WATCHER_CFG), """
                    # A second FileInstall watcher: bundles and feature files dropped into deploy/ are installed and
                    # started; removing a file uninstalls what it installed. Delete this file to turn it off.
                    felix.fileinstall.dir = ${hypha.data}/deploy
                    felix.fileinstall.poll = %d
                    felix.fileinstall.noInitialDelay = true
                    """.formatted(pollMillis), StandardCharsets.UTF_8);
        }
        return fresh;
    }

    /** The exclusive hold of a data directory by this process; closing it releases the directory. */
    public static final class Lock implements AutoCloseable {
        private final FileChannel channel;
        private final FileLock lock;

        private Lock(FileChannel channel, FileLock lock) {
            this.channel = channel;
            this.lock = lock;
        }

        @Override
        public void close() throws IOException {
            try {
                lock.release();
            } finally {
                channel.close();
            }
        }
    }

    /**
     * Takes the data directory for this process.
     *
     * @return the lock, or empty if another node (another process, or this one) holds the directory
     * @throws IOException if the lock file cannot be opened
     */
    public Optional<Lock> tryLock() throws IOException {
        Files.createDirectories(root);
        FileChannel channel = FileChannel.open(lockFile(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            FileLock lock = channel.tryLock();
            if (lock != null) {
                return Optional.of(new Lock(channel, lock));
            }
        } catch (OverlappingFileLockException e) {
            // held by this very process
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        channel.close();
        return Optional.empty();
    }

    /**
     * @return whether a node holds the directory now; takes and releases the lock to find out
     * @throws IOException if the lock file exists but cannot be opened
     */
    public boolean inUse() throws IOException {
        if (!Files.exists(lockFile())) {
            return false;
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(lockFile(), StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            return false;
        }
        try (channel) {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                return true;
            }
            lock.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true;
        }
    }

    /**
     * @param pid this process's id
     * @throws IOException if the file cannot be written
     */
    public void writePid(long pid) throws IOException {
        Files.writeString(pidFile(), pid + "\n", StandardCharsets.UTF_8);
    }

    /** @return the pid in the pid file, if there is a readable one */
    public OptionalLong readPid() {
        try {
            return OptionalLong.of(Long.parseLong(Files.readString(pidFile(), StandardCharsets.UTF_8).trim()));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** Deletes the pid file, quietly: called on the way out. */
    public void deletePid() {
        try {
            Files.deleteIfExists(pidFile());
        } catch (IOException e) {
            // nothing more can be done on the way out; a stale pid file is harmless behind the lock
        }
    }

    /**
     * Deletes admin files left by a node that did not stop cleanly, so that clients do not dial a dead port.
     * Only called while holding the lock.
     *
     * @throws IOException if they cannot be deleted
     */
    public void deleteStaleAdminFiles() throws IOException {
        Files.deleteIfExists(adminPort());
        Files.deleteIfExists(adminToken());
    }

    /**
     * Opens the log for appending, first moving a log over {@link #LOG_ROTATE_BYTES} aside.
     *
     * @return a UTF-8 stream that flushes on every line
     * @throws IOException if the log cannot be opened
     */
    public PrintStream openLog() throws IOException {
        Path log = logFile();
        if (Files.exists(log) && Files.size(log) > LOG_ROTATE_BYTES) {
            for (int g = LOG_GENERATIONS - 1; g >= 1; g--) {
                Path older = logDir().resolve("hypha.log." + g);
                if (Files.exists(older)) {
                    Files.move(older, logDir().resolve("hypha.log." + (g + 1)), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Files.move(log, logDir().resolve("hypha.log.1"), StandardCopyOption.REPLACE_EXISTING);
        }
        return new PrintStream(new FileOutputStream(log.toFile(), true), true, StandardCharsets.UTF_8);
    }
}
