package dev.skein.node.offload;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The offload arithmetic, checked against a plain reading of the RFCs: every segment cut from a super-packet
 * is a valid packet on its own (checksums verified the slow way), and merging the segments again gives back the
 * super-packet the kernel would have handed over.
 */
class OffloadTest {
    private static final int ACK = 0x10;
    private static final int PSH = 0x08;
    private static final int FIN = 0x01;
    private static final int CWR = 0x80;
    private final Random random = new Random(42);

    /** RFC 1071 word by word. */
    private static int referenceSum(byte[] b, int off, int len) {
        long sum = 0;
        for (int i = 0; i < len; i += 2) {
            int hi = b[off + i] & 0xff;
            int lo = i + 1 < len ? b[off + i + 1] & 0xff : 0;
            sum += (hi << 8) | lo;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (int) sum;
    }

    @Test
    void checksumMatchesTheWordByWordSumAtAnyOffsetLengthAndByteOrder() {
        for (int round = 0; round < 500; round++) {
            byte[] data = new byte[1 + random.nextInt(1600)];
            random.nextBytes(data);
            int off = random.nextInt(data.length);
            int len = random.nextInt(data.length - off + 1);
            for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
                ByteBuffer b = ByteBuffer.allocateDirect(data.length).order(order).put(data);
                int expected = referenceSum(data, off, len);
                // 0 and 0xffff are the same number in ones' complement
                int got = Checksum.fold(Checksum.add(b, off, len, 0));
                assertEquals(expected % 0xffff, got % 0xffff, "offset " + off + " length " + len + " " + order);
            }
        }
    }

    /** A TCP packet: IPv4 (or IPv6) and a TCP header with timestamps, valid checksums. */
    private static ByteBuffer tcpPacket(boolean v4, int sport, int seq, int flags, byte[] payload) {
        int ip = v4 ? 20 : 40;
        int tcp = 32;
        int total = ip + tcp + payload.length;
        ByteBuffer b = ByteBuffer.allocateDirect(total);
        if (v4) {
            b.put(0, (byte) 0x45).putShort(2, (short) total).putShort(4, (short) 0x1234).putShort(6, (short) 0x4000);
            b.put(8, (byte) 64).put(9, (byte) 6).putInt(12, 0x64400001).putInt(16, 0x64400002);
        } else {
            b.putInt(0, 0x60000000).putShort(4, (short) (total - 40)).put(6, (byte) 6).put(7, (byte) 64);
            for (int i = 0; i < 32; i++) {
                b.put(8 + i, (byte) (i < 16 ? 0xfd : i));
            }
        }
        b.putShort(ip, (short) sport).putShort(ip + 2, (short) 5201).putInt(ip + 4, seq).putInt(ip + 8, 777);
        b.put(ip + 12, (byte) ((tcp / 4) << 4)).put(ip + 13, (byte) flags).putShort(ip + 14, (short) 502);
        b.put(ip + 20, (byte) 1).put(ip + 21, (byte) 1).put(ip + 22, (byte) 8).put(ip + 23, (byte) 10)
                .putInt(ip + 24, 1000).putInt(ip + 28, 2000);
        b.put(ip + tcp, payload);
        if (v4) {
            Checksum.storeIpv4(b, 0, 20);
        }
        long pseudo = Checksum.pseudoHeader(b, 0, v4, 6, total - ip);
        b.putShort(ip + 16, Checksum.finish(Checksum.add(b, ip, total - ip, pseudo)));
        return b.clear();
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    /** Checks a packet's checksums the slow way; returns its TCP payload. */
    private static byte[] assertValid(ByteBuffer p, boolean v4) {
        byte[] b = bytes(p);
        int ip = v4 ? 20 : 40;
        if (v4) {
            assertEquals(0xffff, referenceSum(b, 0, 20), "IPv4 header checksum");
            assertEquals(b.length, ((b[2] & 0xff) << 8) | (b[3] & 0xff), "IPv4 total length");
        } else {
            assertEquals(b.length - 40, ((b[4] & 0xff) << 8) | (b[5] & 0xff), "IPv6 payload length");
        }
        int tcpLength = b.length - ip;
        byte[] pseudo = new byte[v4 ? 12 : 40];
        System.arraycopy(b, v4 ? 12 : 8, pseudo, 0, v4 ? 8 : 32);
        if (v4) { // source, destination, zero, protocol, TCP length (16 bits)
            pseudo[9] = 6;
            pseudo[10] = (byte) (tcpLength >> 8);
            pseudo[11] = (byte) tcpLength;
        } else { // source, destination, TCP length (32 bits), three zeros, next header
            pseudo[34] = (byte) (tcpLength >> 8);
            pseudo[35] = (byte) tcpLength;
            pseudo[39] = 6;
        }
        long sum = referenceSum(pseudo, 0, pseudo.length) + (long) referenceSum(b, ip, tcpLength);
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        assertEquals(0xffff, sum, "TCP checksum");
        int headers = ip + ((b[ip + 12] & 0xff) >>> 4) * 4;
        byte[] payload = new byte[b.length - headers];
        System.arraycopy(b, headers, payload, 0, payload.length);
        return payload;
    }

    private static VirtioNetHeader gso(boolean v4, int size) {
        VirtioNetHeader h = new VirtioNetHeader();
        h.flags = VirtioNetHeader.NEEDS_CSUM;
        h.gsoType = v4 ? VirtioNetHeader.GSO_TCPV4 : VirtioNetHeader.GSO_TCPV6;
        h.gsoSize = size;
        h.headerLength = (v4 ? 20 : 40) + 32;
        h.csumStart = v4 ? 20 : 40;
        h.csumOffset = 16;
        return h;
    }

    private List<ByteBuffer> cut(ByteBuffer superPacket, VirtioNetHeader h) {
        TcpSegmenter segmenter = new TcpSegmenter();
        int count = segmenter.begin(superPacket, h);
        List<ByteBuffer> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ByteBuffer s = ByteBuffer.allocateDirect(2048);
            segmenter.segment(i, s);
            out.add(s.flip());
        }
        return out;
    }

