package dev.skein.node.dataplane;

import dev.skein.node.offload.TcpSegmenter;
import dev.skein.node.offload.VirtioNetHeader;
import dev.skein.protocol.transport.TransportMessage;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The seal and open stages alone, with 1, 2 and 4 lanes: one operation is a 64 KB TCP super-packet cut into 45
 * segments of 1,400 bytes and sealed ({@link #seal}), or a GRO receive of 45 such datagrams opened
 * ({@link #open}), with the cipher {@link Ciphers} picks on this machine. Run by
 * {@code simulations/scripts/jmh.sh}; multiply operations per second by 63,000 bytes (45 x 1,400) for the stage's payload rate.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CipherWorkersBenchmark {
    private static final int MTU = 1420;
    private static final int SEGMENT = 1400;
    private static final int SEGMENTS = 45;

    @Param({"1", "2", "4"})
    public int workers;

    private CipherWorkers lanes;
    private SegmentSeals seals;
    private DatagramOpens opens;
    private final TcpSegmenter segmenter = new TcpSegmenter();
    private final VirtioNetHeader header = new VirtioNetHeader();
    private ByteBuffer superPacket;
    private final byte[] key = new byte[32];
    private int datagramSize;
    private int received;
    /** Sealing the same counter twice is refused (a nonce is never reused): each operation takes new ones. */
    private long counter;

    @Setup(Level.Trial)
    public void setUp() {
        Random random = new Random(1);
        random.nextBytes(key);
        superPacket = CipherWorkersTest.superPacket(random, SEGMENTS * SEGMENT, header, SEGMENT);
        lanes = new CipherWorkers(workers, "bench-lane");
        ByteBuffer datagrams = ByteBuffer.allocateDirect(70_000);
        seals = new SegmentSeals(lanes, datagrams, MTU);
        datagramSize = TransportMessage.sealedSize(SEGMENT + 52, MTU);
        // What a GRO receive of the same segments looks like: sealed once here, opened in every operation.
        seal();
        received = SEGMENTS * datagramSize;
        ByteBuffer in = ByteBuffer.allocateDirect(70_000);
        in.put(0, datagrams, 0, received);
        opens = new DatagramOpens(lanes, in);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        lanes.close();
    }

    @Benchmark
    public void seal() {
        int count = segmenter.begin(superPacket, header);
        seals.begin(segmenter, key, 1);
        for (int i = 0; i < count; i++) {
            seals.reserve(i, i * datagramSize, counter++);
        }
        seals.complete();
    }

    @Benchmark
    public Object open() {
        for (int i = 0; i < SEGMENTS; i++) {
            opens.reserve(i, i * datagramSize, datagramSize, key, 0, null); // opening never checks the counter
        }
        opens.complete();
        ByteBuffer last = opens.plaintext(SEGMENTS - 1);
        if (last == null) {
            throw new IllegalStateException("a datagram did not authenticate");
        }
        opens.clear();
        return last;
    }
}
