package dev.skein.node.firewall;

import java.util.List;
import java.util.Set;

/**
 * What the firewall knows of the peer a packet comes from or goes to: for a member, what its CA-signed
 * certificate says (name, groups, overlay address, expiry) and the gossip port of its membership record; for a
 * plain WireGuard peer, nothing but that it is one (rules match it by {@code cidr} or {@code host: any} only).
 * The data plane holds one per peer and membership replaces it when the member's certificate changes, so a flow
 * allowed under the old certificate is judged again under the new one.
 */
public final class PeerIdentity {
    /** A peer from `wireguard-peers`: no certificate, so no name or group a rule could trust. */
    public static final PeerIdentity UNCERTIFIED = new PeerIdentity(null, Set.of(), null, 0, Long.MAX_VALUE);

    private final String name;
    private final Set<String> groups;
    private final Cidr overlay;
    private final int gossipPort;
    private final long notAfterMillis;

    private PeerIdentity(String name, Set<String> groups, Cidr overlay, int gossipPort, long notAfterMillis) {
        this.name = name;
        this.groups = groups;
        this.overlay = overlay;
        this.gossipPort = gossipPort;
        this.notAfterMillis = notAfterMillis;
    }

    /** A member, from its verified certificate: its overlay address (4 or 16 bytes) and its gossip port. */
    public static PeerIdentity member(String name, List<String> groups, byte[] overlayAddress, int gossipPort,
                                      long notAfterMillis) {
        return new PeerIdentity(name, Set.copyOf(groups), Cidr.host(overlayAddress), gossipPort, notAfterMillis);
    }

    boolean certified(long nowMillis) {
        return name != null && nowMillis <= notAfterMillis;
    }

    String name() {
        return name;
    }

    Set<String> groups() {
        return groups;
    }

    /** True when the remote end of the flow is the member's own overlay address (not one of its subnets). */
    boolean isOverlayAddress(FlowKey k) {
        return overlay != null && overlay.contains(k.v4, k.remoteHi, k.remoteLo);
    }

    int gossipPort() {
        return gossipPort;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PeerIdentity p && java.util.Objects.equals(p.name, name) && p.groups.equals(groups)
                && java.util.Objects.equals(p.overlay, overlay) && p.gossipPort == gossipPort
                && p.notAfterMillis == notAfterMillis;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(name, groups, overlay, gossipPort);
    }

    @Override
    public String toString() {
        return name == null ? "(uncertified)" : name + " " + groups;
    }
}
