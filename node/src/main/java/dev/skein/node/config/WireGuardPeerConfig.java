package dev.skein.node.config;

import dev.skein.protocol.addr.IpPrefix;
import java.net.InetSocketAddress;
import java.util.List;

/** A plain WireGuard peer: its key, where to find it (optional), and the addresses it may use. */
public record WireGuardPeerConfig(byte[] publicKey, byte[] presharedKey, InetSocketAddress endpoint,
                                  List<IpPrefix> allowedIps, int persistentKeepaliveSeconds) {
    public WireGuardPeerConfig {
        allowedIps = List.copyOf(allowedIps);
    }
}
