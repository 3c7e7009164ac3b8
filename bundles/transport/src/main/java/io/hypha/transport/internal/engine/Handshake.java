package io.hypha.transport.internal.engine;

import com.google.protobuf.ByteString;
import io.hypha.api.NodeId;
import io.hypha.wire.FrameCodec;
import io.hypha.wire.Hello;
import io.hypha.wire.HelloReply;
import io.hypha.wire.ProtocolVersions;
import java.util.Arrays;
import java.util.OptionalInt;

/**
 * The connect handshake's rules as pure functions (docs/wire-protocol.md section 4): what a Hello and a HelloReply
 * carry, the listener's checks in their order, and the dialler's check of an OK reply.
 */
final class Handshake {
    private Handshake() {
    }

    /**
     * The listener's verdict on a Hello.
     *
     * @param result  the result to reply
     * @param version the chosen version when {@code result} is OK
     * @param reason  a sentence for operators when it is not
     */
    record Verdict(HelloReply.Result result, int version, String reason) {
        static Verdict ok(int version) {
            return new Verdict(HelloReply.Result.OK, version, "");
        }

        static Verdict refuse(HelloReply.Result result, String reason) {
            return new Verdict(result, 0, reason);
        }

        boolean isOk() {
            return result == HelloReply.Result.OK;
        }
    }

    /**
     * The checks of section 4.2 that need no session state, in order: identity, destination, policy, versions.
     * Capacity (check 5) is the caller's.
     *
     * @param hello         the Hello
     * @param authenticated the node TLS proved
     * @param self          this node
     * @param minVersion    lowest version this node speaks
     * @param maxVersion    highest version this node speaks
     * @return the verdict
     */
    static Verdict check(Hello hello, NodeId authenticated, NodeId self, int minVersion, int maxVersion) {
        if (hello.getNodeId().size() != NodeId.LENGTH || !Arrays.equals(hello.getNodeId().toByteArray(), authenticated.publicKey())) {
            return Verdict.refuse(HelloReply.Result.DENIED, "the Hello names node " + describe(hello.getNodeId())
                    + " but the connection authenticated node " + authenticated);
        }
        if (!hello.getDialledNodeId().equals(bytes(self))) {
            return Verdict.refuse(HelloReply.Result.DENIED, "this is node " + self + ", not node "
                    + describe(hello.getDialledNodeId()));
        }
        if (authenticated.equals(self)) {
            return Verdict.refuse(HelloReply.Result.DENIED, "a node does not connect to itself");
        }
        OptionalInt version = ProtocolVersions.highestCommon(minVersion, maxVersion, hello.getMinVersion(), hello.getMaxVersion());
        if (version.isEmpty()) {
            return Verdict.refuse(HelloReply.Result.INCOMPATIBLE, "this node speaks versions " + minVersion + ".." + maxVersion
                    + ", the dialler " + Integer.toUnsignedString(hello.getMinVersion()) + ".."
                    + Integer.toUnsignedString(hello.getMaxVersion()));
        }
        return Verdict.ok(version.getAsInt());
    }

    /**
     * The dialler's check of an OK reply: the chosen version must be the highest in both ranges.
     *
     * @return whether it is
     */
    static boolean validOk(HelloReply reply, int minVersion, int maxVersion) {
        OptionalInt expected = ProtocolVersions.highestCommon(minVersion, maxVersion, reply.getMinVersion(), reply.getMaxVersion());
        return expected.isPresent() && expected.getAsInt() == reply.getChosenVersion() && reply.getSessionEpoch() != 0;
    }

    /**
     * @param maxFrameSize an announced maximum (0: the protocol minimum)
     * @return the maximum it means
     */
    static int announcedMax(int maxFrameSize) {
        return maxFrameSize == 0 ? FrameCodec.MIN_MAX_FRAME_SIZE : Math.max(maxFrameSize, FrameCodec.MIN_MAX_FRAME_SIZE);
    }

    static ByteString bytes(NodeId node) {
        return ByteString.copyFrom(node.publicKey());
    }

    private static String describe(ByteString id) {
        return id.size() == NodeId.LENGTH ? NodeId.of(id.toByteArray()).toString() : "(" + id.size() + " bytes, not a node id)";
    }
}
