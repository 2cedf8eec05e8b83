package dev.skein.node.dataplane;

import dev.skein.node.Constants;
import dev.skein.node.peer.Peer;
import dev.skein.protocol.path.RelayHeader;
import dev.skein.protocol.transport.TransportAead;
import dev.skein.protocol.transport.TransportMessage;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each peer's tunnel MTU: the largest overlay packet whose sealed datagram fits the underlay path to the peer
 * (or to its relay) without being fragmented. The device's MTU is the most it can be; on a smaller path (PPPoE's
 * 1492, a 1400-byte tunnel in the way, a 1280 IPv6 path) it is lower, and {@link Send} answers a bigger packet
 * with DF set by ICMP "fragmentation needed" naming it, so the sender's path MTU discovery fits its packets
 * (TCP its segments) to the path instead of having every datagram cut in two on the underlay.
 *
 * <p>The path's MTU is the kernel's ({@code UnderlaySocket.pathMtu}), which includes what ICMP from the underlay
 * taught it. Asked every {@link Constants#PATH_MTU_CHECK} per peer, on the timer thread.
 */
final class PathMtu {
    private static final Logger log = LoggerFactory.getLogger(PathMtu.class);
    private static final long CHECK_NANOS = Constants.PATH_MTU_CHECK.toNanos();
    /** UDP and IP headers on the underlay. */
    static final int IPV4_UDP = 28;
    static final int IPV6_UDP = 48;
    static final int SEALING = TransportMessage.HEADER_SIZE + TransportAead.TAG_SIZE;
    /**
     * Below this we stop asking senders for smaller packets and let the underlay fragment: Linux takes no path
     * MTU under 552 from an ICMP (net.ipv4.route.min_pmtu), so asking for less would only drop packets.
     */
    static final int FLOOR = 560;

    private final Device device;

    PathMtu(Device device) {
        this.device = device;
    }

    /**
     * The largest overlay packet that fits a path of {@code pathMtu} bytes. Packets are padded to a multiple of
     * 16 (never beyond the device's MTU), so below the device's MTU the answer is a multiple of 16.
     */
    static int tunnelMtu(int pathMtu, boolean ipv6, boolean relayed, int deviceMtu) {
        int room = pathMtu - (ipv6 ? IPV6_UDP : IPV4_UDP) - SEALING - (relayed ? RelayHeader.SIZE : 0);
        if (room >= deviceMtu) {
            return deviceMtu;
        }
        return Math.max(FLOOR, room & ~15);
    }

    /** A send to {@code to} was refused as too big: every peer reached there is checked now. */
    void recheck(InetSocketAddress to, long now) {
        device.counters.tooBigForPath.incrementAndGet();
        for (Peer peer : device.peers()) {
            Peer via = peer.relay();
            if (to.equals(via == null ? peer.endpoint() : via.endpoint())) {
                peer.mtuCheckDue(now, 0);
                update(peer);
            }
        }
    }

    /** Asks the kernel again when due; says when a peer's tunnel MTU changes. */
    void check(Peer peer, long now) {
        if (peer.mtuCheckDue(now, CHECK_NANOS)) {
            update(peer);
        }
    }

    private void update(Peer peer) {
        Peer via = peer.relay();
        InetSocketAddress to = via == null ? peer.endpoint() : via.endpoint();
        if (to == null || to.getAddress() == null) {
            return;
        }
        int path = device.udp.pathMtu(to);
        if (path <= 0) {
            return;
        }
        int fits = tunnelMtu(path, to.getAddress().getAddress().length == 16, via != null, device.mtu);
        int before = peer.tunnelMtu();
        if (fits != before) {
            peer.tunnelMtu(fits);
            if (fits < device.mtu || before != 0) {
                log.info("path MTU to {} at {}: {}; overlay packets up to {} bytes", peer.name(), to, path, fits);
            }
        }
    }
}
