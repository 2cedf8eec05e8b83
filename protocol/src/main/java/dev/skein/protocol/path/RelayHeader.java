package dev.skein.protocol.path;

import dev.skein.protocol.wire.MessageType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The header a relay member reads to forward a datagram between two members that cannot reach each other. The
 * datagram behind it is an ordinary WireGuard (or path) message sealed end to end: the relay learns which two
 * members talk, never what they say. The relay forwards the datagram unchanged; the destination knows it is
 * the destination because the header names its own key, and strips the header.
 *
 * <pre>
 *   0      type 7, reserved (3 zero bytes)
 *   4..11  destination id: the first 8 bytes of its static public key (see {@link PathMessage#keyId})
 *   12..19 source id, the same for the sender
 *   20..   the inner datagram
 * </pre>
 *
 * With an overlay MTU of 1420 a full transport message (1452 bytes) plus this header is a 1472-byte UDP
 * payload: exactly one 1500-byte IPv4 packet on the underlay.
 */
public final class RelayHeader {
    public static final int SIZE = 20;
    private static final int DESTINATION = 4;
    private static final int SOURCE = 12;

    private RelayHeader() {}

    /** Writes the header at {@code at} (absolute; the buffer's position does not move). */
    public static void write(ByteBuffer buf, int at, long destination, long source) {
        ByteBuffer b = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(at, MessageType.RELAY.code());
        b.putLong(at + DESTINATION, destination);
        b.putLong(at + SOURCE, source);
    }

    /** A new datagram: the header, then {@code inner}. */
    public static byte[] wrap(byte[] inner, long destination, long source) {
        byte[] out = new byte[SIZE + inner.length];
        write(ByteBuffer.wrap(out), 0, destination, source);
        System.arraycopy(inner, 0, out, SIZE, inner.length);
        return out;
    }

    /** The destination id of the relay message starting at {@code buf}'s position. */
    public static long destination(ByteBuffer buf) {
        return buf.duplicate().order(ByteOrder.LITTLE_ENDIAN).getLong(buf.position() + DESTINATION);
    }

    public static long source(ByteBuffer buf) {
        return buf.duplicate().order(ByteOrder.LITTLE_ENDIAN).getLong(buf.position() + SOURCE);
    }
}
