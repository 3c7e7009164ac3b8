package io.hypha.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class StartupListTest {
    @Test
    void readsLevelsCoordinatesAndOptionsInListOrderIgnoringComments() {
        StartupList list = StartupList.parse(List.of(
                "# comment",
                "",
                "1  org.slf4j:slf4j-api:1.7.36",
                "1  org.slf4j:slf4j-simple:1.7.36   install   # a fragment",
                "5  org.jline:jline:3.29.0 console"), "test");

        assertThat(list.entries()).containsExactly(
                new StartupList.Entry(1, Coordinates.parse("org.slf4j:slf4j-api:1.7.36"), true, false),
                new StartupList.Entry(1, Coordinates.parse("org.slf4j:slf4j-simple:1.7.36"), false, false),
                new StartupList.Entry(5, Coordinates.parse("org.jline:jline:3.29.0"), true, true));
        assertThat(list.maxStartLevel()).isEqualTo(5);
    }

    @Test
    void namesTheLineOfAMalformedEntry() {
        assertThatThrownBy(() -> StartupList.parse(List.of("1 a:b:1", "x a:b:1"), "etc/startup.list"))
                .hasMessageStartingWith("etc/startup.list:2: ").hasMessageContaining("'x'");
        assertThatThrownBy(() -> StartupList.parse(List.of("0 a:b:1"), "f")).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> StartupList.parse(List.of("1 a:b"), "f")).hasMessageContaining("f:1: ");
        assertThatThrownBy(() -> StartupList.parse(List.of("1 a:b:1 start"), "f")).hasMessageContaining("unknown option 'start'");
        assertThatThrownBy(() -> StartupList.parse(List.of("1"), "f")).hasMessageContaining("expected");
        assertThatThrownBy(() -> StartupList.parse(List.of("# nothing"), "f")).hasMessageContaining("no bundles");
    }

    @Test
    void coordinatesMapToMavenRepositoryPaths() {
        assertThat(Coordinates.parse("org.apache.felix:org.apache.felix.scr:2.2.18").repositoryPath())
                .isEqualTo(Path.of("org/apache/felix/org.apache.felix.scr/2.2.18/org.apache.felix.scr-2.2.18.jar"));
        assertThat(Coordinates.parse("g.h:a:zip:dist:1.0").repositoryPath()).isEqualTo(Path.of("g/h/a/1.0/a-1.0-dist.zip"));
        assertThat(Coordinates.parse("g:a:war:2").toString()).isEqualTo("g:a:war:2");
        assertThat(Coordinates.parse("g:a:2").toString()).isEqualTo("g:a:2");
    }

    @Test
    void coordinatesCannotEscapeTheRepository() {
        assertThatThrownBy(() -> Coordinates.parse("..:a:1")).hasMessageContaining("group id");
        assertThatThrownBy(() -> Coordinates.parse("g:a/b:1")).hasMessageContaining("artifact id");
        assertThatThrownBy(() -> Coordinates.parse("g:a:1:2:3:4")).hasMessageContaining("group:artifact");
    }
}
