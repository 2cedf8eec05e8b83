package dev.skein.node.os;

import java.io.IOException;

/**
 * For a node that forwards (a subnet router, an exit): TCP connections between the mesh and the hosts behind it
 * are opened with a maximum segment size the tunnel carries. The SYN of every connection forwarded into the TUN
 * device (and the SYN-ACK answering one that came out of it) gets its MSS lowered to the route's MTU, which
 * includes what path MTU discovery learned, so a LAN host whose ICMP is filtered somewhere still never sends a
 * segment too big for the tunnel. One nftables table per TUN device; {@link #close()} deletes it.
 */
public final class MssClamp implements AutoCloseable {
    private final String table;

    private MssClamp(String table) {
        this.table = table;
    }

    public static MssClamp install(String interfaceName) throws IOException {
        String table = Nft.tableName("mss_", interfaceName);
        Nft.replaceTable("inet", table, "  chain forward {\n"
                + "    type filter hook forward priority mangle; policy accept;\n"
                + "    oifname \"" + interfaceName + "\" tcp flags & (syn | rst) == syn tcp option maxseg size set rt mtu\n"
                + "  }\n", "TCP MSS clamp");
        return new MssClamp(table);
    }

    @Override
    public void close() {
        Nft.deleteTable("inet", table);
    }
}
