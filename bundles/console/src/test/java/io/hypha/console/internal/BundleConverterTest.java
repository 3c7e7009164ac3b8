package io.hypha.console.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.CommandSessionImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Version;

class BundleConverterTest {
    private final BundleContext context = mock(BundleContext.class);
    private final Bundle quicOld = bundle(36, "io.hypha.transport.quic", "0.1.0");
    private final Bundle quicNew = bundle(40, "io.hypha.transport.quic", "0.2.0");
    private final Bundle echo = bundle(7, "io.hypha.example.echo", "0.1.0");
    private final BundleConverter converter = new BundleConverter(context);

    BundleConverterTest() {
        when(context.getBundles()).thenReturn(new Bundle[] {echo, quicOld, quicNew});
        when(context.getBundle(7L)).thenReturn(echo);
        when(context.getBundle(36L)).thenReturn(quicOld);
    }

    private static Bundle bundle(long id, String name, String version) {
        Bundle b = mock(Bundle.class);
        when(b.getBundleId()).thenReturn(id);
        when(b.getSymbolicName()).thenReturn(name);
        when(b.getVersion()).thenReturn(Version.parseVersion(version));
        return b;
    }

    @Test
    void aTypedIdOrANumberNamesTheBundleWithThatId() {
        assertThat(converter.convert(Bundle.class, "36")).isSameAs(quicOld);
        assertThat(converter.convert(Bundle.class, 7L)).isSameAs(echo);
    }

    @Test
    void aSymbolicNameNamesItsHighestInstalledVersion() {
        assertThat(converter.convert(Bundle.class, "io.hypha.transport.quic")).isSameAs(quicNew);
    }

    @Test
    void whatNamesNoBundleOrAnotherTypeIsLeftToOtherConverters() {
        assertThat(converter.convert(Bundle.class, "99")).isNull();
        assertThat(converter.convert(Bundle.class, "99999999999999999999999")).isNull();
        assertThat(converter.convert(Bundle.class, "no.such.bundle")).isNull();
        assertThat(converter.convert(Bundle.class, " ")).isNull();
        assertThat(converter.convert(String.class, "36")).isNull();
        assertThat(converter.format(echo, 0, null)).isNull();
    }

    /** A command with a Bundle parameter, as Gogo's update, stop and start are. */
    public static final class Probe {
        public String which(Bundle bundle) {
            return bundle.getSymbolicName();
        }
    }

    @Test
    void gogoTurnsTheIdAnOperatorTypesIntoTheBundleAStandardCommandNeeds() throws Exception {
        ThreadIOImpl threadIO = new ThreadIOImpl();
        threadIO.start();
        CommandProcessorImpl processor = new CommandProcessorImpl(threadIO);
        processor.addCommand("test", new Probe(), "which");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CommandSessionImpl session = processor.createSession(new ByteArrayInputStream(new byte[0]), out, out);
        try {
            Throwable withoutConverter = catchThrowable(() -> session.execute("which 36"));
            processor.addConverter(converter);

            assertThat(withoutConverter).hasMessageContaining("Cannot coerce which");
            assertThat(session.execute("which 36")).isEqualTo("io.hypha.transport.quic");
            assertThat(session.execute("which io.hypha.example.echo")).isEqualTo("io.hypha.example.echo");
        } finally {
            session.close();
            processor.stop();
            threadIO.stop();
        }
    }
}
