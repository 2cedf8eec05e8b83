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
    private Ciphers.Choice cipherChoice;
    private TransportAead aead;
    /** Sealed datagrams on their way out, each with its relay header when it goes through a relay. */
    final SendBatch batch;
    final ByteBuffer packet = ByteBuffer.allocateDirect(Constants.BUFFER_SIZE);
    final VirtioNetHeader header = new VirtioNetHeader();
    final TcpSegmenter segmenter = new TcpSegmenter();
    final Firewall.Probe probe = new Firewall.Probe();

    Scratch(Outbound outbound) {
        batch = new SendBatch(outbound::sendSegments, ByteBuffer.allocateDirect(Constants.BUFFER_SIZE + RelayHeader.SIZE));
    }

    /** This thread's instance of the cipher chosen now: a new one when the choice has changed (one volatile read). */
    TransportAead aead() {
        Ciphers.Choice now = Ciphers.current();
        if (now != cipherChoice) {
            aead = now.factory().get();
            cipherChoice = now;
        }
        return aead;
    }
}
