package dev.skein.node.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A batch leaves as GSO allows: one destination, equal sizes but a shorter last, at most 64 datagrams and 65,507 bytes. */
class SendBatchTest {
    private static final InetSocketAddress A = new InetSocketAddress("198.18.0.1", 51820);
    private static final InetSocketAddress B = new InetSocketAddress("198.18.0.2", 51820);

    private record Sent(int bytes, int segmentSize, InetSocketAddress to, byte first) {}

    private final List<Sent> sent = new ArrayList<>();
    private final SendBatch batch = new SendBatch(
            (b, size, to) -> sent.add(new Sent(b.remaining(), size, to, b.get(b.position()))),
            ByteBuffer.allocateDirect(70_000));

    private void add(InetSocketAddress to, int length, int mark) {
        int at = batch.start(to, length);
        batch.buffer.put(at, (byte) mark);
        batch.add(length);
    }

    @Test
    void datagramsOfOneSizeToOneDestinationLeaveTogether() {
        for (int i = 0; i < 3; i++) {
            add(A, 1452, i);
        }
        add(A, 100, 3); // shorter: the last of this send
        add(A, 1452, 4);
        add(B, 1452, 5); // another destination
        add(B, 1500, 6); // larger than the first
        batch.flush();
        batch.flush(); // nothing more
        assertEquals(List.of(new Sent(3 * 1452 + 100, 1452, A, (byte) 0), new Sent(1452, 0, A, (byte) 4),
                new Sent(1452, 0, B, (byte) 5), new Sent(1500, 0, B, (byte) 6)), sent);
        assertFalse(batch.pending());
    }

    @Test
    void aSendHoldsAtMost64DatagramsAnd65507Bytes() {
        for (int i = 0; i < 70; i++) {
            add(A, 100, i);
        }
        batch.flush();
        assertEquals(List.of(new Sent(6400, 100, A, (byte) 0), new Sent(600, 100, A, (byte) 64)), sent);
        sent.clear();
        for (int i = 0; i < 50; i++) {
            add(A, 1452, i);
        }
        batch.flush();
        assertEquals(List.of(new Sent(45 * 1452, 1452, A, (byte) 0), new Sent(5 * 1452, 1452, A, (byte) 45)), sent);
    }
}
