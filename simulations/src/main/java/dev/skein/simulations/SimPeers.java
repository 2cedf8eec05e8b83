package dev.skein.simulations;

import dev.skein.node.config.Tuning;
import dev.skein.node.membership.MemberPeers;
import dev.skein.protocol.addr.IpPrefix;
import dev.skein.protocol.member.MemberRecord;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The data plane of a simulated node, in memory: membership installs and removes peers here exactly as it does
 * on a real node's device, and join datagrams go through the {@link Fabric}. A real node hears from a member
 * whenever one of its packets arrives through their session; here that is whenever a gossip message from it
 * arrives ({@link FaultyTransport#lastHeard}), which is all that a real session carries between two members
 * that exchange no user traffic. As on a real node, gossip between two members passes only while each holds a
 * peer for the other ({@link Fabric#carries}): there is no session otherwise.
 */
final class SimPeers implements MemberPeers {
    private final SimNode owner;
    private final Fabric fabric;
    /** Installed members and the prefixes routed to them: the simulated route table. */
    private final Map<String, List<IpPrefix>> routes = new ConcurrentHashMap<>();
    /** When our data plane last sent each member a handshake initiation that could not make a session. */
    private final Map<String, Long> initiations = new ConcurrentHashMap<>();

    SimPeers(SimNode owner, Fabric fabric) {
        this.owner = owner;
        this.fabric = fabric;
    }

    @Override
    public void install(MemberRecord record, List<IpPrefix> granted, boolean restarted) {
        boolean fresh = routes.put(record.name(), List.copyOf(granted)) == null;
        if (fresh) {
            fabric.events().installed(owner.name(), record.name());
        }
    }

    @Override
    public void uninstall(String name) {
        if (routes.remove(name) != null) {
            fabric.events().removed(owner.name(), name);
        }
    }

    @Override
    public long lastHeardNanos(String name) {
        String address = fabric.addressOf(name);
        return address == null ? FaultyTransport.NEVER_HEARD : owner.transport().lastHeard(address);
    }

    @Override
    public boolean sendDatagram(byte[] datagram, InetSocketAddress to) {
        return fabric.deliver(owner, datagram, to);
    }

    @Override
    public boolean sendDatagram(byte[] datagram, String member) {
        return fabric.deliver(owner, datagram, member);
    }

    @Override
    public void handshake(String name) {
        // no sessions in memory
    }

    /**
     * Whether our data plane, holding a peer for {@code name} that holds none for us (so no session can be
     * made), sends it a handshake initiation now (if so, recorded as sent), as a real one does for the packets it
     * has for it: WireGuard tries again every Rekey-Timeout, and after a session it starts a new handshake only
     * once it has not heard from the peer for Keepalive-Timeout + Rekey-Timeout. On the member's side such an
     * initiation is what takes back a member it removed ({@link SimNode#initiationFrom}).
     */
    boolean initiationDue(String name) {
        long now = System.nanoTime();
        long heard = lastHeardNanos(name);
        Duration silent = owner.pace().onHost(
                Tuning.WIREGUARD.keepaliveTimeout().plus(Tuning.WIREGUARD.rekeyTimeout()));
        if (heard != FaultyTransport.NEVER_HEARD && now - heard < silent.toNanos()) {
            return false;
        }
        long retry = owner.pace().onHost(Tuning.WIREGUARD.rekeyTimeout()).toNanos();
        boolean[] due = {false};
        initiations.compute(name, (n, last) -> {
            due[0] = last == null || now - last >= retry;
            return due[0] ? now : last;
        });
        return due[0];
    }

    boolean hasRoute(String member) {
        return routes.containsKey(member);
    }

    Set<String> routed() {
        return routes.keySet();
    }

    void clear() {
        routes.clear();
        initiations.clear();
    }
}
