package dev.skein.node.offload;

import static dev.skein.node.offload.TcpPackets.ACK;
import static dev.skein.node.offload.TcpPackets.CWR;
import static dev.skein.node.offload.TcpPackets.FIN;
import static dev.skein.node.offload.TcpPackets.PSH;
import static dev.skein.node.offload.TcpPackets.assertValid;
import static dev.skein.node.offload.TcpPackets.bytes;
import static dev.skein.node.offload.TcpPackets.gso;
import static dev.skein.node.offload.TcpPackets.referenceSum;
import static dev.skein.node.offload.TcpPackets.tcp;
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
    private final Random random = new Random(42);

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

    private List<ByteBuffer> cut(ByteBuffer superPacket, VirtioNetHeader h) {
        return cut(superPacket, h, false);
    }

    @Test
    void segmentsOfASuperPacketAreValidPacketsCarryingItsPayloadInOrder() {
        for (boolean v4 : new boolean[] {true, false}) {
            byte[] payload = new byte[10_000];
            random.nextBytes(payload);
            ByteBuffer sp = tcp(v4, 40000, 0xfffff000, ACK | PSH | FIN | CWR, payload);
            List<ByteBuffer> segments = cut(sp, gso(v4, 1368));
            assertEquals(8, segments.size()); // 7 x 1368 + 424
            ByteArrayOutputStream joined = new ByteArrayOutputStream();
            int ip = v4 ? 20 : 40;
            for (int i = 0; i < segments.size(); i++) {
                ByteBuffer s = segments.get(i);
                joined.writeBytes(assertValid(s));
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
        ByteBuffer p = tcp(true, 1, 1, ACK, payload);
        // What the kernel hands over with NEEDS_CSUM: the pseudo-header sum in the field, not inverted.
        p.putShort(36, (short) Checksum.fold(Checksum.pseudoHeader(p, 0, true, 6, p.remaining() - 20)));
        VirtioNetHeader h = new VirtioNetHeader();
        h.flags = VirtioNetHeader.NEEDS_CSUM;
        h.csumStart = 20;
        h.csumOffset = 16;
        assertTrue(TcpSegmenter.finishChecksum(p, h));
        assertValid(p);
        h.csumStart = p.remaining();
        assertFalse(TcpSegmenter.finishChecksum(p, h), "offsets past the packet are refused");
    }

    @Test
    void mergingTheSegmentsGivesTheSuperPacketBack() {
        for (boolean v4 : new boolean[] {true, false}) {
            byte[] payload = new byte[20_000];
            random.nextBytes(payload);
            ByteBuffer sp = tcp(v4, 40000, 5000, ACK | PSH, payload);
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
                assertValid(again.get(i));
                assertEquals(segments.get(i), again.get(i), "segment " + i);
            }
        }
    }

    @Test
    void onlyExactContinuationsOfOneFlowAreMerged() {
        byte[] chunk = new byte[1000];
        random.nextBytes(chunk);
        TcpCoalescer c = new TcpCoalescer();
        assertTrue(c.add(tcp(true, 1, 0, ACK, chunk)));
        assertFalse(c.add(tcp(true, 1, 2000, ACK, chunk)), "a gap in the sequence");
        assertFalse(c.add(tcp(true, 2, 1000, ACK, chunk)), "another flow");
        assertFalse(c.add(tcp(true, 1, 1000, ACK | FIN, chunk)), "FIN is never merged");
        assertFalse(c.add(tcp(true, 1, 1000, ACK, new byte[1001])), "larger than the first segment");
        assertTrue(c.add(tcp(true, 1, 1000, ACK, chunk)));
        assertTrue(c.add(tcp(true, 1, 2000, ACK, new byte[10])), "a shorter one ends the batch");
        assertFalse(c.add(tcp(true, 1, 2010, ACK, new byte[10])), "after the shorter one");
        ByteBuffer merged = c.finish();
        assertEquals(20 + 32 + 2010, merged.getShort(VirtioNetHeader.SIZE + 2) & 0xffff, "merged IPv4 length");
        assertEquals(3, c.finishedCount());
        assertFalse(c.pending());

        ByteBuffer syn = tcp(true, 1, 0, 0x02, new byte[0]);
        assertFalse(c.add(syn), "SYN is never merged");
        assertFalse(c.add(tcp(true, 1, 0, ACK, new byte[0])), "nor a bare ACK");
        ByteBuffer one = tcp(true, 1, 0, ACK | PSH, chunk);
        assertTrue(c.add(one.duplicate()));
        assertFalse(c.add(tcp(true, 1, 1000, ACK, chunk)), "PSH ends the batch");
        ByteBuffer alone = c.finish();
        assertEquals(1, c.finishedCount());
        VirtioNetHeader h = new VirtioNetHeader();
        h.read(alone, 0);
        assertEquals(VirtioNetHeader.NEEDS_CSUM, h.flags, "a batch of one leaves its checksum to the kernel too");
        assertEquals(VirtioNetHeader.GSO_NONE, h.gsoType);
        assertEquals(20, h.csumStart);
        assertEquals(16, h.csumOffset);
        alone.position(VirtioNetHeader.SIZE);
        assertTrue(TcpSegmenter.finishChecksum(alone, h)); // as the kernel does if it forwards the packet
        assertEquals(one, alone, "otherwise unchanged");
    }

    private List<ByteBuffer> cut(ByteBuffer superPacket, VirtioNetHeader h, boolean checksumOptional) {
        TcpSegmenter segmenter = new TcpSegmenter();
        int count = segmenter.begin(superPacket, h, checksumOptional);
        List<ByteBuffer> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ByteBuffer s = ByteBuffer.allocateDirect(2048);
            segmenter.segment(i, s);
            out.add(s.flip());
        }
        return out;
    }

    @Test
    void aReceiverThatReadsNoChecksumGetsSegmentsWithoutAndItsKernelMakesThemWhole() {
        for (boolean v4 : new boolean[] {true, false}) {
            byte[] payload = new byte[5_000];
            random.nextBytes(payload);
            ByteBuffer sp = tcp(v4, 40000, 7, ACK | PSH, payload);
            List<ByteBuffer> with = cut(sp.duplicate(), gso(v4, 1368), false);
            List<ByteBuffer> without = cut(sp.duplicate(), gso(v4, 1368), true);
            int ip = v4 ? 20 : 40;
            for (int i = 0; i < with.size(); i++) {
                ByteBuffer s = without.get(i);
                assertEquals(0, s.getShort(s.position() + ip + 16), "no checksum computed");
                // The receiver: its header says the kernel finishes the checksum (here done as the kernel would).
                VirtioNetHeader h = new VirtioNetHeader();
                assertTrue(PartialChecksum.leaveToKernel(s, h));
                assertEquals(VirtioNetHeader.NEEDS_CSUM, h.flags);
                assertEquals(ip, h.csumStart);
                assertTrue(TcpSegmenter.finishChecksum(s, h));
                assertValid(s);
                assertEquals(with.get(i), s, "segment " + i + ": the packet a checksumming sender sends");
            }
        }
    }

    @Test
    void onlyWholeTcpPacketsAreLeftToTheKernel() {
        ByteBuffer v4 = tcp(true, 1, 0, ACK, new byte[100]);
        ByteBuffer v6 = tcp(false, 1, 0, ACK, new byte[100]);
        assertEquals(20, PartialChecksum.tcpOffset(v4, 0, v4.remaining()));
        assertEquals(40, PartialChecksum.tcpOffset(v6, 0, v6.remaining()));
        assertEquals(-1, PartialChecksum.tcpOffset(v4, 0, 20 + 19), "a TCP header cut short");
        assertEquals(-1, PartialChecksum.tcpOffset(v4, 0, 20 + 31), "its options cut short");

        ByteBuffer fragment = tcp(true, 1, 0, ACK, new byte[100]);
        fragment.putShort(6, (short) 0x2000); // more fragments
        assertEquals(-1, PartialChecksum.tcpOffset(fragment, 0, fragment.remaining()), "a first fragment");
        fragment.putShort(6, (short) 0x0010); // offset 128
        assertEquals(-1, PartialChecksum.tcpOffset(fragment, 0, fragment.remaining()), "a later fragment");
        ByteBuffer udp = tcp(true, 1, 0, ACK, new byte[100]);
        udp.put(9, (byte) 17);
        assertEquals(-1, PartialChecksum.tcpOffset(udp, 0, udp.remaining()), "UDP");
        ByteBuffer hopByHop = tcp(false, 1, 0, ACK, new byte[100]);
        hopByHop.put(6, (byte) 0);
        assertEquals(-1, PartialChecksum.tcpOffset(hopByHop, 0, hopByHop.remaining()), "IPv6 extension header");

        byte[] before = bytes(fragment);
        VirtioNetHeader h = new VirtioNetHeader();
        assertFalse(PartialChecksum.leaveToKernel(fragment, h));
        assertArrayEquals(before, bytes(fragment), "a packet not taken is left as it is");
        assertEquals(0, h.flags);

        // A super-packet whose IP header says fragment keeps its segments' checksums even for such a receiver.
        ByteBuffer sp = tcp(true, 40000, 7, ACK, new byte[3000]);
        sp.putShort(6, (short) 0x2000);
        for (ByteBuffer s : cut(sp, gso(true, 1368), true)) {
            assertValid(s);
        }
    }
}
