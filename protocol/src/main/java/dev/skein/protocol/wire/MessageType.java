package dev.skein.protocol.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * WireGuard's four message types, and Skein's join, path and relay messages. Every message starts with a 32-bit little-endian type field: one byte of
 * type and three reserved zero bytes. A message whose reserved bytes are not zero is not a WireGuard message,
 * exactly as wireguard-go reads it.
 *
 * <pre>
 *   0               1               2               3
 *  +---------------+---------------+---------------+---------------+
 *  |     type      |            reserved (zero)                    |
 *  +---------------+-----------------------------------------------+
 * </pre>
 */
public enum MessageType {
    INITIATION(1, 148),
    RESPONSE(2, 92),
    COOKIE_REPLY(3, 64),
    /** Transport data: the size is the minimum (header and tag of an empty keepalive). */
    TRANSPORT(4, 32),
    /**
     * Skein's own: the signed certificate exchange that lets a node handshake with a seed it knows only by
     * endpoint (see {@code dev.skein.protocol.member.JoinMessage}). Exact size: every join message is padded to
     * it, so one of any other size is garbage. A stock WireGuard peer drops it as an unknown type.
     */
    JOIN(5, 1200),
    /**
     * Skein's own: path probes between two members (ping, pong, call-me-maybe), MACed with a key only the two
     * share (see {@code dev.skein.protocol.path.PathMessage}). Exact size.
     */
    PATH(6, 64),
    /**
     * Skein's own: a datagram forwarded by a relay member, behind a 20-byte header naming the two ends (see
     * {@code dev.skein.protocol.path.RelayHeader}). The size is the minimum: the header and a 4-byte type.
     */
    RELAY(7, 24);

    private final int code;
    private final int size;

    MessageType(int code, int size) {
        this.code = code;
        this.size = size;
    }

    public int code() {
        return code;
    }

    /** Exact size of a handshake or cookie message; minimum size of a transport message. */
    public int size() {
        return size;
    }

    /**
     * The type of the datagram between {@code buf}'s position and limit, or null when it is not a WireGuard
     * message (too short for its type, unknown type, reserved bits set, or a handshake message of the wrong
     * length). Does not move the buffer.
     */
    public static MessageType of(ByteBuffer buf) {
        int len = buf.remaining();
        if (len < 4) {
            return null;
        }
        int word = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt(buf.position());
        MessageType type = switch (word) {
            case 1 -> INITIATION;
            case 2 -> RESPONSE;
            case 3 -> COOKIE_REPLY;
            case 4 -> TRANSPORT;
            case 5 -> JOIN;
            case 6 -> PATH;
            case 7 -> RELAY;
            default -> null;
        };
        if (type == null) {
            return null;
        }
        boolean sizeOk = type == TRANSPORT || type == RELAY ? len >= type.size : len == type.size;
        return sizeOk ? type : null;
    }
}
