package io.hypha.admin.internal;

import java.io.OutputStream;

/**
 * Runs one command line and writes what it prints. Isolates the admin server from Gogo, so that the protocol can be
 * tested with a fake.
 */
@FunctionalInterface
interface CommandRunner {
    /**
     * Runs a command to completion. Called on an admin command thread, which is interrupted when the command times
     * out.
     *
     * @param command the command line
     * @param out     where the command's output (standard output and error) goes
     * @return {@code null} if the command succeeded, otherwise why it failed, as a sentence for the operator
     */
    String run(String command, OutputStream out);
}
