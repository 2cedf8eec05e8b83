package dev.skein.node.membership;

import dev.skein.protocol.addr.IpPrefix;
import dev.skein.protocol.member.MemberRecord;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * What membership needs of the data plane: install a member as a peer with the prefixes it was granted, remove
 * it, ask when it was last heard from, and send a join datagram. The node implements it over its Device and the
 * kernel's route table; a simulation can implement it in memory.
 */
public interface MemberPeers {
    /**
     * Installs or updates the peer of the member {@code record} tells of (its certificate; its endpoints, best
     * first; whether it relays for others; where its gossip listens on its overlay address, which the firewall lets
     * through; whether it reads TCP checksums), routing it the prefixes it was {@code granted}. {@code restarted}
     * means the member began a new run, so sessions with its previous run are useless.
     */
    void install(MemberRecord record, List<IpPrefix> granted, boolean restarted);

    void uninstall(String name);

    /** System.nanoTime() of the last authenticated packet from the member, or Long.MIN_VALUE. */
    long lastHeardNanos(String name);

    /** Sends a datagram to an endpoint (a seed, known by address only). */
    boolean sendDatagram(byte[] datagram, InetSocketAddress to);

    /** Sends a datagram to an installed member the way its packets go: straight or through a relay. */
    boolean sendDatagram(byte[] datagram, String member);

    /** Starts a handshake with an installed member now (it tried to reach us before we knew it). */
    void handshake(String name);
}
