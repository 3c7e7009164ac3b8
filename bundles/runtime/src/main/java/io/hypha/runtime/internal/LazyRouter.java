package io.hypha.runtime.internal;

import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import io.hypha.api.router.Router;
import org.osgi.service.component.ComponentServiceObjects;

/**
 * A bound router that is only fetched on first use.
 *
 * <p>Why: the router needs {@code LocalDelivery} (this runtime) to activate. Fetching the router while the runtime
 * itself is being activated closes that loop and SCR gives up on the router for good ("cycle"). Sends only happen
 * after activation, when fetching is safe.
 */
final class LazyRouter implements Router {
    private final ComponentServiceObjects<Router> objects;
    private volatile Router target;

    LazyRouter(ComponentServiceObjects<Router> objects) {
        this.objects = objects;
    }

    ComponentServiceObjects<Router> objects() {
        return objects;
    }

    private Router target() {
        Router t = target;
        if (t == null) {
            synchronized (this) {
                t = target;
                if (t == null) {
                    t = objects.getService();
                    if (t == null) {
                        throw new IllegalStateException("the router service is going away");
                    }
                    target = t;
                }
            }
        }
        return t;
    }

    /** Releases the router if it was fetched. */
    synchronized void release() {
        Router t = target;
        target = null;
        if (t != null) {
            try {
                objects.ungetService(t);
            } catch (IllegalStateException | IllegalArgumentException gone) {
                // the service is already unregistered: nothing left to release
            }
        }
    }

    @Override
    public NodeId localNode() {
        return target().localNode();
    }

    @Override
    public long nextMessageId() {
        return target().nextMessageId();
    }

    @Override
    public void route(Envelope envelope) {
        target().route(envelope);
    }
}
