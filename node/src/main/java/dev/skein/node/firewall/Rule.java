package dev.skein.node.firewall;

import java.util.List;

/**
 * One firewall rule, as Nebula writes them: a packet matches when its protocol, its port (the destination port of
 * the packet that opens the flow), its peer and its local address all match. The peer matches by {@code host}
 * (a member's name), {@code groups} (all of them in its certificate) or {@code cidr} (its address), any one of
 * them; with none of the three, or any of them {@code any}, every peer matches. Names and groups count only for a
 * member whose certificate is valid, so a plain WireGuard peer matches by {@code cidr} or {@code any} alone.
 * {@code local_cidr} limits the local end (a routed subnet); without it, see {@link LocalScope}.
 */
public final class Rule {
    /** The protocols a rule names; ICMP covers ICMPv6. */
    public enum Proto { ANY, TCP, UDP, ICMP }

    /** {@code port: any}; {@code port: fragment} matches the second and later fragments, which carry no ports. */
    static final int ANY_PORT = -1;
    static final int FRAGMENT_PORT = -2;

    private final Proto proto;
    private final int portLow;
    private final int portHigh;
    private final String host;
    private final List<String> groups;
    private final Cidr cidr;
    private final Cidr localCidr;
    private final boolean anyPeer;
    private final boolean anyLocal;
    private final String text;

    /**
     * {@code portLow}/{@code portHigh}: a range, or both {@link #ANY_PORT} or {@link #FRAGMENT_PORT}. {@code host}
     * ("any" or a name), {@code cidr} and {@code localCidr} may be null; {@code anyLocal}: {@code local_cidr: any}.
     */
    Rule(Proto proto, int portLow, int portHigh, String host, List<String> groups, Cidr cidr, boolean anyCidr,
         Cidr localCidr, boolean anyLocal, String text) {
        this.proto = proto;
        this.portLow = portLow;
        this.portHigh = portHigh;
        this.host = "any".equals(host) ? null : host;
        this.groups = List.copyOf(groups);
        this.cidr = cidr;
        this.localCidr = localCidr;
        this.anyLocal = anyLocal;
        this.anyPeer = "any".equals(host) || anyCidr || this.groups.contains("any")
                || host == null && this.groups.isEmpty() && cidr == null;
        this.text = text;
    }

    /**
     * True if the rule allows the flow {@code k} opened in direction {@code inbound} with peer {@code who};
     * {@code fragment}: the packet is a later fragment.
     */
    boolean matches(FlowKey k, boolean inbound, boolean fragment, PeerIdentity who, long nowMillis, LocalScope scope,
                    boolean defaultLocalAny) {
        return protoMatches(k.proto) && portMatches(k, inbound, fragment) && peerMatches(k, who, nowMillis)
                && (anyLocal || (localCidr != null ? localCidr.contains(k.v4, k.localHi, k.localLo)
                        : defaultLocalAny || scope.isOwn(k)));
    }

    private boolean protoMatches(int p) {
        return switch (proto) {
            case ANY -> true;
            case TCP -> p == FlowKey.TCP;
            case UDP -> p == FlowKey.UDP;
            case ICMP -> p == FlowKey.ICMP || p == FlowKey.ICMPV6;
        };
    }

    private boolean portMatches(FlowKey k, boolean inbound, boolean fragment) {
        if (portLow == ANY_PORT) {
            return true;
        }
        if (fragment || portLow == FRAGMENT_PORT) {
            return fragment && portLow == FRAGMENT_PORT;
        }
        if (!k.hasPorts()) {
            return false; // a port rule never matches ICMP's echo identifier, nor a protocol without ports
        }
        int port = inbound ? k.localPort : k.remotePort;
        return port >= portLow && port <= portHigh;
    }

    private boolean peerMatches(FlowKey k, PeerIdentity who, long nowMillis) {
        if (anyPeer) {
            return true;
        }
        if (cidr != null && cidr.contains(k.v4, k.remoteHi, k.remoteLo)) {
            return true;
        }
        if (!who.certified(nowMillis)) {
            return false;
        }
        return host != null && host.equals(who.name()) || !groups.isEmpty() && who.groups().containsAll(groups);
    }

    /** The rule as the configuration would write it, normalised: how `skein firewall` shows it. */
    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Rule r && r.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }
}
