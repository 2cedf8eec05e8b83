package dev.skein.node.dataplane;

import dev.skein.node.Constants;
import dev.skein.node.firewall.Firewall;
import dev.skein.node.offload.TcpSegmenter;
import dev.skein.node.offload.VirtioNetHeader;
import dev.skein.protocol.path.RelayHeader;
import dev.skein.protocol.transport.TransportAead;
import java.nio.ByteBuffer;

/** Per-thread packet scratch: each data-plane thread seals with its own cipher into its own buffers. */
final class Scratch {
    private final ThreadCipher cipher = new ThreadCipher();
    /** Sealed datagrams on their way out, each with its relay header when it goes through a relay. */
    final SendBatch batch;
    final ByteBuffer packet = ByteBuffer.allocateDirect(Constants.BUFFER_SIZE);
    /**
     * A staged packet on its way out: not {@link #packet}, which may hold the packet whose send flushes the staged
     * ones first (a keepalive, a fragment). Staged packets are single packets of at most the device's MTU.
     */
    final ByteBuffer staged;
    final VirtioNetHeader header = new VirtioNetHeader();
    final TcpSegmenter segmenter = new TcpSegmenter();
    final Firewall.Probe probe = new Firewall.Probe();

    /** The segments of a super-packet, sealed into {@link #batch} by the thread's {@link CipherWorkers}. */
    final SegmentSeals seals;

    /** Scratch for a thread that seals alone. */
    Scratch(Outbound outbound, int mtu) {
        this(outbound, mtu, new CipherWorkers(1, "unused"));
    }

    /** Scratch for a thread that seals super-packets with {@code workers}. */
    Scratch(Outbound outbound, int mtu, CipherWorkers workers) {
        staged = ByteBuffer.allocateDirect(mtu + 16); // room to pad to a multiple of 16
        ByteBuffer datagrams = ByteBuffer.allocateDirect(Constants.BUFFER_SIZE + RelayHeader.SIZE);
        seals = new SegmentSeals(workers, datagrams, mtu);
        batch = new SendBatch(outbound::sendSegments, datagrams, seals::complete);
    }

    /** This thread's instance of the cipher chosen now: a new one when the choice has changed (one volatile read). */
    TransportAead aead() {
        return cipher.get();
    }
}
