package dev.skein.node.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells systemd-resolved, where it runs, that the names under {@code ~DOMAIN} are asked of this node's DNS server
 * on the TUN device (resolvectl dns and domain on that link); {@link #close()} reverts the link. The routing
 * domain's "~" makes resolved send only those names there, never the rest of the machine's lookups.
 * Where resolved does not run nothing is done, and the node says what to add to the resolver instead.
 */
public final class ResolvedLink implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ResolvedLink.class);
    private static final Path RESOLVED_RUNTIME = Path.of("/run/systemd/resolve/io.systemd.Resolve");
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final String interfaceName;

    private ResolvedLink(String interfaceName) {
        this.interfaceName = interfaceName;
    }

    /** The registration, or null when resolved is not running or refused (said in the log; DNS still answers). */
    public static ResolvedLink register(String interfaceName, String address, int port, String domain) {
        String server = port == 53 ? address : address + ":" + port;
        if (!Files.exists(RESOLVED_RUNTIME)) {
            log.info("dns: systemd-resolved is not running here; to use the names on this machine, have its resolver "
                    + "send *.{} to {} (dnsmasq: server=/{}/{})", domain, server, domain, server.replace(':', '#'));
            return null;
        }
        try {
            String error = Command.run(List.of("resolvectl", "dns", interfaceName, server), null, TIMEOUT);
            if (error == null) {
                error = Command.run(List.of("resolvectl", "domain", interfaceName, "~" + domain), null, TIMEOUT);
            }
            if (error != null) {
                log.warn("dns: systemd-resolved refused {} for ~{} on {}: {}", server, domain, interfaceName, error);
                return null;
            }
        } catch (IOException e) {
            log.warn("dns: systemd-resolved runs but resolvectl cannot be started: {}", e.getMessage());
            return null;
        }
        log.info("dns: systemd-resolved asks {} for *.{} (on {})", server, domain, interfaceName);
        return new ResolvedLink(interfaceName);
    }

    @Override
    public void close() {
        try {
            Command.run(List.of("resolvectl", "revert", interfaceName), null, TIMEOUT);
        } catch (IOException e) {
            // resolvectl went away; the link goes with the TUN device anyway
        }
    }
}
