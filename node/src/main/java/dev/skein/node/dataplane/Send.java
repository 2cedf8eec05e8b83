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
 *   <li>seal it (each segment of a super-packet) with the peer's current session into the thread's
 *       {@link SendBatch}, or stage it and start a handshake when there is no usable session
 *       ({@link Device#enqueue});</li>
 *   <li>read on while packets are queued; when none is, send the batch: datagrams for one destination in one
 *       UDP GSO send.</li>
 * </ol>
 */
final class Send implements Runnable {
    private final Device device;

    Send(Device device) {
        this.device = device;
    }

    @Override
    public void run() {
        Device.Scratch scratch = new Device.Scratch(device);
        ByteBuffer in = ByteBuffer.allocateDirect(Device.BUFFER_SIZE);
        ByteBuffer icmp = ByteBuffer.allocateDirect(1500);
        SendBatch batch = scratch.batch;
        while (device.running()) {
            in.clear();
            // While sealed datagrams wait in the batch, read on only what is already queued: once the device is
            // empty, send them. So a batch never waits for traffic, and one send carries what came together.
            boolean holding = batch.pending();
            int n = device.tun.read(in, scratch.header, !holding);
            if (n < 0) {
                return;
            }
            if (n == 0) {
                batch.flush();
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
            device.enqueue(peer, in, scratch);
        }
    }
}
