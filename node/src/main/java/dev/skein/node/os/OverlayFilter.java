package dev.skein.node.os;

import dev.skein.protocol.addr.IpPrefix;
import java.io.IOException;
import java.util.List;

/**
 * Keeps the overlay address reachable only through the mesh. Linux accepts a packet for any local address on
 * any interface (the weak host model), so without this a neighbour on the underlay link could route packets
 * to our overlay address, and to the gossip port bound there, around the encrypted sessions. One nftables
 * table per TUN device drops every packet for the overlay address that arrives neither on the TUN device nor
 * on loopback; {@link #close()} deletes it. One exception, when the node serves DNS: queries to its DNS port from
 * the subnets it routes (hosts on its LAN asking their subnet router for member names), on whatever interface.
 */
public final class OverlayFilter implements AutoCloseable {
    private final String table;

    private OverlayFilter(String table) {
        this.table = table;
    }

    /**
     * Installs the filter; throws if nftables is missing or refuses the rule. {@code overlayHosts}: the node's overlay
     * addresses (IPv4, and IPv6 for a dual-stack node). {@code dnsPort}: the DNS server's port, open to
     * {@code localSubnets} on every interface (0: no DNS server); it listens on the IPv4 overlay address.
     */
    public static OverlayFilter install(String interfaceName, List<IpPrefix> overlayHosts, List<IpPrefix> localSubnets,
                                        int dnsPort) throws IOException {
        String interfaces = "{ \"lo\", \"" + interfaceName + "\" }";
        StringBuilder rules = new StringBuilder();
        for (IpPrefix host : overlayHosts) {
            String family = host.isIpv4() ? "ip" : "ip6";
            List<String> lan = localSubnets.stream().filter(p -> p.isIpv4() == host.isIpv4() && p.bits() > 0)
                    .map(IpPrefix::toString).toList();
            if (dnsPort > 0 && host.isIpv4() && !lan.isEmpty()) {
                rules.append("    ip saddr { ").append(String.join(", ", lan)).append(" } ip daddr ")
                        .append(host.address()).append(" meta l4proto { udp, tcp } th dport ").append(dnsPort)
                        .append(" accept\n");
            }
            rules.append("    ").append(family).append(" daddr ").append(host.address()).append(" iifname != ")
                    .append(interfaces).append(" drop\n");
        }
        // The name predates the other tables ("skein_<if>"): kept, so that a leftover of an older run is replaced.
        String table = Nft.tableName("", interfaceName);
        Nft.replaceTable("inet", table, "  chain input {\n"
                + "    type filter hook input priority -10; policy accept;\n"
                + rules
                + "  }\n", "overlay filter");
        return new OverlayFilter(table);
    }

    @Override
    public void close() {
        Nft.deleteTable("inet", table);
    }
}
