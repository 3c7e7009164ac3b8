package io.hypha.relay.internal.wire;

import java.util.Objects;

/**
 * What a relay keeps in its store for one message (the store's opaque "envelope" bytes): the sender's note and the
 * sealed inner envelope. Quotas count these bytes.
 *
 * <pre>
 *  0x01 ‖ note (bytes) ‖ sealed (bytes)
 * </pre>
 *
 * @param note   the sender's note to itself, returned in an expiry report
 * @param sealed the inner envelope sealed for the edge node, forwarded to it
 */
public record StoredRecord(byte[] note, byte[] sealed) {
    /** @throws NullPointerException if a field is null */
    public StoredRecord {
        Objects.requireNonNull(note, "note");
        Objects.requireNonNull(sealed, "sealed");
    }

    /** @return the record's bytes */
    public byte[] encode() {
        return new WireWriter(12 + note.length + sealed.length).byte1(RelayCodec.VERSION).bytes(note).bytes(sealed)
                .toByteArray();
    }

    /**
     * @param bytes a stored record
     * @return its fields
     * @throws WireException if the bytes are not a record
     */
    public static StoredRecord decode(byte[] bytes) throws WireException {
        WireReader r = new WireReader(bytes);
        int version = r.byte1();
        if (version != RelayCodec.VERSION) {
            throw new WireException(WireProblem.UNKNOWN_VERSION, "stored record format version " + version);
        }
        StoredRecord record = new StoredRecord(r.bytes("note"), r.bytes("sealed"));
        r.end();
        return record;
    }

    /**
     * @param noteLength   the note's length
     * @param sealedLength the sealed envelope's length
     * @return the size of the record's encoding
     */
    public static int size(int noteLength, int sealedLength) {
        return 1 + WireWriter.varintSize(noteLength) + noteLength + WireWriter.varintSize(sealedLength) + sealedLength;
    }
}
