package dev.skein.node.os;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * The nft command, for the few tables Skein owns (one per concern and TUN device, named {@code skein_...}): each
 * is written whole with {@link #replaceTable} and removed with {@link #deleteTable}, so a crashed run's leftover
 * never doubles a rule.
 */
final class Nft {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private Nft() {}

    /** Deletes {@code family name} if it exists, then creates it from {@code body} (the text inside its braces). */
    static void replaceTable(String family, String name, String body, String what) throws IOException {
        deleteTable(family, name);
        String error = run(List.of("nft", "-f", "-"), "table " + family + " " + name + " {\n" + body + "}\n");
        if (error != null) {
            throw new IOException("nftables refused the " + what + ": " + error);
        }
    }

    /** Deletes a table; nothing happens if it is not there. */
    static void deleteTable(String family, String name) {
        try {
            run(List.of("nft", "delete", "table", family, name), null);
        } catch (IOException e) {
            // no nft, no table
        }
    }

    /** A table name for {@code concern} on {@code interfaceName}: nft names allow letters, digits and '_'. */
    static String tableName(String concern, String interfaceName) {
        return "skein_" + concern + interfaceName.replaceAll("[^A-Za-z0-9_]", "_");
    }

    /** Runs nft; returns null on success, else what it said. */
    private static String run(List<String> command, String input) throws IOException {
        try {
            return Command.run(command, input, TIMEOUT);
        } catch (IOException e) {
            throw new IOException("nft not found (install the nftables package): " + e.getMessage(), e);
        }
    }
}
