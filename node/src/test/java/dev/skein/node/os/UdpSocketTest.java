package dev.skein.node.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The JNA socket on loopback: GSO sends arrive as separate datagrams, GRO receives are cut back correctly. */
class UdpSocketTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    /** Ten datagrams of 1000 bytes and one of 300, each filled with its own number. */
    private static ByteBuffer batch() {
        ByteBuffer b = ByteBuffer.allocateDirect(10_300);
        for (int i = 0; i < b.capacity(); i++) {
            b.put(i, (byte) (i / 1000));
        }
        return b;
    }

    @Test
    void oneSegmentedSendArrivesAsSeparateDatagrams() throws Exception {
        try (UdpSocket sender = UdpSocket.open(0, true); DatagramChannel receiver = DatagramChannel.open()) {
            receiver.bind(new InetSocketAddress(LOOPBACK, 0));
            sender.sendSegments(batch(), 1000, (InetSocketAddress) receiver.getLocalAddress());
            List<Integer> sizes = new ArrayList<>();
            ByteBuffer in = ByteBuffer.allocate(65536);
            for (int i = 0; i < 11; i++) {
                in.clear();
                InetSocketAddress from = (InetSocketAddress) receiver.receive(in);
                assertEquals(sender.localPort(), from.getPort());
                sizes.add(in.position());
                assertEquals(i, in.get(0), "datagram " + i + " in order");
            }
            assertEquals(List.of(1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 300), sizes);
        }
    }

    @Test
    void receivesAreCutIntoTheDatagramsTheyHold() throws Exception {
        try (UdpSocket sender = UdpSocket.open(0, true); UdpSocket receiver = UdpSocket.open(0, true)) {
            InetSocketAddress to = new InetSocketAddress(LOOPBACK, receiver.localPort());
            sender.sendSegments(batch(), 1000, to);
            sender.send(ByteBuffer.wrap(new byte[] {42, 43}), to); // a heap buffer, copied
            ByteBuffer in = ByteBuffer.allocateDirect(65536);
            List<Integer> sizes = new ArrayList<>();
            int most = 0;
            for (int round = 0; round < 20 && sizes.size() < 12; round++) {
                int n = receiver.receive(in.clear());
                if (n <= 0) {
                    continue;
                }
                most = Math.max(most, (n + receiver.segmentSize() - 1) / receiver.segmentSize());
                InetSocketAddress from = receiver.source();
                assertInstanceOf(Inet4Address.class, from.getAddress(), "an IPv4-mapped source reads as IPv4");
                assertEquals(to.getAddress(), from.getAddress());
                assertEquals(sender.localPort(), from.getPort());
                for (int at = 0; at < n; at += receiver.segmentSize()) {
                    int size = Math.min(receiver.segmentSize(), n - at);
                    if (sizes.size() < 11) {
                        assertEquals(sizes.size(), in.get(at), "datagram " + sizes.size());
                    }
                    sizes.add(size);
                }
            }
            assertEquals(List.of(1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 300, 2), sizes);
            assertEquals(0, receiver.receive(in.clear()), "nothing more: the poll interval passes");
            if (receiver.receiveOffload()) {
                assertTrue(most > 1, "with GRO, one receive holds several datagrams of the segmented send");
            }
        }
    }

    @Test
    void aClosedSocketEndsTheReceiver() throws Exception {
        UdpSocket socket = UdpSocket.open(0, true);
        assertTrue(socket.localPort() > 0);
        socket.close();
        assertEquals(-1, socket.receive(ByteBuffer.allocateDirect(64)));
        assertEquals(0, socket.localPort());
    }
}
