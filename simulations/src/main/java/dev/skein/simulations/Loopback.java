package dev.skein.simulations;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The loopback device's traffic counters in this network namespace: all of the simulation's gossip. */
final class Loopback {
    private Loopback() {}

    /** {bytes, packets} received on lo so far (each packet is sent once and received once). */
    static long[] counters() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/net/dev"))) {
            String t = line.trim();
            if (t.startsWith("lo:")) {
                String[] f = t.substring(3).trim().split("\\s+");
                return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])};
            }
        }
        throw new IOException("no lo in /proc/net/dev");
    }
}
