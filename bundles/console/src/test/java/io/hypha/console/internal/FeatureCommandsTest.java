package io.hypha.console.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.hypha.features.FeatureException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FeatureCommandsTest {
    private final Fakes.Features features = new Fakes.Features();
    private FeatureCommands commands;

    @BeforeEach
    void setUp() {
        commands = new FeatureCommands();
        commands.featureService = features;
    }

    @Test
    void installsAndPrintsTheChange() throws Exception {
        String text = commands.run("feature-install", "core");

        assertThat(features.calls).containsExactly(new Fakes.Features.Call("install", "core", false));
        assertThat(text).startsWith("feature 'core' installed:").contains("install    a 1.0.0");
    }

    @Test
    void aDryRunIsPassedOnWhereverTheFlagStands() throws Exception {
        commands.run("feature-install", "--dry-run", "core");
        commands.run("feature-uninstall", "core", "-n");

        assertThat(features.calls).containsExactly(
                new Fakes.Features.Call("install", "core", true), new Fakes.Features.Call("uninstall", "core", true));
    }

    @Test
    void uninstallsAndPrintsTheChange() throws Exception {
        String text = commands.run("feature-uninstall", "echo");

        assertThat(features.calls).containsExactly(new Fakes.Features.Call("uninstall", "echo", false));
        assertThat(text).startsWith("feature 'echo' uninstalled:").contains("uninstall  a 1.0.0");
    }

    @Test
    void aFeatureFailureFailsTheCommandWithItsMessageAndReason() {
        features.failure = new FeatureException(FeatureException.Reason.MISSING_ARTIFACT, "core", "feature 'core' needs g:a:1, found in no repository");

        CommandException e = catchThrowableOfType(() -> commands.run("feature-install", "core"), CommandException.class);

        assertThat(e.kind()).isEqualTo(CommandException.Kind.FEATURE_FAILED);
        assertThat(e.getMessage()).contains("g:a:1", "MISSING_ARTIFACT");
    }

    @Test
    void wrongArgumentsFailWithTheUsage() {
        for (String[] argv : new String[][] {{"feature-install"}, {"feature-install", "a", "b"}, {"feature-install", "--force", "a"}}) {
            CommandException e = catchThrowableOfType(() -> commands.run(argv), CommandException.class);
            assertThat(e.kind()).isEqualTo(CommandException.Kind.BAD_ARGUMENT);
            assertThat(e.getMessage()).contains("usage: hypha:feature-install");
        }
        assertThat(features.calls).isEmpty();
    }

    @Test
    void helpPrintsTheUsageAndDoesNothing() throws Exception {
        assertThat(commands.run("feature-uninstall", "--help")).isEqualTo(FeatureCommands.USAGE);
        assertThat(commands.run("feature-install", "core", "-h")).isEqualTo(FeatureCommands.USAGE);
        assertThat(features.calls).isEmpty();
    }

    @Test
    void saysSoWhenTheFeatureServiceIsMissing() {
        commands.featureService = null;

        assertThat(catchThrowableOfType(() -> commands.run("feature-install", "core"), CommandException.class).kind())
                .isEqualTo(CommandException.Kind.UNAVAILABLE);
    }
}
