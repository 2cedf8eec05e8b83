package dev.skein.node.config;

import dev.skein.node.firewall.Rules;
import dev.skein.protocol.addr.IpPrefix;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * A node's configuration, as read from its YAML file (see configs/ and ../shared/SPEC.md). Paths are absolute.
 * {@code overlayFilter}: install the nftables table that keeps the underlay from the overlay address (default
 * true; without nft the node then refuses to start). {@code acceptSubnets}: the prefixes inside which other
 * members' subnets may be routed, or null for the default policy (see {@code RoutePolicy}). {@code exitNode}: the
 * member this node sends all traffic outside the mesh to (its certificate must carry 0.0.0.0/0), or null.
 * {@code exit}: this node is an exit: it forwards what members send to addresses outside the mesh, masqueraded.
 * {@code revocationsFile}: a CA-signed revocation list to start with ({@code pki.revocations}), or null.
 * {@code stateDir}: where the node keeps what it learned and must not forget across restarts (the newest
 * revocation list). {@code firewall}: the rules between this node and its peers, or null for none (everything
 * allowed). {@code metrics}: where Prometheus scrapes this node ({@code ADDRESS:PORT}), or null for no endpoint.
 * {@code jsonLogs}: {@code log-format: json}, one JSON object per log line (logback's JsonEncoder). {@code dns}: the
 * member names this node answers for on its overlay address.
 */
public record NodeConfig(String name, String interfaceName, int listenPort, int gossipPort,
                         List<InetSocketAddress> seeds, Path caFile, Path certFile, Path keyFile, int mtu,
                         boolean relay, Path controlSocket, List<WireGuardPeerConfig> wireguardPeers,
                         Tuning tuning, boolean overlayFilter, List<IpPrefix> acceptSubnets,
                         String exitNode, boolean exit, Path revocationsFile, Path stateDir, Rules firewall,
                         InetSocketAddress metrics, boolean jsonLogs, DnsConfig dns) {
    public NodeConfig {
        acceptSubnets = acceptSubnets == null ? null : List.copyOf(acceptSubnets);
        seeds = List.copyOf(seeds);
        wireguardPeers = List.copyOf(wireguardPeers);
    }
}
