package dev.skein.node.dataplane;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skein.node.offload.TcpSegmenter;
import dev.skein.node.offload.VirtioNetHeader;
import dev.skein.protocol.transport.TransportAead;
import dev.skein.protocol.transport.TransportAeads;
import dev.skein.protocol.transport.TransportMessage;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Sealing and opening on several lanes gives, byte for byte and in order, what one thread gives: every job runs
 * once, a super-packet's segments leave sealed with consecutive counters in the batch's order, a GRO receive's
 * datagrams open to their own plaintexts, and one that does not authenticate is told apart.
 */
class CipherWorkersTest {
    private static final InetSocketAddress PEER = new InetSocketAddress("198.18.0.2", 51820);
    private static final int MTU = 1420;
    private final Random random = new Random(23);
    /** The reference: one pure-Java cipher on this thread. */
    private final TransportAead reference = TransportAeads.create("bouncycastle");

    private byte[] key() {
        byte[] k = new byte[32];
        random.nextBytes(k);
        return k;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void everyJobOfEveryBatchRunsExactlyOnce(int workers) {
        try (CipherWorkers w = new CipherWorkers(workers, "test-workers")) {
            assertEquals(workers, w.workers());
            for (int count = 0; count <= 70; count++) {
                AtomicIntegerArray runs = new AtomicIntegerArray(count);
                w.run(count, (i, lane) -> runs.incrementAndGet(i));
                for (int i = 0; i < count; i++) {
                    assertEquals(1, runs.get(i), "job " + i + " of " + count);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void aJobThatFailsIsReportedToThePipelineAndTheWorkersCarryOn(int workers) {
        try (CipherWorkers w = new CipherWorkers(workers, "test-workers")) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> w.run(20, (i, lane) -> {
                if (i == 13) {
                    throw new IllegalStateException("job 13");
                }
            }));
            assertEquals("job 13", e.getMessage());
            AtomicIntegerArray runs = new AtomicIntegerArray(20);
            w.run(20, (i, lane) -> runs.incrementAndGet(i));
            for (int i = 0; i < 20; i++) {
                assertEquals(1, runs.get(i));
            }
        }
    }

    /** An IPv4 TCP super-packet with {@code payload} random bytes, to be cut every {@code gso} bytes ({@code h}). */
    static ByteBuffer superPacket(Random random, int payload, VirtioNetHeader h, int gso) {
        int total = 20 + 32 + payload;
        ByteBuffer b = ByteBuffer.allocateDirect(total);
        byte[] body = new byte[payload];
        random.nextBytes(body);
        b.put(0, (byte) 0x45).putShort(2, (short) total).putShort(4, (short) 0x1234).put(8, (byte) 64)
                .put(9, (byte) 6).putInt(12, 0x64400001).putInt(16, 0x64400002);
        b.putShort(20, (short) 40000).putShort(22, (short) 5201).putInt(24, 1000).put(32, (byte) (8 << 4))
                .put(33, (byte) 0x18);
        b.put(52, body);
        h.flags = VirtioNetHeader.NEEDS_CSUM;
        h.gsoType = VirtioNetHeader.GSO_TCPV4;
        h.gsoSize = gso;
        h.headerLength = 52;
        h.csumStart = 20;
        h.csumOffset = 16;
        return b;
    }

    private record Sent(byte[] datagrams, int segmentSize) {}

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void aSuperPacketsSegmentsLeaveSealedInOrderAsOneThreadWouldSealThem(int workers) {
        VirtioNetHeader h = new VirtioNetHeader();
        ByteBuffer superPacket = superPacket(random, 60_000 + 123, h, 600); // 101 segments: two GSO sends
        TcpSegmenter segmenter = new TcpSegmenter();
        int count = segmenter.begin(superPacket, h);
        List<byte[]> expected = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ByteBuffer s = ByteBuffer.allocateDirect(2048);
            segmenter.segment(i, s);
            s.flip();
            TransportMessage.pad(s, MTU);
            byte[] b = new byte[s.remaining()];
            s.get(b);
            expected.add(b);
        }
        byte[] key = key();
        List<Sent> sent = new ArrayList<>();
        try (CipherWorkers w = new CipherWorkers(workers, "test-seal")) {
            ByteBuffer datagrams = ByteBuffer.allocateDirect(70_000);
            SegmentSeals seals = new SegmentSeals(w, datagrams, MTU);
            SendBatch batch = new SendBatch((d, size, to) -> {
                byte[] b = new byte[d.remaining()];
                d.get(b);
                sent.add(new Sent(b, size));
            }, datagrams, seals::complete);
            seals.begin(segmenter, key, 77);
            for (int i = 0; i < count; i++) {
                int datagram = TransportMessage.sealedSize(segmenter.segmentLength(i), MTU);
                int at = batch.start(PEER, datagram);
                seals.reserve(i, at, i);
                batch.add(datagram);
            }
            seals.complete();
            batch.flush();
        }
        int segment = 0;
        for (Sent s : sent) {
            ByteBuffer d = ByteBuffer.wrap(s.datagrams());
            int size = s.segmentSize() == 0 ? s.datagrams().length : s.segmentSize();
            for (int at = 0; at < s.datagrams().length; at += size, segment++) {
                d.limit(Math.min(s.datagrams().length, at + size)).position(at);
                assertEquals(77, TransportMessage.receiverIndex(d));
                assertEquals(segment, TransportMessage.counter(d), "counters follow the segments' order");
                ByteBuffer plain = ByteBuffer.allocate(2048);
                assertTrue(TransportMessage.open(reference, key, d, plain) >= 0, "segment " + segment + " opens");
                assertArrayEquals(expected.get(segment), java.util.Arrays.copyOf(plain.array(), plain.position()),
                        "segment " + segment);
            }
        }
        assertEquals(count, segment);
        assertEquals(2, sent.size(), "at most 64 datagrams a send");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void aGroReceivesDatagramsOpenToTheirOwnPlaintextsAndAForgedOneIsToldApart(int workers) {
        int size = 1452;
        int count = 40;
        byte[] key = key();
        ByteBuffer datagrams = ByteBuffer.allocateDirect(65_536);
        List<byte[]> plaintexts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] p = new byte[i == count - 1 ? 500 : size - 32]; // the last of a GRO receive may be shorter
            random.nextBytes(p);
            plaintexts.add(p);
            datagrams.position(i * size);
            TransportMessage.seal(reference, key, 5, 1000 + i, ByteBuffer.wrap(p), datagrams);
        }
        int n = datagrams.position();
        datagrams.put(7 * size + 100, (byte) (datagrams.get(7 * size + 100) ^ 1)); // one forged on the way
        try (CipherWorkers w = new CipherWorkers(workers, "test-open")) {
            DatagramOpens opens = new DatagramOpens(w, datagrams);
            assertEquals(workers > 1, opens.worthIt(count));
            for (int round = 0; round < 2; round++) { // the buffers serve receive after receive
                for (int i = 0, at = 0; at < n; i++, at += size) {
                    if (i != 3) { // one left to the loop, as a datagram without a session would be
                        opens.reserve(i, at, Math.min(n, at + size) - at, key, 1000 + i, null);
                    }
                }
                opens.complete();
                for (int i = 0; i < count; i++) {
                    if (i == 3) {
                        assertFalse(opens.opened(i));
                        continue;
                    }
                    assertTrue(opens.opened(i));
                    assertEquals(1000 + i, opens.counter(i));
                    ByteBuffer plain = opens.plaintext(i);
                    if (i == 7) {
                        assertNull(plain, "the forged datagram does not authenticate");
                        continue;
                    }
                    assertTrue(plain.position() >= VirtioNetHeader.SIZE, "room for the TUN device's header");
                    byte[] got = new byte[plain.remaining()];
                    plain.get(got);
                    assertArrayEquals(plaintexts.get(i), got, "datagram " + i);
                }
                opens.clear();
                assertFalse(opens.opened(0));
            }
        }
    }
}