    @Test
    void segmentsOfASuperPacketAreValidPacketsCarryingItsPayloadInOrder() {
        for (boolean v4 : new boolean[] {true, false}) {
            byte[] payload = new byte[10_000];
            random.nextBytes(payload);
            ByteBuffer sp = tcpPacket(v4, 40000, 0xfffff000, ACK | PSH | FIN | CWR, payload);
            List<ByteBuffer> segments = cut(sp, gso(v4, 1368));
            assertEquals(8, segments.size()); // 7 x 1368 + 424
            ByteArrayOutputStream joined = new ByteArrayOutputStream();
            int ip = v4 ? 20 : 40;
            for (int i = 0; i < segments.size(); i++) {
                ByteBuffer s = segments.get(i);
                joined.writeBytes(assertValid(s, v4));
                assertEquals(0xfffff000 + i * 1368, s.getInt(ip + 4), "sequence number"); // wraps past 2^32
                int flags = s.get(ip + 13) & 0xff;
                boolean last = i == segments.size() - 1;
                assertEquals(last, (flags & (PSH | FIN)) == (PSH | FIN), "PSH and FIN on the last segment only");
                assertEquals(i == 0, (flags & CWR) != 0, "CWR on the first segment only");
                if (v4) {
                    assertEquals(0x1234 + i, s.getShort(4) & 0xffff, "IPv4 identification");
                }
                assertEquals(last ? ip + 32 + 424 : ip + 32 + 1368, s.remaining());
            }
            assertArrayEquals(payload, joined.toByteArray());
        }
    }

    @Test
    void aPartialChecksumIsFinished() {
        byte[] payload = new byte[333];
        random.nextBytes(payload);
        ByteBuffer p = tcpPacket(true, 1, 1, ACK, payload);
        // What the kernel hands over with NEEDS_CSUM: the pseudo-header sum in the field, not inverted.
        p.putShort(36, (short) Checksum.fold(Checksum.pseudoHeader(p, 0, true, 6, p.remaining() - 20)));
        VirtioNetHeader h = new VirtioNetHeader();
        h.flags = VirtioNetHeader.NEEDS_CSUM;
        h.csumStart = 20;
        h.csumOffset = 16;
        assertTrue(TcpSegmenter.finishChecksum(p, h));
        assertValid(p, true);
        h.csumStart = p.remaining();
        assertFalse(TcpSegmenter.finishChecksum(p, h), "offsets past the packet are refused");
    }

