package dev.skein.node.dns;

import dev.skein.node.membership.Claims;
import dev.skein.protocol.addr.IpPrefix;
import dev.skein.protocol.cert.Certificate;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.xbill.DNS.Name;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.TextParseException;

/**
 * The names one node answers for at one moment: {@code NAME.DOMAIN} for itself and every member it believes
 * alive, giving the overlay addresses the member holds, and the reverse names of those addresses.
 *
 * <p>Names follow the certificates: a member's name is the one its CA signed, and it resolves to the overlay
 * address of that certificate only while the member holds it (an address lost in a conflict is not answered).
 * DNS names are case-insensitive while certificate names are not, so "Office" and "office" are one DNS name:
 * it goes to the older certificate, the rule that settles addresses ({@link Claims#PRECEDENCE}). A name that is
 * not a valid DNS name (an empty label, as in {@code a..b}) is left out. Immutable.
 */
public final class MeshNames {
    /**
     * A member as the names need it: its certificate and what is granted to it (its overlay addresses among them,
     * as host prefixes, unless it lost them in a conflict).
     */
    public record Member(Certificate certificate, Collection<IpPrefix> granted) {
        /** A member that holds all of its overlay addresses ({@code true}) or none of them. */
        public Member(Certificate certificate, boolean holdsAddresses) {
            this(certificate, holdsAddresses ? certificate.hosts() : List.of());
        }
    }

    private final Name origin;
    private final Map<Name, List<InetAddress>> forward;
    private final Map<Name, Name> reverse;

    private MeshNames(Name origin, Map<Name, List<InetAddress>> forward, Map<Name, Name> reverse) {
        this.origin = origin;
        this.forward = forward;
        this.reverse = reverse;
    }

    /** {@code domain}: e.g. {@code mesh}, checked by the configuration. */
    public static MeshNames of(String domain, List<Member> members) {
        Name origin;
        try {
            origin = Name.fromString(domain, Name.root);
        } catch (TextParseException e) {
            throw new IllegalArgumentException("dns.domain '" + domain + "': " + e.getMessage(), e);
        }
        Map<Name, Member> owners = new HashMap<>();
        for (Member m : members) {
            Name name = nameOf(m.certificate().name(), origin);
            if (name == null) {
                continue;
            }
            // Name.equals and hashCode ignore case: the older certificate takes a name that differs only in case.
            owners.merge(name, m, (a, b) -> Claims.PRECEDENCE.compare(a.certificate(), b.certificate()) <= 0 ? a : b);
        }
        Map<Name, List<InetAddress>> forward = new HashMap<>();
        Map<Name, Name> reverse = new HashMap<>();
        owners.forEach((name, m) -> {
            List<InetAddress> addresses = new ArrayList<>();
            for (IpPrefix host : m.certificate().hosts()) {
                if (m.granted().contains(host)) {
                    InetAddress a = address(host);
                    addresses.add(a);
                    reverse.put(ReverseMap.fromAddress(a), name);
                }
            }
            forward.put(name, List.copyOf(addresses));
        });
        return new MeshNames(origin, Map.copyOf(forward), Map.copyOf(reverse));
    }

    private static Name nameOf(String certificateName, Name origin) {
        try {
            Name n = Name.fromString(certificateName, origin);
            return n.subdomain(origin) && !n.equals(origin) ? n : null;
        } catch (TextParseException e) {
            return null;
        }
    }

    private static InetAddress address(IpPrefix prefix) {
        try {
            return InetAddress.getByAddress(prefix.ip());
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a certificate's address has " + prefix.ip().length + " bytes", e);
        }
    }

    /** The zone's apex, e.g. {@code mesh.}. */
    public Name origin() {
        return origin;
    }

    /** A member's addresses (empty when it holds none), or null when no member has that name. */
    public List<InetAddress> addresses(Name name) {
        return forward.get(name);
    }

    /** The member name of a reverse name ({@code 3.0.64.100.in-addr.arpa.}), or null if no member holds it. */
    public Name nameOf(Name reverseName) {
        return reverse.get(reverseName);
    }

    public int size() {
        return forward.size();
    }
}
