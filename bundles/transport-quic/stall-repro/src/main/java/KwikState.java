import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Collection;
import java.util.Map;

/**
 * Diagnostics only: reads kwik 0.10.9's internal state of a stalled connection by reflection (field names of that
 * version), to show what the sender believes: congestion window and bytes in flight, queued send requests, and per
 * stream the send-request counter, buffered bytes, offsets and flow-control credit.
 */
final class KwikState {
    private KwikState() {
    }

    static String describe(Object connection) {
        StringBuilder out = new StringBuilder();
        try {
            Object sender = call(connection, "getSender");
            Object cc = get(sender, "congestionController");
            out.append("cwnd=").append(get(cc, "congestionWindow")).append(" inFlight=").append(get(cc, "bytesInFlight"));
            Object[] queues = (Object[]) get(sender, "sendRequestQueue");
            out.append(" sendRequests=[");
            for (Object q : queues) {
                if (q != null) {
                    out.append(((Collection<?>) get(q, "requestQueue")).size()).append(' ');
                }
            }
            out.append("] signalled=").append(get(sender, "signalled"));
            Object streams = get(call(connection, "getStreamManager"), "streams");
            Object flow = get(call(connection, "getStreamManager"), "flowController");
            out.append(" maxDataAllowed=").append(get(flow, "maxDataAllowed")).append(" maxDataAssigned=").append(get(flow, "maxDataAssigned"));
            for (Object stream : ((Map<?, ?>) streams).values()) {
                Object os = get(stream, "outputStream");
                Object buffer = get(os, "sendBuffer");
                Object streamId = get(stream, "streamId");
                out.append("\n  stream ").append(streamId)
                        .append(": sendRequestsQueued=").append(get(os, "sendRequestsQueued"))
                        .append(" buffered=").append(call(buffer, "getAvailableBytes"))
                        .append(" currentOffset=").append(get(os, "currentOffset"))
                        .append(" blockedOffset=").append(get(os, "blockedOffset"))
                        .append(" streamAllowed=").append(((Map<?, ?>) get(flow, "maxStreamDataAllowed")).get(streamId))
                        .append(" streamAssigned=").append(((Map<?, ?>) get(flow, "maxStreamDataAssigned")).get(streamId));
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            out.append(" (could not read: ").append(e).append(')');
        }
        return out.toString();
    }

    private static Object get(Object target, String name) throws ReflectiveOperationException {
        for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f.get(target);
            } catch (NoSuchFieldException e) {
                // look further up
            }
        }
        throw new NoSuchFieldException(name + " in " + target.getClass());
    }

    private static Object call(Object target, String name) throws ReflectiveOperationException {
        for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Method m = c.getDeclaredMethod(name);
                m.setAccessible(true);
                return m.invoke(target);
            } catch (NoSuchMethodException e) {
                // look further up
            }
        }
        throw new NoSuchMethodException(name + " in " + target.getClass());
    }
}