    @Test
    void mergingTheSegmentsGivesTheSuperPacketBack() {
        for (boolean v4 : new boolean[] {true, false}) {
            byte[] payload = new byte[20_000];
            random.nextBytes(payload);
            ByteBuffer sp = tcpPacket(v4, 40000, 5000, ACK | PSH, payload);
            List<ByteBuffer> segments = cut(sp.duplicate(), gso(v4, 1368));
            TcpCoalescer coalescer = new TcpCoalescer();
            for (ByteBuffer s : segments) {
                assertTrue(coalescer.add(s));
            }
            ByteBuffer merged = coalescer.finish();
            assertEquals(segments.size(), coalescer.finishedCount());
            VirtioNetHeader h = new VirtioNetHeader();
            h.read(merged, 0);
            int ip = v4 ? 20 : 40;
            assertEquals(VirtioNetHeader.NEEDS_CSUM, h.flags);
            assertEquals(v4 ? VirtioNetHeader.GSO_TCPV4 : VirtioNetHeader.GSO_TCPV6, h.gsoType);
            assertEquals(1368, h.gsoSize);
            assertEquals(ip + 32, h.headerLength);
            assertEquals(ip, h.csumStart);
            assertEquals(16, h.csumOffset);
            ByteBuffer packet = merged.position(VirtioNetHeader.SIZE).slice();
            assertEquals(sp.remaining(), packet.remaining());
            assertEquals(PSH, packet.get(ip + 13) & PSH, "the last segment's PSH is kept");
            // Cut again as the kernel would: the same segments, valid, byte for byte.
            List<ByteBuffer> again = cut(packet, h);
            assertEquals(segments.size(), again.size());
            for (int i = 0; i < again.size(); i++) {
                assertValid(again.get(i), v4);
                assertEquals(segments.get(i), again.get(i), "segment " + i);
            }
        }
    }

    @Test
    void onlyExactContinuationsOfOneFlowAreMerged() {
        byte[] chunk = new byte[1000];
        random.nextBytes(chunk);
        TcpCoalescer c = new TcpCoalescer();
        assertTrue(c.add(tcpPacket(true, 1, 0, ACK, chunk)));
        assertFalse(c.add(tcpPacket(true, 1, 2000, ACK, chunk)), "a gap in the sequence");
        assertFalse(c.add(tcpPacket(true, 2, 1000, ACK, chunk)), "another flow");
        assertFalse(c.add(tcpPacket(true, 1, 1000, ACK | FIN, chunk)), "FIN is never merged");
        assertFalse(c.add(tcpPacket(true, 1, 1000, ACK, new byte[1001])), "larger than the first segment");
        assertTrue(c.add(tcpPacket(true, 1, 1000, ACK, chunk)));
        assertTrue(c.add(tcpPacket(true, 1, 2000, ACK, new byte[10])), "a shorter one ends the batch");
        assertFalse(c.add(tcpPacket(true, 1, 2010, ACK, new byte[10])), "after the shorter one");
        ByteBuffer merged = c.finish();
        assertEquals(20 + 32 + 2010, merged.getShort(VirtioNetHeader.SIZE + 2) & 0xffff, "merged IPv4 length");
        assertEquals(3, c.finishedCount());
        assertFalse(c.pending());

        ByteBuffer syn = tcpPacket(true, 1, 0, 0x02, new byte[0]);
        assertFalse(c.add(syn), "SYN is never merged");
        assertFalse(c.add(tcpPacket(true, 1, 0, ACK, new byte[0])), "nor a bare ACK");
        ByteBuffer one = tcpPacket(true, 1, 0, ACK | PSH, chunk);
        assertTrue(c.add(one.duplicate()));
        assertFalse(c.add(tcpPacket(true, 1, 1000, ACK, chunk)), "PSH ends the batch");
        ByteBuffer alone = c.finish();
        assertEquals(1, c.finishedCount());
        assertEquals(0, alone.getLong(0), "a batch of one goes out as it came, with a plain header");
        assertEquals(one, alone.position(VirtioNetHeader.SIZE), "unchanged");
    }
}
