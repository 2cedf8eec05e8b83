package dev.skein.node.os;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
        String table = "skein_" + interfaceName.replaceAll("[^A-Za-z0-9_]", "_");
        String rules = "table inet " + table + " {\n"
                + "  chain input {\n"
                + "    type filter hook input priority -10; policy accept;\n"
                + "    ip daddr " + overlayAddress + " iifname != { \"lo\", \"" + interfaceName + "\" } drop\n"
                + "  }\n"
                + "}\n";
        nft(List.of("nft", "delete", "table", "inet", table), null); // a leftover of a crashed run
        String error = nft(List.of("nft", "-f", "-"), rules);
        if (error != null) {
            throw new IOException("nftables refused the overlay filter: " + error);
        }
        return new OverlayFilter(table);
    }

    /** Runs nft; returns null on success, else what it said. */
    private static String nft(List<String> command, String input) throws IOException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("nft not found (install the nftables package): " + e.getMessage(), e);
        }
        if (input != null) {
            p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "nft did not finish within 10 s";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        return p.exitValue() == 0 ? null : out;
    }

    @Override
    public void close() {
        try {
            nft(List.of("nft", "delete", "table", "inet", table), null);
        } catch (IOException e) {
            // nothing to undo
        }
    }
}
