package dev.skein.protocol.cert;

import dev.skein.protocol.addr.IpPrefix;
import java.time.Instant;
import java.util.List;

/** What a CA is asked to vouch for about one node. */
public record CertificateRequest(String name, IpPrefix address, List<IpPrefix> subnets, List<String> groups,
                                 byte[] x25519PublicKey, byte[] ed25519PublicKey, Instant notBefore,
                                 Instant notAfter) {
    public CertificateRequest {
        subnets = List.copyOf(subnets);
        groups = List.copyOf(groups);
    }
}
