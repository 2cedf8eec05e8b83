package dev.skein.node.dataplane;

import dev.skein.node.offload.TcpSegmenter;
import dev.skein.node.offload.VirtioNetHeader;
import dev.skein.node.peer.Peer;
import java.nio.ByteBuffer;

/**
 * The send path, TUN to UDP, one thread:
 * <ol>
 *   <li>read one IP packet from the TUN device: with offloads, possibly a TCP super-packet of up to 64 KB,
 *       or a packet whose checksum is left for us to finish;</li>
 *   <li>find the peer owning its destination (longest prefix match); none: answer ICMP unreachable;</li>
 *   <li>seal it with the peer's current session and send it to the peer's endpoint, or stage it and start a
 *       handshake when there is no usable session ({@link Device#sendPacket}).</li>
 * </ol>
 */
final class Send implements Runnable {
    private final Device device;

    Send(Device device) {
        this.device = device;
    }

    @Override
    public void run() {
        Device.Scratch scratch = new Device.Scratch();
        ByteBuffer in = ByteBuffer.allocateDirect(Device.BUFFER_SIZE);
        ByteBuffer icmp = ByteBuffer.allocateDirect(1500);
        while (device.running()) {
            in.clear();
            int n = device.tun.read(in, scratch.header);
            if (n < 0) {
                return;
            }
            if (n == 0) {
                continue;
            }
            int version = IpPacket.version(in);
            Peer peer;
            if (version == 4 && n >= 20) {
                peer = device.routes.lookup4(IpPacket.destination4(in));
            } else if (version == 6 && n >= 40) {
                peer = device.routes.lookup(IpPacket.address(in, false));
            } else {
                continue;
            }
            if (peer == null) {
                device.counters.noRoute.incrementAndGet();
                if (Icmp.unreachable(in, icmp)) {
                    device.tun.write(icmp);
                }
                continue;
            }
            VirtioNetHeader header = scratch.header;
            if (header.segmented()) {
                device.sendSegmented(peer, in, header, scratch);
                continue;
            }
            if ((header.flags & VirtioNetHeader.NEEDS_CSUM) != 0 && !TcpSegmenter.finishChecksum(in, header)) {
                device.counters.garbage.incrementAndGet();
                continue;
            }
            device.sendPacket(peer, in, scratch);
        }
    }
}
