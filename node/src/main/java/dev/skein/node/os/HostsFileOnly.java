package dev.skein.node.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Makes the JVM resolve names from the hosts file alone, never through DNS ({@code jdk.net.hosts.file}).
 *
 * <p>Why: Atomix's message decoder calls {@code InetAddress.getHostName()} on the sender of every gossip message,
 * a reverse DNS lookup of an overlay address. Where the resolver cannot be reached (a network namespace, a
 * machine whose only route to its DNS server is the mesh being built, a laptop offline) each lookup blocks a
 * Netty event loop for the resolver's timeout, 5 s or more: gossip stalls, a newcomer is not learned for tens of
 * seconds, live members are suspected. Skein itself resolves no names (endpoints are literal addresses), so
 * nothing is lost; a reverse lookup now fails at once and Atomix uses the address as text.
 *
 * <p>Must run before the first use of {@link java.net.InetAddress}, which reads the property once.
 */
public final class HostsFileOnly {
    static final String PROPERTY = "jdk.net.hosts.file";

    private HostsFileOnly() {}

    /** Sets the property (unless the user set it): the system's hosts file, or one with localhost only. */
    public static void install() {
        if (System.getProperty(PROPERTY) != null) {
            return;
        }
        Path hosts = Path.of("/etc/hosts");
        if (!Files.isReadable(hosts)) {
            try {
                hosts = Files.createTempFile("skein-hosts", "");
                Files.writeString(hosts, "127.0.0.1 localhost\n::1 localhost\n");
                hosts.toFile().deleteOnExit();
            } catch (IOException e) {
                return; // the system's resolver, as before
            }
        }
        System.setProperty(PROPERTY, hosts.toString());
    }
}
