package dev.skein.node.route;

import dev.skein.protocol.addr.IpPrefix;
import java.net.InetAddress;
import java.util.Collection;
import java.util.List;

/**
 * Which subnets of other members this node routes to them: a local decision, as Tailscale's
 * {@code --accept-routes} and Nebula's {@code unsafe_routes}. A certificate says what a member may route for; this
 * node decides what it accepts. Refused, in this order:
 * <ol>
 *   <li>a default route (0.0.0.0/0, ::/0): all of a machine's traffic is never a side effect of membership. The
 *       one exception is the member the configuration names {@code exit-node}, and only its 0.0.0.0/0: that default
 *       route is a choice, and {@code os.ExitRouting} keeps the underlay out of it;</li>
 *   <li>a subnet that overlaps a mesh prefix (the network of the overlay addresses, IPv4 and IPv6): it would take
 *       members' own addresses;</li>
 *   <li>with {@code accept-subnets} in the configuration, a subnet inside none of its prefixes;</li>
 *   <li>a subnet that overlaps a network of one of this machine's interfaces (it would take the LAN), or covers
 *       an underlay address Skein itself sends to, a seed's or a peer's endpoint (it would loop the underlay into
 *       the tunnel).</li>
 * </ol>
 * Pure: the caller passes in the machine's networks and the underlay addresses of the moment.
 */
public final class RoutePolicy {
    private final List<IpPrefix> meshPrefixes;
    /** The configured {@code accept-subnets}, or null for the default (every subnet the rules above allow). */
    private final List<IpPrefix> accepted;
    /** The configured {@code exit-node}, or null. */
    private final String exitNode;

    /** {@code meshPrefixes}: the networks of this node's overlay addresses (its certificate's {@code networks()}). */
    public RoutePolicy(List<IpPrefix> meshPrefixes, List<IpPrefix> accepted, String exitNode) {
        this.meshPrefixes = meshPrefixes.stream().map(IpPrefix::network).toList();
        this.accepted = accepted == null ? null : List.copyOf(accepted);
        this.exitNode = exitNode;
    }

    /**
     * Null if {@code subnet} may be routed to {@code member}, which holds it; else why not, in a few words.
     *
     * @param localNetworks the networks of this machine's interfaces (but the TUN device's)
     * @param underlay      addresses Skein sends datagrams to: seeds and peers' endpoints
     */
    public String refusal(String member, IpPrefix subnet, Collection<IpPrefix> localNetworks,
                          Collection<InetAddress> underlay) {
        IpPrefix net = subnet.network();
        if (net.bits() == 0) {
            if (!member.equals(exitNode)) {
                return "a default route (a member is an exit only when exit-node names it)";
            }
            return net.isIpv4() ? null : "an IPv6 default route (exit nodes carry IPv4 only)";
        }
        for (IpPrefix mesh : meshPrefixes) {
            if (net.overlaps(mesh)) {
                return "inside the mesh prefix " + mesh;
            }
        }
        if (accepted != null && accepted.stream().noneMatch(a -> a.contains(net))) {
            return "not in accept-subnets";
        }
        for (IpPrefix local : localNetworks) {
            if (net.overlaps(local)) {
                return "overlaps the local network " + local.network();
            }
        }
        for (InetAddress a : underlay) {
            if (net.contains(a.getAddress())) {
                return "covers the underlay address " + a.getHostAddress() + " (it would loop into the tunnel)";
            }
        }
        return null;
    }
}
