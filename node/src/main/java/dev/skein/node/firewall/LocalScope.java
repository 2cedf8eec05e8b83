package dev.skein.node.firewall;

import java.util.List;

/**
 * This node's side of the rules: its overlay addresses and gossip port. A rule without {@code local_cidr} covers
 * only traffic to and from the node's own overlay address when the node routes subnets for the mesh (a subnet
 * router or an exit: what passes to the LAN or the outside must be allowed by a rule that says so, as in Nebula),
 * and every local address otherwise, or when {@code default_local_cidr_any: true}.
 */
public final class LocalScope {
    private final List<Cidr> own;
    private final boolean defaultAny;
    private final int gossipPort;

    private LocalScope(List<Cidr> own, boolean defaultAny, int gossipPort) {
        this.own = own;
        this.defaultAny = defaultAny;
        this.gossipPort = gossipPort;
    }

    /** {@code overlayAddresses}: 4 or 16 bytes each; {@code routesSubnets}: the certificate carries subnets. */
    public static LocalScope of(List<byte[]> overlayAddresses, boolean routesSubnets, int gossipPort) {
        return new LocalScope(overlayAddresses.stream().map(Cidr::host).toList(), !routesSubnets, gossipPort);
    }

    /** A scope for tests and plain WireGuard setups: every local address, no gossip. */
    static LocalScope anyAddress() {
        return new LocalScope(List.of(), true, -1);
    }

    boolean defaultAny() {
        return defaultAny;
    }

    boolean isOwn(FlowKey k) {
        for (Cidr c : own) {
            if (c.contains(k.v4, k.localHi, k.localLo)) {
                return true;
            }
        }
        return false;
    }

    int gossipPort() {
        return gossipPort;
    }
}
