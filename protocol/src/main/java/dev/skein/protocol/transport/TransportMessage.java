package dev.skein.protocol.transport;

import dev.skein.protocol.wire.MessageType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Transport data (message type 4; WireGuard paper §5.4.6). All integers little-endian.
 *
 * <pre>
 *  0  type=4, reserved (4)
 *  4  receiver index (4)
 *  8  counter (8)
 * 16  encrypted packet (padded length + 16)
 * </pre>
 *
 * The packet is zero-padded to a multiple of 16 bytes (never past the MTU) before sealing, so its length leaks
 * less; an empty packet is a keepalive.
 */
public final class TransportMessage {
    public static final int HEADER_SIZE = 16;
    public static final int RECEIVER = 4;
    public static final int COUNTER = 8;
    /** The smallest transport message: header and tag of a keepalive. */
    public static final int MIN_SIZE = HEADER_SIZE + TransportAead.TAG_SIZE;

    private TransportMessage() {}

    /** Length after padding {@code length} up to a multiple of 16, capped at {@code mtu}. */
    public static int paddedLength(int length, int mtu) {
        int padded = (length + 15) & ~15;
        return Math.max(length, Math.min(padded, mtu));
    }

    /** The transport message that carries a packet of {@code length} bytes: header, padded packet, tag. */
    public static int sealedSize(int length, int mtu) {
        return HEADER_SIZE + paddedLength(length, mtu) + TransportAead.TAG_SIZE;
    }

    /** Zero-pads the packet between {@code packet}'s position and limit, extending the limit. */
    public static void pad(ByteBuffer packet, int mtu) {
        int length = packet.remaining();
        int padded = paddedLength(length, mtu);
        int end = packet.limit();
        packet.limit(packet.position() + padded);
        for (int i = end; i < packet.limit(); i++) {
            packet.put(i, (byte) 0);
        }
    }

    /**
     * Writes a transport message to {@code out} at its position: header, then the sealed packet (the remaining
     * bytes of {@code packet}, already padded). Advances both buffers.
     *
     * @return the message length
     */
    public static int seal(TransportAead aead, byte[] key, int receiverIndex, long counter, ByteBuffer packet,
                           ByteBuffer out) {
        int start = out.position();
        boolean le = out.order() == ByteOrder.LITTLE_ENDIAN;
        int type = MessageType.TRANSPORT.code();
        out.putInt(start, le ? type : Integer.reverseBytes(type));
        out.putInt(start + RECEIVER, le ? receiverIndex : Integer.reverseBytes(receiverIndex));
        out.putLong(start + COUNTER, le ? counter : Long.reverseBytes(counter));
        out.position(start + HEADER_SIZE);
        return HEADER_SIZE + aead.seal(key, counter, packet, out);
    }

    /** The receiver index of a transport message (between position and limit). */
    public static int receiverIndex(ByteBuffer msg) {
        int v = msg.getInt(msg.position() + RECEIVER);
        return msg.order() == ByteOrder.LITTLE_ENDIAN ? v : Integer.reverseBytes(v);
    }

    /** The counter of a transport message (between position and limit). */
    public static long counter(ByteBuffer msg) {
        long v = msg.getLong(msg.position() + COUNTER);
        return msg.order() == ByteOrder.LITTLE_ENDIAN ? v : Long.reverseBytes(v);
    }

    /**
     * Decrypts the transport message between {@code msg}'s position and limit into {@code out}. The caller has
     * found {@code key} by the receiver index and must record the counter in its {@link ReplayWindow} only when
     * this returns {@code >= 0}.
     *
     * @return the padded plaintext length, or -1 when the message is too short or does not authenticate
     */
    public static int open(TransportAead aead, byte[] key, ByteBuffer msg, ByteBuffer out) {
        if (msg.remaining() < MIN_SIZE) {
            return -1;
        }
        long counter = counter(msg);
        int start = msg.position();
        msg.position(start + HEADER_SIZE);
        int n = aead.open(key, counter, msg, out);
        if (n < 0) {
            msg.position(start);
        }
        return n;
    }
}
