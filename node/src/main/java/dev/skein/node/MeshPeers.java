package dev.skein.node;

import dev.skein.node.membership.MemberPeers;
import dev.skein.node.peer.Peer;
import dev.skein.node.peer.Reach;
import dev.skein.protocol.path.PathMessage;
import dev.skein.protocol.addr.IpPrefix;
import dev.skein.protocol.cert.Certificate;
import dev.skein.protocol.member.MemberRecord;
import dev.skein.node.firewall.PeerIdentity;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Membership's view of the real data plane: members become {@link Peer}s of the node's device, with routes. */
final class MeshPeers implements MemberPeers {
    private static final byte[] NO_PRESHARED_KEY = new byte[32];

    private final Node node;
    private final Map<String, Peer> byName = new ConcurrentHashMap<>();

    MeshPeers(Node node) {
        this.node = node;
    }

    @Override
    public void install(MemberRecord record, List<IpPrefix> granted, boolean restarted) {
        String name = record.name();
        Certificate cert = record.certificate();
        List<InetSocketAddress> endpoints = record.endpoints();
        boolean relay = record.relay();
        int gossipPort = record.gossipPort();
        InetSocketAddress endpoint = endpoints.isEmpty() ? null : endpoints.get(0);
        // From the certificate membership verified: the only source of the name and groups the firewall trusts.
        PeerIdentity identity = PeerIdentity.member(name, cert.groups(), cert.address().ip(), gossipPort,
                cert.notAfter().toEpochMilli());
        List<IpPrefix> routed = node.routable(name, cert, granted);
        Peer old = byName.get(name);
        if (old != null && Arrays.equals(old.publicKey(), cert.x25519PublicKey())
                && old.allowedIps().equals(routed)) {
            old.identity(identity); // a renewed certificate may carry other groups: flows are judged again
            boolean moved = !old.reach().candidates().equals(endpoints);
            old.reach().candidates(endpoints);
            old.reach().relayCapable(relay);
            old.tcpChecksumOptional(record.tcpChecksumOptional());
            if (moved) {
                node.device().candidatesChanged(old);
            }
            if (restarted) {
                node.device().resetSessions(old);
                old.endpoint(endpoint);
            } else if (old.endpoint() == null) {
                old.endpoint(endpoint);
            }
            return;
        }
        Reach reach = new Reach(PathMessage.pathKey(node.device().identity(), cert.x25519PublicKey()), endpoints, relay);
        Peer peer = new Peer(name, cert.x25519PublicKey(), NO_PRESHARED_KEY, endpoint, routed, 0, reach);
        peer.identity(identity); // before its routes exist, so that no packet of it is judged without it
        peer.tcpChecksumOptional(record.tcpChecksumOptional());
        if (old != null) {
            node.removePeer(old);
        }
        // A route the kernel refuses is refused for this member alone (Node.addPeer): the member stays a peer.
        node.addPeer(peer);
        byName.put(name, peer);
        node.device().placePath(peer);
    }

    @Override
    public void uninstall(String name) {
        Peer p = byName.remove(name);
        if (p != null) {
            node.removePeer(p);
        }
        node.forgetRefusedRoutes(name);
    }

    @Override
    public long lastHeardNanos(String name) {
        Peer p = byName.get(name);
        return p == null || p.lastHeardNanos() == 0 ? Constants.NEVER : p.lastHeardNanos();
    }

    @Override
    public void handshake(String name) {
        Peer p = byName.get(name);
        if (p != null) {
            node.device().startHandshake(p);
        }
    }

    @Override
    public boolean sendDatagram(byte[] datagram, String member) {
        Peer p = byName.get(member);
        return p != null && node.device().sendDatagram(datagram, p);
    }

    @Override
    public boolean sendDatagram(byte[] datagram, InetSocketAddress to) {
        return node.device().sendDatagram(datagram, to);
    }
}
