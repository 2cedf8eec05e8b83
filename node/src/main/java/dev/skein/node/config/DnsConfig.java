package dev.skein.node.config;

/**
 * The member names this node answers for ({@code dns:} in the configuration): {@code NAME.DOMAIN} for every member
 * it believes alive, on its overlay address, UDP and TCP {@code port}. On unless {@code dns: false}.
 */
public record DnsConfig(boolean enabled, String domain, int port) {
    public static final DnsConfig DEFAULT = new DnsConfig(true, "mesh", 53);
    public static final DnsConfig OFF = new DnsConfig(false, DEFAULT.domain, DEFAULT.port);
}
