package dev.skein.node.dataplane;

import dev.skein.node.Constants;
import dev.skein.node.peer.Peer;
import java.net.InetAddress;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The underlay addresses a node expects Skein traffic from: its peers' endpoints and candidate endpoints, and
 * the addresses it sent join messages to lately (its seeds, and members it greeted). Join messages from these
 * get a member's budget, never competing with strangers' ({@link Admission}).
 *
 * <p>The peers' addresses are gathered at most once a second (the receive thread asks for every join message,
 * and a flood of them must not cost a walk over all peers each). A member that moved is seen as a stranger
 * for at most that second, which still lets its joins through at a stranger's rate. Addresses we contacted
 * come only from our own sends, so no datagram can add one; they are bounded all the same.
 */
final class KnownSources {

    private final ConcurrentHashMap<InetAddress, Long> contacted = new ConcurrentHashMap<>();
    private volatile Set<InetAddress> peerAddresses = Set.of();
    private volatile long refreshedAt;
    private volatile boolean refreshed;

    /** We sent a join message to {@code address}: its answer is expected. Any thread. */
    void contacted(InetAddress address, long nowNanos) {
        if (contacted.size() >= Constants.MAX_CONTACTED) {
            contacted.values().removeIf(t -> nowNanos - t > Constants.CONTACT_EXPECTS_REPLY.toNanos());
            if (contacted.size() >= Constants.MAX_CONTACTED) {
                return;
            }
        }
        contacted.put(address, nowNanos);
    }

    /** True if {@code address} is a peer's, or one we contacted within {@link Constants#CONTACT_EXPECTS_REPLY}. */
    boolean contains(InetAddress address, Collection<Peer> peers, long nowNanos) {
        Long at = contacted.get(address);
        if (at != null && nowNanos - at < Constants.CONTACT_EXPECTS_REPLY.toNanos()) {
            return true;
        }
        if (!refreshed || nowNanos - refreshedAt >= Constants.KNOWN_SOURCES_REFRESH.toNanos()) {
            refreshed = true;
            refreshedAt = nowNanos;
            peerAddresses = gather(peers);
        }
        return peerAddresses.contains(address);
    }

    private static Set<InetAddress> gather(Collection<Peer> peers) {
        Set<InetAddress> out = new HashSet<>();
        peers.forEach(p -> p.addUnderlayAddresses(out));
        return out;
    }
}
