package dev.skein.protocol.noise;

/**
 * Byte offsets of the two handshake messages (WireGuard paper §5.4.2-5.4.3). All integers are little-endian.
 *
 * <pre>
 * Initiation (148 bytes)                    Response (92 bytes)
 *   0  type=1, reserved (4)                   0  type=2, reserved (4)
 *   4  sender index (4)                       4  sender index (4)
 *   8  unencrypted ephemeral (32)             8  receiver index (4)
 *  40  encrypted static (32 + 16)            12  unencrypted ephemeral (32)
 *  88  encrypted timestamp (12 + 16)         44  encrypted nothing (0 + 16)
 * 116  mac1 (16)                             60  mac1 (16)
 * 132  mac2 (16)                             76  mac2 (16)
 * </pre>
 */
public final class Layout {
    public static final int INITIATION_SIZE = 148;
    public static final int INITIATION_SENDER = 4;
    public static final int INITIATION_EPHEMERAL = 8;
    public static final int INITIATION_STATIC = 40;
    public static final int INITIATION_TIMESTAMP = 88;

    public static final int RESPONSE_SIZE = 92;
    public static final int RESPONSE_SENDER = 4;
    public static final int RESPONSE_RECEIVER = 8;
    public static final int RESPONSE_EPHEMERAL = 12;
    public static final int RESPONSE_EMPTY = 44;

    /** MAC1 covers everything before it; MAC2 everything before it. Both sit at the end of the message. */
    public static int mac1Offset(int messageSize) {
        return messageSize - 32;
    }

    public static int mac2Offset(int messageSize) {
        return messageSize - 16;
    }

    private Layout() {}
}
