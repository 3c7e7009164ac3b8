package io.hypha.relay.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import io.hypha.relay.internal.wire.RelayMessage.Deliver;
import io.hypha.relay.internal.wire.RelayMessage.DeliverEntry;
import io.hypha.relay.internal.wire.RelayMessage.Delivered;
import io.hypha.relay.internal.wire.RelayMessage.Expired;
import io.hypha.relay.internal.wire.RelayMessage.ExpiredEntry;
import io.hypha.relay.internal.wire.RelayMessage.Refused;
import io.hypha.relay.internal.wire.RelayMessage.RefusedEntry;
import io.hypha.relay.internal.wire.RelayMessage.Register;
import io.hypha.relay.internal.wire.RelayMessage.Registered;
import io.hypha.relay.internal.wire.RelayMessage.Store;
import io.hypha.relay.internal.wire.RelayMessage.StoreEntry;
import io.hypha.relay.internal.wire.RelayMessage.Stored;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class RelayCodecTest {
    private static final NodeId EDGE = NodeId.of(filled(32, 7));
    private static final NodeId SENDER = NodeId.of(filled(32, 9));

    private static byte[] filled(int n, int value) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) value);
        return b;
    }

    private static RelayMessage roundTrip(RelayMessage m) throws WireException {
        return RelayCodec.decode(m.type(), RelayCodec.encode(m));
    }

    private static void assertProblem(ThrowingCallable call, WireProblem problem) {
        assertThatThrownBy(call).isInstanceOfSatisfying(WireException.class, e -> assertThat(e.problem()).isEqualTo(problem));
    }

    @Test
    void everyMessageSurvivesEncodingAndDecoding() throws Exception {
        Store store = new Store(List.of(new StoreEntry(EDGE, Long.MAX_VALUE, 1_700_000_000_000L, "app", new byte[] {1}, new byte[] {2, 3}),
                new StoreEntry(EDGE, 0, Envelope.NEVER, null, new byte[0], new byte[0])));
        Store decoded = (Store) roundTrip(store);
        assertThat(decoded.entries()).hasSize(2);
        assertThat(decoded.entries().get(0).msgId()).isEqualTo(Long.MAX_VALUE);
        assertThat(decoded.entries().get(0).expiresAt()).isEqualTo(1_700_000_000_000L);
        assertThat(decoded.entries().get(0).srcEngine()).isEqualTo("app");
        assertThat(decoded.entries().get(0).sealed()).containsExactly(2, 3);
        assertThat(decoded.entries().get(1).expiresAt()).isEqualTo(Envelope.NEVER);
        assertThat(decoded.entries().get(1).srcEngine()).isNull();

        assertThat(((Stored) roundTrip(new Stored(new long[] {1, -1, 300}))).msgIds()).containsExactly(1, -1, 300);
        List<RefusedEntry> refusals = Arrays.stream(Refusal.values()).map(r -> new RefusedEntry(r.ordinal(), r)).toList();
        assertThat(roundTrip(new Refused(refusals))).isEqualTo(new Refused(refusals));
        Expired expired = (Expired) roundTrip(new Expired(EDGE, List.of(new ExpiredEntry(5, "app", new byte[] {4}))));
        assertThat(expired.edge()).isEqualTo(EDGE);
        assertThat(expired.entries().get(0).note()).containsExactly(4);
        assertThat(roundTrip(new Register())).isEqualTo(new Register());
        for (RegisterStatus s : RegisterStatus.values()) {
            assertThat(roundTrip(new Registered(s, 10, 20, 30))).isEqualTo(new Registered(s, 10, 20, 30));
        }
        Deliver deliver = (Deliver) roundTrip(new Deliver(List.of(new DeliverEntry(1, SENDER, new byte[] {8}),
                new DeliverEntry(5, EDGE, new byte[0]))));
        assertThat(deliver.entries()).extracting(DeliverEntry::seq).containsExactly(1L, 5L);
        assertThat(deliver.entries().get(0).srcNode()).isEqualTo(SENDER);
        assertThat(roundTrip(new Delivered(77))).isEqualTo(new Delivered(77));
    }

    @Test
    void refusesWhatIsNotARelayMessage() {
        assertProblem(() -> RelayCodec.decode("hypha.relay.nonsense", new byte[] {1}), WireProblem.UNKNOWN_TYPE);
        assertProblem(() -> RelayCodec.decode(RelayCodec.REGISTER, "text"), WireProblem.NOT_BYTES);
        assertProblem(() -> RelayCodec.decode(RelayCodec.REGISTER, null), WireProblem.NOT_BYTES);
        assertProblem(() -> RelayCodec.decode(RelayCodec.REGISTER, new byte[0]), WireProblem.TRUNCATED);
        assertProblem(() -> RelayCodec.decode(RelayCodec.REGISTER, new byte[] {2}), WireProblem.UNKNOWN_VERSION);
        assertProblem(() -> RelayCodec.decode(RelayCodec.REGISTER, new byte[] {1, 0}), WireProblem.TRAILING_BYTES);
    }

    @Test
    void refusesBadFields() {
        assertProblem(() -> RelayCodec.decode(RelayCodec.STORED, new byte[] {1, 0}), WireProblem.BAD_FIELD); // no entries
        assertProblem(() -> RelayCodec.decode(RelayCodec.STORED, new byte[] {1, (byte) 0x81, 0x40}), WireProblem.BAD_FIELD); // 8193
        assertProblem(() -> RelayCodec.decode(RelayCodec.STORED, new byte[] {1, 3, 1}), WireProblem.TRUNCATED);
        assertProblem(() -> RelayCodec.decode(RelayCodec.REFUSED, new byte[] {1, 1, 5, 99}), WireProblem.BAD_FIELD); // reason
        assertProblem(() -> RelayCodec.decode(RelayCodec.REGISTERED, new byte[] {1, 9, 0, 0, 0}), WireProblem.BAD_FIELD);
        byte[] tenBytes = {1, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
                (byte) 0xff, (byte) 0xff, 0x7f};
        assertProblem(() -> RelayCodec.decode(RelayCodec.DELIVERED, tenBytes), WireProblem.BAD_FIELD);
        byte[] descending = RelayCodec.encode(new Deliver(List.of(new DeliverEntry(5, SENDER, new byte[0]),
                new DeliverEntry(6, SENDER, new byte[0]))));
        descending[2] = 7; // first seq 7, then 6
        assertProblem(() -> RelayCodec.decode(RelayCodec.DELIVER, descending), WireProblem.BAD_FIELD);
        byte[] zeroSeq = RelayCodec.encode(new Deliver(List.of(new DeliverEntry(1, SENDER, new byte[0]))));
        zeroSeq[2] = 0;
        assertProblem(() -> RelayCodec.decode(RelayCodec.DELIVER, zeroSeq), WireProblem.BAD_FIELD);
        byte[] badEngine = RelayCodec.encode(new Store(List.of(new StoreEntry(EDGE, 1, 0, "ab", new byte[0], new byte[0]))));
        int at = indexOf(badEngine, new byte[] {'a', 'b'});
        badEngine[at] = ' ';
        assertProblem(() -> RelayCodec.decode(RelayCodec.STORE, badEngine), WireProblem.BAD_FIELD);
        assertProblem(() -> RelayCodec.decode(RelayCodec.EXPIRED, concat(new byte[] {1}, EDGE.publicKey(),
                new byte[] {1, 5, 0, (byte) 0xff, (byte) 0xff, 0x7f})), WireProblem.TRUNCATED);
    }

    @Test
    void truncatedOrRandomBytesAreAlwaysAWireExceptionNeverAnotherFailure() {
        Random random = new Random(42);
        byte[] valid = RelayCodec.encode(new Store(List.of(new StoreEntry(EDGE, 12345, 1_700_000_000_000L, "app",
                filled(40, 1), filled(100, 2)))));
        String[] types = {RelayCodec.STORE, RelayCodec.STORED, RelayCodec.REFUSED, RelayCodec.EXPIRED, RelayCodec.REGISTER,
                RelayCodec.REGISTERED, RelayCodec.DELIVER, RelayCodec.DELIVERED};
        for (int cut = 0; cut < valid.length; cut++) {
            byte[] prefix = Arrays.copyOf(valid, cut);
            assertThatThrownBy(() -> RelayCodec.decode(RelayCodec.STORE, prefix)).isInstanceOf(WireException.class);
        }
        for (int i = 0; i < 5_000; i++) {
            byte[] noise = new byte[random.nextInt(80)];
            random.nextBytes(noise);
            if (noise.length > 0 && random.nextBoolean()) {
                noise[0] = 1;
            }
            String type = types[random.nextInt(types.length)];
            try {
                RelayCodec.decode(type, noise);
            } catch (WireException expected) {
                // the only failure allowed
            }
        }
    }

    @Test
    void innerEnvelopesCarryEveryFieldAndTheirPayloadKind() throws Exception {
        Envelope bytes = Envelope.builder().src(EngineAddress.of(SENDER, "app")).dst(EngineAddress.of(EDGE, "inbox")).id(42)
                .inReplyTo(41).expiresAt(1_700_000_000_000L).type("app.msg").payload(new byte[] {1, 2}).build();
        Envelope text = Envelope.builder().dst(EngineAddress.of(EDGE, "inbox")).type("t").payload("héllo").build();
        Envelope none = Envelope.builder().dst(EngineAddress.of(EDGE, "inbox")).type("t").build();

        InnerEnvelope a = InnerEnvelope.decode(InnerEnvelope.encode(9, bytes), SENDER);
        assertThat(a.ticket()).isEqualTo(9);
        assertThat(a.envelope().src()).isEqualTo(EngineAddress.of(SENDER, "app"));
        assertThat(a.envelope().dst()).isEqualTo(EngineAddress.local("inbox"));
        assertThat(a.envelope().id()).isEqualTo(42);
        assertThat(a.envelope().inReplyTo()).isEqualTo(41);
        assertThat(a.envelope().expiresAt()).isEqualTo(1_700_000_000_000L);
        assertThat((byte[]) a.envelope().payload()).containsExactly(1, 2);
        Envelope b = InnerEnvelope.decode(InnerEnvelope.encode(1, text), SENDER).envelope();
        assertThat(b.payload()).isEqualTo("héllo");
        assertThat(b.src()).isNull();
        assertThat(b.expiresAt()).isEqualTo(Envelope.NEVER);
        assertThat(InnerEnvelope.decode(InnerEnvelope.encode(1, none), SENDER).envelope().payload()).isNull();
        assertThatThrownBy(() -> InnerEnvelope.encode(1, Envelope.builder().dst(EngineAddress.local("x")).type("t")
                .payload(new Object()).build())).isInstanceOf(IllegalArgumentException.class);
        byte[] badKind = InnerEnvelope.encode(1, none);
        badKind[badKind.length - 2] = 7;
        assertProblem(() -> InnerEnvelope.decode(badKind, SENDER), WireProblem.BAD_FIELD);
    }

    @Test
    void senderNotesAndStoredRecordsRoundTrip() throws Exception {
        Envelope m = Envelope.builder().src(EngineAddress.of(SENDER, "app")).dst(EngineAddress.of(EDGE, "inbox")).id(3)
                .expiresAt(1_000).type("app.msg").payload(new byte[100]).build();
        SenderNote note = SenderNote.decode(SenderNote.encode(77, m), SENDER);
        assertThat(note.ticket()).isEqualTo(77);
        assertThat(note.envelope().dst()).isEqualTo(m.dst());
        assertThat(note.envelope().src()).isEqualTo(m.src());
        assertThat(note.envelope().type()).isEqualTo("app.msg");
        assertThat(note.envelope().payload()).isNull();

        StoredRecord record = StoredRecord.decode(new StoredRecord(new byte[] {1}, new byte[] {2, 3}).encode());
        assertThat(record.note()).containsExactly(1);
        assertThat(record.sealed()).containsExactly(2, 3);
        assertThat(new StoredRecord(new byte[300], new byte[5]).encode()).hasSize(StoredRecord.size(300, 5));
        assertProblem(() -> StoredRecord.decode(new byte[] {1, 5, 1}), WireProblem.TRUNCATED);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
