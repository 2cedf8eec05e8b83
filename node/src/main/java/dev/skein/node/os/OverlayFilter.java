package dev.skein.node.os;

import java.io.IOException;

/**
 * Keeps the overlay address reachable only through the mesh. Linux accepts a packet for any local address on
 * any interface (the weak host model), so without this a neighbour on the underlay link could route packets
 * to our overlay address, and to the gossip port bound there, around the encrypted sessions. One nftables
 * table per TUN device drops every packet for the overlay address that arrives neither on the TUN device nor
 * on loopback; {@link #close()} deletes it.
 */
public final class OverlayFilter implements AutoCloseable {
    private final String table;

    private OverlayFilter(String table) {
        this.table = table;
    }

    /** Installs the filter; throws if nftables is missing or refuses the rule. */
    public static OverlayFilter install(String interfaceName, String overlayAddress) throws IOException {
        // The name predates the other tables ("skein_<if>"): kept, so that a leftover of an older run is replaced.
        String table = Nft.tableName("", interfaceName);
        Nft.replaceTable("inet", table, "  chain input {\n"
                + "    type filter hook input priority -10; policy accept;\n"
                + "    ip daddr " + overlayAddress + " iifname != { \"lo\", \"" + interfaceName + "\" } drop\n"
                + "  }\n", "overlay filter");
        return new OverlayFilter(table);
    }

    @Override
    public void close() {
        Nft.deleteTable("inet", table);
    }
}
