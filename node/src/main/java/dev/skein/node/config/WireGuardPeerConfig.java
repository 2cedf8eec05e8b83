package dev.skein.node.config;

import dev.skein.protocol.addr.IpPrefix;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** A plain WireGuard peer: its key, where to find it (optional), and the addresses it may use. */
public record WireGuardPeerConfig(byte[] publicKey, byte[] presharedKey, InetSocketAddress endpoint,
                                  List<IpPrefix> allowedIps, int persistentKeepaliveSeconds) {
    public WireGuardPeerConfig {
        allowedIps = List.copyOf(allowedIps);
    }

    /** By content (keys included): a reload keeps a peer whose entry is unchanged, sessions and all. */
    @Override
    public boolean equals(Object o) {
        return o instanceof WireGuardPeerConfig p && Arrays.equals(publicKey, p.publicKey)
                && Arrays.equals(presharedKey, p.presharedKey) && Objects.equals(endpoint, p.endpoint)
                && allowedIps.equals(p.allowedIps) && persistentKeepaliveSeconds == p.persistentKeepaliveSeconds;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(publicKey);
    }
}
