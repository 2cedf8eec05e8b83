package dev.skein.node.os;

import dev.skein.protocol.addr.IpPrefix;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of {@code exit-node}: every IPv4 packet of this machine that no more specific route claims goes
 * into the TUN device (and the data plane sends it to the exit), while Skein's own underlay datagrams keep the
 * machine's routes. As wg-quick does for {@code AllowedIPs = 0.0.0.0/0}, and for the same reasons:
 * <ul>
 *   <li>table {@code T}: {@code default dev <tun>}. The main table's default route is left as it is;</li>
 *   <li>rule {@value #SUPPRESS_PRIORITY}: {@code lookup main suppress_prefixlength 0}: the machine's routes but its
 *       default still win (the LAN, the mesh prefix, members' subnets);</li>
 *   <li>rule {@value #TUNNEL_PRIORITY}: {@code not fwmark M lookup T}: everything else but Skein's socket, which is
 *       marked {@code M} (SO_MARK) and so falls through to the main table, default route and all;</li>
 *   <li>with strict reverse-path filtering, a reply to Skein's socket (no mark) would be checked against table T
 *       and dropped: conntrack keeps the mark of the datagrams Skein sends and gives it back to their replies
 *       (nftables), and {@code src_valid_mark} lets the check use it.</li>
 * </ul>
 * {@code T} and {@code M} are the node's UDP port, as wg-quick's are. The table's route stays while the exit is
 * away: traffic outside the mesh is then dropped (ICMP unreachable, counted as no-route), never sent around the
 * tunnel. {@link #close()} removes the rules and the nftables table; the route goes with the device.
 */
public final class ExitRouting implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ExitRouting.class);
    static final int SUPPRESS_PRIORITY = 32700;
    static final int TUNNEL_PRIORITY = 32701;
    private static final Path SRC_VALID_MARK = Path.of("/proc/sys/net/ipv4/conf/all/src_valid_mark");

    private final RtNetlink netlink;
    private final RtNetlink.Rule suppress;
    private final RtNetlink.Rule tunnel;
    private final String nftTable;
    /** What src_valid_mark was before we set it, or null if we did not change it. */
    private final String srcValidMarkBefore;

    private ExitRouting(RtNetlink netlink, RtNetlink.Rule suppress, RtNetlink.Rule tunnel, String nftTable,
                        String srcValidMarkBefore) {
        this.netlink = netlink;
        this.suppress = suppress;
        this.tunnel = tunnel;
        this.nftTable = nftTable;
        this.srcValidMarkBefore = srcValidMarkBefore;
    }

    /**
     * Routes the machine's IPv4 traffic into {@code interfaceIndex}; {@code mark} is on Skein's UDP socket already.
     * On failure, undoes what it did and throws.
     */
    public static ExitRouting install(RtNetlink netlink, int interfaceIndex, String interfaceName, int mark)
            throws IOException {
        RtNetlink.Rule suppress = new RtNetlink.Rule(SUPPRESS_PRIORITY, RtNetlink.RT_TABLE_MAIN, 0, 0);
        RtNetlink.Rule tunnel = new RtNetlink.Rule(TUNNEL_PRIORITY, mark, -1, mark);
        removeLeftovers(netlink, suppress);
        removeLeftovers(netlink, tunnel);
        String table = Nft.tableName("exit_", interfaceName);
        ExitRouting routing = null;
        try {
            netlink.addRoute(interfaceIndex, IpPrefix.parse("0.0.0.0/0"), mark);
            Nft.replaceTable("ip", table, "  chain premangle {\n"
                    + "    type filter hook prerouting priority mangle; policy accept;\n"
                    + "    meta l4proto udp ct mark " + mark + " meta mark set ct mark\n"
                    + "  }\n"
                    + "  chain postmangle {\n"
                    + "    type filter hook postrouting priority mangle; policy accept;\n"
                    + "    meta l4proto udp meta mark " + mark + " ct mark set meta mark\n"
                    + "  }\n", "exit-node mark restore");
            String before = read(SRC_VALID_MARK);
            if (!"1".equals(before)) {
                Files.writeString(SRC_VALID_MARK, "1");
            }
            routing = new ExitRouting(netlink, suppress, tunnel, table, "1".equals(before) ? null : before);
            netlink.addRule(suppress);
            netlink.addRule(tunnel);
            log.info("exit-node: IPv4 traffic outside the mesh goes into {} (table {}, rules {} and {}, mark {})",
                    interfaceName, mark, SUPPRESS_PRIORITY, TUNNEL_PRIORITY, mark);
            return routing;
        } catch (IOException e) {
            if (routing != null) {
                routing.close();
            } else {
                Nft.deleteTable("ip", table);
            }
            throw new IOException("exit-node: " + e.getMessage(), e);
        }
    }

    /** A crashed run leaves its rules behind (they outlive the device): delete every copy of ours. */
    private static void removeLeftovers(RtNetlink netlink, RtNetlink.Rule rule) {
        for (int i = 0; i < 16; i++) {
            try {
                netlink.deleteRule(rule);
            } catch (IOException e) {
                return; // none left
            }
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void close() {
        removeLeftovers(netlink, tunnel);
        removeLeftovers(netlink, suppress);
        Nft.deleteTable("ip", nftTable);
        if (srcValidMarkBefore != null && "1".equals(read(SRC_VALID_MARK))) {
            try {
                Files.writeString(SRC_VALID_MARK, srcValidMarkBefore);
            } catch (IOException e) {
                log.debug("restoring src_valid_mark: {}", e.toString());
            }
        }
    }
}
