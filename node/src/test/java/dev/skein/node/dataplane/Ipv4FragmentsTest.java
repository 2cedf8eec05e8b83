package dev.skein.node.dataplane;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skein.node.io.UdpPackets;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class Ipv4FragmentsTest {
    private static List<byte[]> cut(byte[] packet, int mtu) {
        List<byte[]> out = new ArrayList<>();
        Ipv4Fragments.cut(ByteBuffer.wrap(packet), mtu, ByteBuffer.allocate(65536), f -> {
            byte[] b = new byte[f.remaining()];
            f.get(b);
            out.add(b);
        });
        return out;
    }

    @Test
    void aPacketWithoutDfIsCutIntoFragmentsThatFitAndAddUpToIt() {
        byte[] packet = UdpPackets.udp("100.64.0.1", 4000, "100.64.0.2", 5000, "z".repeat(3000 - 28));
        List<byte[]> pieces = cut(packet, 1328);
        assertEquals(3, pieces.size());
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        int expectOffset = 0;
        for (int i = 0; i < pieces.size(); i++) {
            ByteBuffer f = ByteBuffer.wrap(pieces.get(i));
            assertTrue(f.remaining() <= 1328, "fits");
            assertEquals(f.remaining(), f.getShort(2) & 0xffff, "total length");
            int flags = f.getShort(6) & 0xffff;
            assertEquals(i < pieces.size() - 1, (flags & 0x2000) != 0, "more fragments on all but the last");
            assertEquals(expectOffset, (flags & 0x1fff) * 8);
            assertEquals(0, Icmp.checksum(f, 0, 20), "a valid header checksum sums to zero");
            if (i < pieces.size() - 1) {
                assertEquals(0, (f.remaining() - 20) % 8, "payloads of 8-byte multiples");
            }
            payload.write(pieces.get(i), 20, f.remaining() - 20);
            expectOffset += f.remaining() - 20;
        }
        byte[] original = new byte[packet.length - 20];
        System.arraycopy(packet, 20, original, 0, original.length);
        assertArrayEquals(original, payload.toByteArray());
    }

    @Test
    void aPacketWithDfOrShortEnoughIsLeftWhole() {
        byte[] df = UdpPackets.udp("100.64.0.1", 4000, "100.64.0.2", 5000, "z".repeat(2000));
        df[6] |= 0x40;
        assertEquals(1, cut(df, 1328).size());
        assertEquals(1, cut(UdpPackets.udp("100.64.0.1", 4000, "100.64.0.2", 5000, "short"), 1328).size());
    }

    @Test
    void aFragmentIsCutFurtherWithItsOffsetsAndLastFlagKept() {
        byte[] packet = UdpPackets.udp("100.64.0.1", 4000, "100.64.0.2", 5000, "z".repeat(2000));
        ByteBuffer.wrap(packet).putShort(6, (short) (0x2000 | 100)); // a middle fragment at offset 800
        List<byte[]> pieces = cut(packet, 1000);
        assertEquals(3, pieces.size());
        assertEquals(100, ByteBuffer.wrap(pieces.get(0)).getShort(6) & 0x1fff);
        assertTrue((ByteBuffer.wrap(pieces.get(2)).getShort(6) & 0x2000) != 0, "more came after the original");
    }
}
