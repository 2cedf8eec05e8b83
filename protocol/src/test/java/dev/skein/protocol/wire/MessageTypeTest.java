package dev.skein.protocol.wire;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The first check on the receive path: type and size, before anything costs more. */
class MessageTypeTest {
    private static MessageType of(int type, int size) {
        byte[] b = new byte[size];
        b[0] = (byte) type;
        return MessageType.of(ByteBuffer.wrap(b));
    }

    @Test
    void aJoinMessageOfAnyOtherSizeThan1200IsGarbage() {
        assertEquals(MessageType.JOIN, of(5, 1200));
        for (int size : new int[] {4, 64, 1199, 1201, 1500}) {
            assertNull(of(5, size), size + " bytes");
        }
    }

    @Test
    void handshakeSizesAreExactAndReservedBytesMustBeZero() {
        assertEquals(MessageType.INITIATION, of(1, 148));
        assertNull(of(1, 147));
        assertNull(of(1, 149));
        assertEquals(MessageType.RESPONSE, of(2, 92));
        assertNull(of(2, 93));
        byte[] reserved = new byte[148];
        reserved[0] = 1;
        reserved[2] = 1;
        assertNull(MessageType.of(ByteBuffer.wrap(reserved)));
        assertEquals(MessageType.TRANSPORT, of(4, 32));
        assertEquals(MessageType.TRANSPORT, of(4, 1500), "transport: a minimum size");
    }
}
