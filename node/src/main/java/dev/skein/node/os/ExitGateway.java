package dev.skein.node.os;

import dev.skein.protocol.addr.IpPrefix;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exit side of {@code exit-node} ({@code exit: true}): the machine forwards IPv4 packets that members send to
 * addresses outside the mesh, and masquerades them behind its own address, so that the replies come back to it
 * (the outside knows nothing of 100.64.0.0/10). One nftables table per TUN device; {@link #close()} deletes it
 * and turns forwarding back off if it was off before.
 */
public final class ExitGateway implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ExitGateway.class);
    private static final Path IP_FORWARD = Path.of("/proc/sys/net/ipv4/ip_forward");

    private final String table;
    private final boolean forwardingWasOff;

    private ExitGateway(String table, boolean forwardingWasOff) {
        this.table = table;
        this.forwardingWasOff = forwardingWasOff;
    }

    /** Masquerades what comes from {@code meshPrefix} on {@code interfaceName} and leaves by another interface. */
    public static ExitGateway install(String interfaceName, IpPrefix meshPrefix) throws IOException {
        String table = Nft.tableName("nat_", interfaceName);
        try {
            Nft.replaceTable("ip", table, "  chain postrouting {\n"
                    + "    type nat hook postrouting priority srcnat; policy accept;\n"
                    + "    ip saddr " + meshPrefix.network() + " oifname != \"" + interfaceName + "\" masquerade\n"
                    + "  }\n", "exit masquerade");
            boolean wasOff = !"1".equals(Files.readString(IP_FORWARD, StandardCharsets.US_ASCII).trim());
            if (wasOff) {
                Files.writeString(IP_FORWARD, "1");
            }
            log.info("exit: forwarding members' IPv4 traffic to outside the mesh, masqueraded");
            return new ExitGateway(table, wasOff);
        } catch (IOException e) {
            Nft.deleteTable("ip", table);
            throw new IOException("exit: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        Nft.deleteTable("ip", table);
        if (forwardingWasOff) {
            try {
                Files.writeString(IP_FORWARD, "0");
            } catch (IOException e) {
                log.debug("turning forwarding off again: {}", e.toString());
            }
        }
    }
}
