package dev.skein.node.dataplane;

import dev.skein.node.Constants;
import dev.skein.node.offload.PartialChecksum;
import dev.skein.node.offload.TcpSegmenter;
import dev.skein.node.offload.VirtioNetHeader;
import dev.skein.node.peer.Peer;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The send path, TUN to UDP, one thread:
 * <ol>
 *   <li>read one IP packet from the TUN device: with offloads, possibly a TCP super-packet of up to 64 KB,
 *       or a packet whose checksum is left for us to finish;</li>
 *   <li>find the peer owning its destination (longest prefix match); none: answer ICMP unreachable;</li>
 *   <li>ask the firewall whether it may go to that peer;</li>
 *   <li>seal it (each segment of a super-packet) with the peer's current session into the thread's
 *       {@link SendBatch}, or stage it and start a handshake when there is no usable session
 *       ({@link Device#enqueue});</li>
 *   <li>read on while packets are queued; when none is, send the batch: datagrams for one destination in one
 *       UDP GSO send.</li>
 * </ol>
 */
final class Send implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Send.class);
    private final Device device;

    Send(Device device) {
        this.device = device;
    }

    @Override
    public void run() {
        Scratch scratch = new Scratch(device.outbound, device.mtu, device.sealWorkers);
        ByteBuffer in = ByteBuffer.allocateDirect(Constants.BUFFER_SIZE);
        ByteBuffer icmp = ByteBuffer.allocateDirect(1500);
        SendBatch batch = scratch.batch;
        while (device.running()) {
            in.clear();
            // While sealed datagrams wait in the batch, read on only what is already queued: once the device is
            // empty, send them. So a batch never waits for traffic, and one send carries what came together.
            boolean holding = batch.pending();
            int n;
            try {
                n = device.tun.read(in, scratch.header, !holding);
            } catch (IOException e) {
                device.fail(e.getMessage());
                return;
            }
            if (n < 0) {
                return;
            }
            if (n == 0) {
                batch.flush();
                continue;
            }
            try {
                send(in, n, icmp, scratch);
            } catch (RuntimeException e) {
                // A bug, not a packet we foresaw: say it, drop the packet, keep serving.
                device.counters.garbage.incrementAndGet();
                if (device.logLimiter.allow("send bug", System.nanoTime())) {
                    log.error("dropped a packet from the TUN device after an unexpected error", e);
                }
            }
        }
    }

    /**
     * True (and ICMP "fragmentation needed", or ICMPv6 "packet too big", written back) if the packet, or each
     * segment of a super-packet, is longer than the peer's path carries and may not be cut: IPv4 with DF, and
     * every IPv6 packet (no router fragments IPv6). An IPv4 packet without DF goes on, to be cut as a router would.
     */
    private boolean tooBig(ByteBuffer in, int n, int version, VirtioNetHeader header, int tunnelMtu, ByteBuffer icmp) {
        int length = n;
        if (header.segmented()) {
            int l4 = version == 4 ? (in.get(in.position()) & 0x0f) * 4 : 40;
            if (n < l4 + 20) {
                return false;
            }
            length = l4 + ((in.get(in.position() + l4 + 12) & 0xf0) >> 2) + header.gsoSize;
        }
        if (length <= tunnelMtu || (version == 4 && !Icmp.dontFragment(in))) {
            return false;
        }
        device.counters.tooBig.incrementAndGet();
        boolean reply = version == 4 ? Icmp.fragmentationNeeded(in, tunnelMtu, icmp)
                : Icmp.packetTooBig(in, tunnelMtu, icmp);
        if (reply && !device.tun.write(icmp)) {
            device.counters.tunWriteErrors.incrementAndGet();
        }
        return true;
    }

    /** Routes and seals (or stages) the packet of {@code n} bytes just read into {@code in}. */
    private void send(ByteBuffer in, int n, ByteBuffer icmp, Scratch scratch) {
        int version = IpPacket.version(in);
        Peer peer;
        if (version == 4 && n >= 20) {
            peer = device.peers.routes.lookup4(IpPacket.destination4(in));
        } else if (version == 6 && n >= 40) {
            peer = device.peers.routes.lookup(IpPacket.address(in, false));
        } else {
            return;
        }
        if (peer == null) {
            device.counters.noRoute.incrementAndGet();
            if (Icmp.unreachable(in, icmp) && !device.tun.write(icmp)) {
                device.counters.tunWriteErrors.incrementAndGet();
            }
            return;
        }
        // A super-packet's header is its first segment's: one judgement covers all of them (one flow).
        // Without rules, no clock read either: this runs for every packet the machine sends.
        if (device.firewall.rules() != null
                && !device.firewall.allows(in, peer.identity(), false, scratch.probe, System.nanoTime())) {
            return; // counted by the firewall
        }
        VirtioNetHeader header = scratch.header;
        int fits = peer.tunnelMtu();
        // The path to this peer carries less than the device (checked only then: the common case costs one read).
        boolean narrow = fits > 0 && fits < device.mtu;
        if (narrow && tooBig(in, n, version, header, fits, icmp)) {
            return;
        }
        if (header.segmented()) {
            device.outbound.sendSegmented(peer, in, header, scratch);
            return;
        }
        boolean cut = narrow && n > fits;
        if ((header.flags & VirtioNetHeader.NEEDS_CSUM) != 0 && !checksumLeftOut(peer, in, n, header, cut)
                && !TcpSegmenter.finishChecksum(in, header)) {
            device.counters.garbage.incrementAndGet();
            return;
        }
        if (cut && version == 4) { // too long, but without DF: cut as a router would
            Ipv4Fragments.cut(in, fits, scratch.packet, f -> device.outbound.enqueue(peer, f, scratch));
            return;
        }
        device.outbound.enqueue(peer, in, scratch);
    }

    /**
     * True if the kernel's unfinished TCP checksum may stay unfinished: the peer reads none ({@link PartialChecksum})
     * and the packet reaches it whole (not cut into fragments, whose reassembly its kernel checks).
     */
    private static boolean checksumLeftOut(Peer peer, ByteBuffer in, int n, VirtioNetHeader header, boolean cut) {
        return peer.tcpChecksumOptional() && !cut && header.csumOffset == 16
                && PartialChecksum.tcpOffset(in, in.position(), n) == header.csumStart;
    }
}
