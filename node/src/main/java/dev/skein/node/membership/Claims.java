package dev.skein.node.membership;

import dev.skein.protocol.addr.IpPrefix;
import dev.skein.protocol.cert.Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides who routes what when two certificates claim the same thing. A node's claims are its overlay addresses
 * (each as a single host: IPv4, and IPv6 for a dual-stack node) and its subnets. Two different nodes claiming exactly the same prefix conflict; the rule,
 * the same on every node because it depends only on the certificates:
 * <b>the certificate issued first (earliest not-before) keeps the prefix; on a tie, the smaller name</b>.
 * The loser keeps its other claims. Overlapping prefixes of different lengths are not conflicts: longest-prefix
 * match sends each packet to the most specific owner. A default route is no conflict either: every exit may
 * carry one, and each node picks at most one exit by name ({@code exit-node}).
 */
public final class Claims {
    private Claims() {}

    /** One prefix claimed by more than one node, and who got it. */
    record Conflict(IpPrefix prefix, String winner, List<String> losers) {
        @Override
        public String toString() {
            return prefix + " claimed by " + winner + " and " + String.join(", ", losers) + "; " + winner
                    + " keeps it (its certificate is older)";
        }
    }

    record Resolution(Map<String, List<IpPrefix>> granted, List<Conflict> conflicts) {}

    /** Which of two certificates keeps what both claim (an address, a subnet, a name in DNS): the first is older. */
    public static final Comparator<Certificate> PRECEDENCE =
            Comparator.comparing(Certificate::notBefore).thenComparing(Certificate::name);

    static List<IpPrefix> claimsOf(Certificate cert) {
        List<IpPrefix> claims = new ArrayList<>(cert.hosts());
        for (IpPrefix p : cert.subnets()) {
            if (!claims.contains(p.network())) {
                claims.add(p.network());
            }
        }
        return claims;
    }

    /** Resolves the claims of {@code certificates} (one per node name). */
    static Resolution resolve(Collection<Certificate> certificates) {
        Map<IpPrefix, List<Certificate>> claimants = new LinkedHashMap<>();
        for (Certificate c : certificates) {
            for (IpPrefix p : claimsOf(c)) {
                claimants.computeIfAbsent(p, k -> new ArrayList<>()).add(c);
            }
        }
        List<Conflict> conflicts = new ArrayList<>();
        Map<IpPrefix, String> winners = new HashMap<>();
        claimants.forEach((prefix, who) -> {
            if (prefix.bits() == 0) {
                return; // every claimant keeps it (see granted below)
            }
            who.sort(PRECEDENCE);
            winners.put(prefix, who.get(0).name());
            if (who.size() > 1) {
                conflicts.add(new Conflict(prefix, who.get(0).name(),
                        who.subList(1, who.size()).stream().map(Certificate::name).toList()));
            }
        });
        // Each node's grants in its certificate's order (address first), whatever order the certificates came in.
        Map<String, List<IpPrefix>> granted = new HashMap<>();
        for (Certificate c : certificates) {
            granted.put(c.name(), claimsOf(c).stream()
                    .filter(p -> p.bits() == 0 || c.name().equals(winners.get(p))).toList());
        }
        conflicts.sort(Comparator.comparing(c -> c.prefix().toString()));
        return new Resolution(Map.copyOf(granted), List.copyOf(conflicts));
    }
}
