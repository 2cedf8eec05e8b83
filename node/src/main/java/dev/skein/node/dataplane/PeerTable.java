package dev.skein.node.dataplane;

import dev.skein.node.peer.Peer;
import dev.skein.node.route.RouteTable;
import dev.skein.protocol.addr.IpPrefix;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The peers of a data plane (wireguard-go's device peer map with its allowed IPs): by static key for handshakes,
 * by key id for path and relay messages, and the route table from overlay address to peer that the send path
 * (where to) and the receive path (cryptokey routing: may that peer use this source) both consult.
 */
final class PeerTable {
    private final Map<ByteBuffer, Peer> byKey = new ConcurrentHashMap<>();
    private final Map<Long, Peer> byId = new ConcurrentHashMap<>();
    final RouteTable<Peer> routes = new RouteTable<>();

    /** Adds a peer and routes its allowed IPs to it. */
    void add(Peer peer) {
        byKey.put(ByteBuffer.wrap(peer.publicKey()), peer);
        byId.put(peer.keyId(), peer);
        for (IpPrefix p : peer.allowedIps()) {
            routes.put(p, peer);
        }
    }

    /** Removes a peer and its routes; members it relayed for look for another way. */
    void remove(Peer peer) {
        byKey.remove(ByteBuffer.wrap(peer.publicKey()));
        byId.remove(peer.keyId(), peer);
        for (Peer other : byKey.values()) {
            if (other.relay() == peer) {
                other.relay(null); // its relay is gone: the path probes find another way
            }
        }
        routes.removeAll(peer);
    }

    Peer byKey(byte[] publicKey) {
        return byKey.get(ByteBuffer.wrap(publicKey));
    }

    /** The peer whose static key starts with {@code id}, or null. */
    Peer byId(long id) {
        return byId.get(id);
    }

    Collection<Peer> all() {
        return byKey.values();
    }
}
