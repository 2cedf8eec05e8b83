package dev.skein.node.dataplane;

import dev.skein.node.os.UdpSocket;
import dev.skein.node.peer.Keypair;
import dev.skein.protocol.transport.TransportMessage;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The transport messages of one GRO receive (datagrams of one sender laid end to end), opened at once by the
 * receive thread's {@link CipherWorkers} before the receive loop takes each in order. Only the decryption runs
 * ahead: the replay window, the session's confirmation, the source check and the TUN write stay in the loop,
 * in the datagrams' order. A datagram's plaintext goes where its own transport header and ciphertext lie in
 * {@link #plain}, so no two overlap and each has room before it for the TUN device's header.
 */
final class DatagramOpens implements CipherWorkers.Job {
    /** A GRO receive holds at most this many datagrams; any beyond are opened by the loop. */
    static final int CAPACITY = UdpSocket.MAX_SEGMENTS;

    private final CipherWorkers workers;
    private final ByteBuffer datagrams;
    /** As large as the datagrams' buffer: each plaintext lies where its datagram does. */
    private final ByteBuffer plain;
    /** Per lane: its views of the datagrams and of the plaintexts (positions are per view). */
    private final ByteBuffer[] sources;
    private final ByteBuffer[] targets;
    /** Per datagram of the receive: its job, plus one; 0 when it is not opened ahead. */
    private final int[] jobOf = new int[CAPACITY];
    private final int[] offsets = new int[CAPACITY];
    private final int[] lengths = new int[CAPACITY];
    private final long[] counters = new long[CAPACITY];
    private final byte[][] keys = new byte[CAPACITY][];
    private final Keypair[] keypairs = new Keypair[CAPACITY];
    private final int[] results = new int[CAPACITY];
    private int pending;

    /** Opens datagrams that lie in {@code datagrams}, the receive thread's buffer. */
    DatagramOpens(CipherWorkers workers, ByteBuffer datagrams) {
        this.workers = workers;
        this.datagrams = datagrams;
        this.plain = ByteBuffer.allocateDirect(datagrams.capacity());
        sources = new ByteBuffer[workers.workers()];
        targets = new ByteBuffer[workers.workers()];
    }

    /** True when a receive of {@code count} datagrams is worth opening ahead: more than one lane to share it. */
    boolean worthIt(int count) {
        return workers.workers() > 1 && count >= CipherWorkers.MIN_SHARED;
    }

    /**
     * Datagram {@code index} of the receive, {@code length} bytes at {@code offset}, is a transport message with
     * {@code counter} to be opened with {@code key}, the receiving key of {@code session}.
     */
    void reserve(int index, int offset, int length, byte[] key, long counter, Keypair session) {
        if (index >= CAPACITY) {
            return;
        }
        offsets[pending] = offset;
        lengths[pending] = length;
        keys[pending] = key;
        keypairs[pending] = session;
        counters[pending] = counter;
        jobOf[index] = ++pending;
    }

    /** Opens every reserved datagram; returns when all are done. */
    void complete() {
        if (pending > 0) {
            workers.run(pending, this);
        }
    }

    @Override
    public void run(int j, CipherWorkers.Lane lane) {
        ByteBuffer in = sources[lane.index];
        ByteBuffer out = targets[lane.index];
        if (in == null) {
            in = sources[lane.index] = datagrams.duplicate();
            out = targets[lane.index] = plain.duplicate();
        }
        in.limit(offsets[j] + lengths[j]).position(offsets[j]);
        out.limit(out.capacity()).position(offsets[j] + TransportMessage.HEADER_SIZE);
        results[j] = TransportMessage.open(lane.cipher.get(), keys[j], in, out);
    }

    /** True if datagram {@code index} of this receive was opened ahead. */
    boolean opened(int index) {
        return index < CAPACITY && jobOf[index] > 0;
    }

    Keypair keypair(int index) {
        return keypairs[jobOf[index] - 1];
    }

    long counter(int index) {
        return counters[jobOf[index] - 1];
    }

    /**
     * The plaintext of datagram {@code index} between the position and limit of a buffer the caller may use until
     * the next receive, or null when it did not authenticate.
     */
    ByteBuffer plaintext(int index) {
        int j = jobOf[index] - 1;
        int n = results[j];
        if (n < 0) {
            return null;
        }
        int start = offsets[j] + TransportMessage.HEADER_SIZE;
        return plain.limit(start + n).position(start);
    }

    /** Forgets this receive's datagrams. */
    void clear() {
        if (pending > 0) {
            Arrays.fill(jobOf, 0);
            Arrays.fill(keypairs, 0, pending, null);
            Arrays.fill(keys, 0, pending, null);
            pending = 0;
        }
    }
}
