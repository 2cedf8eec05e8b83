package dev.skein.node.dataplane;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skein.node.config.Tuning;
import dev.skein.node.io.UdpPackets;
import dev.skein.node.io.MemoryNetwork;
import dev.skein.node.io.MemorySocket;
import dev.skein.node.io.MemoryTun;
import dev.skein.node.peer.Peer;
import dev.skein.node.peer.Reach;
import dev.skein.protocol.addr.IpPrefix;
import dev.skein.protocol.crypto.Curve25519;
import dev.skein.protocol.noise.StaticIdentity;
import dev.skein.protocol.path.PathMessage;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/** One node: a data plane on an in-memory TUN device and socket, at overlay address {@code overlay}. */
final class MemoryNode {
    private static final SecureRandom RANDOM = new SecureRandom();

    final String name;
    final String overlay;
    final StaticIdentity identity = new StaticIdentity(Curve25519.generatePrivateKey(RANDOM));
    final MemoryTun tun;
    final MemorySocket socket;
    final Heard events = new Heard();
    final Device device;

    /** What the data plane told the node: kept for the tests to look at. */
    static final class Heard implements Events {
        final List<InetSocketAddress> joins = new java.util.concurrent.CopyOnWriteArrayList<>();
        final List<String> unknownPeers = new java.util.concurrent.CopyOnWriteArrayList<>();
        final List<InetSocketAddress> observed = new java.util.concurrent.CopyOnWriteArrayList<>();
        final List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        /** Keys membership would name as former peers; and the ones reported alive. */
        final java.util.Set<String> formerKeys = java.util.concurrent.ConcurrentHashMap.newKeySet();
        final List<String> formerAlive = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public boolean formerPeer(String publicKeyBase64) {
            return formerKeys.contains(publicKeyBase64);
        }

        @Override
        public void onFormerPeerAlive(String publicKeyBase64, InetSocketAddress from) {
            formerAlive.add(publicKeyBase64);
        }

        @Override
        public void onJoin(byte[] datagram, InetSocketAddress from, boolean relayed) {
            joins.add(from);
        }

        @Override
        public void onUnknownPeer(String publicKeyBase64, InetSocketAddress from) {
            unknownPeers.add(publicKeyBase64);
        }

        @Override
        public void onObserved(InetSocketAddress endpoint, String byMember) {
            observed.add(endpoint);
        }

        @Override
        public void onFailure(String cause) {
            failures.add(cause);
        }
    }

    MemoryNode(MemoryNetwork network, String name, String overlay, String underlay, Tuning tuning) {
        this(network, name, overlay, underlay, tuning, new MemoryTun());
    }

    MemoryNode(MemoryNetwork network, String name, String overlay, String underlay, Tuning tuning, MemoryTun tun) {
        this.name = name;
        this.tun = tun;
        this.overlay = overlay;
        this.socket = network.bind(underlay, 51820);
        this.device = new Device(tun, socket, 1420, identity, tuning, events);
    }

    /**
     * Makes {@code other} a member peer of this node, reached at {@code candidates} (best first; empty: it
     * must reach us first), forwarding for others when {@code relay}.
     */
    Peer member(MemoryNode other, List<InetSocketAddress> candidates, boolean relay) {
        Reach reach = new Reach(PathMessage.pathKey(identity, other.identity.publicKey()), candidates, relay);
        Peer p = new Peer(other.name, other.identity.publicKey(), new byte[32],
                candidates.isEmpty() ? null : candidates.get(0), other.hosts(), 0, reach);
        device.addPeer(p);
        device.placePath(p);
        return p;
    }

    void close() {
        device.close();
    }

    /** Makes {@code other} a plain WireGuard peer of this node; {@code endpoint}: where it is, or null. */
    Peer knows(MemoryNode other, InetSocketAddress endpoint, int keepaliveSeconds) {
        Peer p = new Peer(other.name, other.identity.publicKey(), new byte[32], endpoint, other.hosts(),
                keepaliveSeconds);
        device.addPeer(p);
        return p;
    }

    /** Its IPv6 overlay address: fd00:64:: and the last byte of the IPv4 one (every test node is dual stack). */
    String overlay6() {
        return "fd00:64::" + overlay.substring(overlay.lastIndexOf('.') + 1);
    }

    /** Its overlay addresses as host prefixes, what a peer allows from it. */
    List<IpPrefix> hosts() {
        return List.of(IpPrefix.parse(overlay + "/32"), IpPrefix.parse(overlay6() + "/128"));
    }

    Peer peer(MemoryNode other) {
        return device.peer(other.identity.publicKey());
    }

    void send(MemoryNode to, String text) {
        send(to, 5000, text);
    }

    void send(MemoryNode to, int port, String text) {
        assertTrue(tun.fromStack(UdpPackets.udp(overlay, 4000, to.overlay, port, text)));
    }

    /** Waits up to {@code millis} for a packet with payload {@code text}; true if it came. */
    boolean receives(String text, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        for (long left; (left = (deadline - System.nanoTime()) / 1_000_000) > 0; ) {
            byte[] p = delivered(left);
            if (p != null && UdpPackets.payload(p).equals(text)) {
                return true;
            }
        }
        return false;
    }

    /** The payloads delivered, until none came for 300 ms or {@code millis} passed. */
    List<String> drain(long millis) throws InterruptedException {
        List<String> out = new ArrayList<>();
        long deadline = System.nanoTime() + millis * 1_000_000;
        for (long left; (left = (deadline - System.nanoTime()) / 1_000_000) > 0; ) {
            byte[] p = delivered(Math.min(left, 300));
            if (p == null && !out.isEmpty()) {
                break;
            }
            if (p != null) {
                out.add(UdpPackets.payload(p));
            }
        }
        return out;
    }

    /** The next packet delivered within {@code millis}, without its virtio header; or null. */
    private byte[] delivered(long millis) throws InterruptedException {
        byte[] p = tun.toStack(millis);
        return p == null || !tun.vnetHeader() ? p
                : java.util.Arrays.copyOfRange(p, dev.skein.node.offload.VirtioNetHeader.SIZE, p.length);
    }

    void start() {
        device.start();
    }
}
