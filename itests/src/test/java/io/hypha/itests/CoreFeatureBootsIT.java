package io.hypha.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.hypha.api.NodeId;
import io.hypha.api.engine.DeadLetterLog;
import io.hypha.api.engine.EngineDirectory;
import io.hypha.api.identity.CryptoSuite;
import io.hypha.api.identity.NodeIdentity;
import io.hypha.api.router.LocalDelivery;
import io.hypha.api.router.Router;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

/** A node with only the core bundles boots on a real Felix and offers the core services. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class CoreFeatureBootsIT extends HyphaTestSupport {

    @Configuration
    public Option[] config() {
        return new Option[] {platform(CoreFeatureBootsIT.class), coreBundles()};
    }

    @Test
    public void coreServicesAreRegistered() {
        NodeIdentity identity = awaitService(NodeIdentity.class, Await.DEFAULT);
        awaitService(CryptoSuite.class, Await.DEFAULT);
        Router router = awaitService(Router.class, Await.DEFAULT);
        awaitService(LocalDelivery.class, Await.DEFAULT);
        awaitService(EngineDirectory.class, Await.DEFAULT);
        awaitService(DeadLetterLog.class, Await.DEFAULT);

        assertEquals("the router routes for the node the identity bundle names", identity.id(), router.localNode());
    }

    @Test
    public void everyBundleIsActiveAndFragmentsAreResolved() {
        awaitService(Router.class, Await.DEFAULT);
        for (String bsn : CORE_BUNDLES) {
            requireBundle(bsn);
        }
        List<String> wrong = new ArrayList<>();
        for (Bundle b : bundleContext.getBundles()) {
            int expected = isFragment(b) ? Bundle.RESOLVED : Bundle.ACTIVE;
            if (b.getState() != expected) {
                wrong.add(b.getSymbolicName() + " is " + stateName(b.getState()) + ", expected " + stateName(expected));
            }
        }
        assertTrue("bundles not in their expected state: " + wrong + "; all: " + describeBundles(), wrong.isEmpty());
    }

    @Test
    public void enginesSendToOtherNodesThroughTheRouterAndTheRemoteGateway() {
        awaitService(Router.class, Await.DEFAULT);
        assertMessagesToOtherNodesReachTheGateway();
    }

    @Test
    public void nodeKeyIsKeptInTheDataDirectoryAndSigningWorks() throws Exception {
        NodeIdentity identity = awaitService(NodeIdentity.class, Await.DEFAULT);
        CryptoSuite crypto = awaitService(CryptoSuite.class, Await.DEFAULT);

        Path keyFile = Path.of(bundleContext.getProperty("hypha.data"), "identity", "node.key");
        assertTrue("the node key is at " + keyFile, Files.isRegularFile(keyFile));

        byte[] message = "hello".getBytes(StandardCharsets.UTF_8);
        byte[] signature = identity.sign("hypha-itest-v1", message);
        assertTrue("a signature by the node verifies", crypto.verify(identity.id(), "hypha-itest-v1", message, signature));
        assertTrue("a signature does not verify under another context",
                !crypto.verify(identity.id(), "hypha-other-v1", message, signature));
        assertEquals("the node id round-trips through its text form", identity.id(), NodeId.parse(identity.id().toString()));
        assertArrayEquals("BLAKE3 is deterministic", crypto.digest(message), crypto.digest(message.clone()));
    }
}
