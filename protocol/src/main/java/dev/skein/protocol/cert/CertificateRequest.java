package dev.skein.protocol.cert;

import dev.skein.protocol.addr.IpPrefix;
import java.time.Instant;
import java.util.List;

/** What a CA is asked to vouch for about one node; {@code address6}, its IPv6 overlay address, may be null. */
public record CertificateRequest(String name, IpPrefix address, IpPrefix address6, List<IpPrefix> subnets,
                                 List<String> groups, byte[] x25519PublicKey, byte[] ed25519PublicKey,
                                 Instant notBefore, Instant notAfter) {
    public CertificateRequest {
        subnets = List.copyOf(subnets);
        groups = List.copyOf(groups);
    }

    /** A node with an IPv4 overlay address only. */
    public CertificateRequest(String name, IpPrefix address, List<IpPrefix> subnets, List<String> groups,
                              byte[] x25519PublicKey, byte[] ed25519PublicKey, Instant notBefore, Instant notAfter) {
        this(name, address, null, subnets, groups, x25519PublicKey, ed25519PublicKey, notBefore, notAfter);
    }
}
