package io.hypha.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;

import io.hypha.api.engine.DeadLetterLog;
import io.hypha.api.engine.EngineDirectory;
import io.hypha.api.router.LocalDelivery;
import io.hypha.api.router.Router;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.framework.ServiceReference;

/**
 * The engine runtime and the router need each other: the router delivers locally through the runtime
 * ({@code LocalDelivery}, mandatory), the runtime sends engines' messages through the router (optional, dynamic).
 * Both are delayed DS components, so they are made on first lookup. Whichever core service a bundle looks up
 * first on a fresh node (a console command asks for the {@code EngineDirectory}, a transport for the
 * {@code Router}), that lookup must succeed, the framework must report no error, the {@code Router} must be
 * available, and engines' messages to other nodes must go through it.
 *
 * <p>A fresh framework per method: the first lookup is the point, and nothing else on this node looks the services
 * up before the test does.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class CoreServicesLookupOrderIT extends HyphaTestSupport {
    private final List<String> frameworkErrors = new CopyOnWriteArrayList<>();
    private final FrameworkListener errorListener = event -> {
        if (event.getType() == FrameworkEvent.ERROR) {
            frameworkErrors.add(event.getBundle().getSymbolicName() + ": " + event.getThrowable());
        }
    };

    @Configuration
    public Option[] config() {
        return new Option[] {platform(CoreServicesLookupOrderIT.class), coreBundles()};
    }

    @Before
    public void listenForFrameworkErrors() {
        bundleContext.addFrameworkListener(errorListener);
    }

    @After
    public void stopListening() {
        bundleContext.removeFrameworkListener(errorListener);
    }

    @Test
    public void routerWorksWhenTheEngineDirectoryIsLookedUpFirst() {
        coreWorksWhenLookedUpFirst(EngineDirectory.class);
    }

    @Test
    public void routerWorksWhenLocalDeliveryIsLookedUpFirst() {
        coreWorksWhenLookedUpFirst(LocalDelivery.class);
    }

    @Test
    public void routerWorksWhenTheDeadLetterLogIsLookedUpFirst() {
        coreWorksWhenLookedUpFirst(DeadLetterLog.class);
    }

    @Test
    public void runtimeRoutesThroughTheRouterWhenTheRouterIsLookedUpFirst() {
        coreWorksWhenLookedUpFirst(Router.class);
    }

    private <T> void coreWorksWhenLookedUpFirst(Class<T> first) {
        ServiceReference<T> ref = Await.value(first.getSimpleName() + " to be registered", Await.DEFAULT,
                () -> bundleContext.getServiceReference(first));
        assertNotNull("the first lookup of " + first.getSimpleName() + " got it; framework errors: " + frameworkErrors,
                bundleContext.getService(ref));

        // A registered service that can be got is there within milliseconds; a few seconds tell a broken one.
        Router router = Await.value("a Router that can be got, after " + first.getSimpleName() + " was looked up first"
                + " (framework errors: " + frameworkErrors + ")", Duration.ofSeconds(5), () -> service(Router.class, null));
        assertNotNull(router);

        assertMessagesToOtherNodesReachTheGateway();
        assertEquals("framework errors when " + first.getSimpleName() + " is looked up first", List.of(), frameworkErrors);
    }
}
