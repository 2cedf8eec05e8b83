package dev.skein.node.firewall;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The `firewall:` section of a configuration: the inbound and outbound rules and how long an idle flow is
 * remembered (Nebula's defaults: TCP 12 minutes, UDP 3, anything else 10). Immutable; a reload makes a new one.
 * Each rule counts its hits (flows it let in or out); a reload carries the count of a rule it keeps.
 */
public final class Rules {
    /** Flows remembered at most, so that a member opening flows without end cannot grow the table without end. */
    public static final int DEFAULT_MAX_FLOWS = 65536;

    private final List<Rule> inbound;
    private final List<Rule> outbound;
    private final AtomicLong[] inboundHits;
    private final AtomicLong[] outboundHits;
    final long tcpTimeoutNanos;
    final long udpTimeoutNanos;
    final long otherTimeoutNanos;
    final int maxFlows;
    private final boolean defaultLocalCidrAny;

    public Rules(List<Rule> inbound, List<Rule> outbound, Duration tcpTimeout, Duration udpTimeout,
                 Duration otherTimeout, int maxFlows, boolean defaultLocalCidrAny) {
        this.inbound = List.copyOf(inbound);
        this.outbound = List.copyOf(outbound);
        this.inboundHits = counters(inbound.size());
        this.outboundHits = counters(outbound.size());
        this.tcpTimeoutNanos = tcpTimeout.toNanos();
        this.udpTimeoutNanos = udpTimeout.toNanos();
        this.otherTimeoutNanos = otherTimeout.toNanos();
        this.maxFlows = maxFlows;
        this.defaultLocalCidrAny = defaultLocalCidrAny;
    }

    private static AtomicLong[] counters(int n) {
        AtomicLong[] a = new AtomicLong[n];
        for (int i = 0; i < n; i++) {
            a[i] = new AtomicLong();
        }
        return a;
    }

    public List<Rule> inbound() {
        return inbound;
    }

    public List<Rule> outbound() {
        return outbound;
    }

    /** Flows the rule at {@code index} of that direction let through. */
    public long hits(boolean inboundRule, int index) {
        return (inboundRule ? inboundHits : outboundHits)[index].get();
    }

    /**
     * True if a rule of that direction allows the flow; counts a hit on the first that does. {@code fragment}: the
     * packet is a later fragment (only rules with port any or fragment).
     */
    boolean allows(FlowKey k, boolean inboundFlow, boolean fragment, PeerIdentity who, long nowMillis,
                   LocalScope scope) {
        List<Rule> list = inboundFlow ? inbound : outbound;
        boolean localAny = defaultLocalCidrAny || scope.defaultAny();
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i).matches(k, inboundFlow, fragment, who, nowMillis, scope, localAny)) {
                (inboundFlow ? inboundHits : outboundHits)[i].incrementAndGet();
                return true;
            }
        }
        return false;
    }

    long timeoutNanos(int proto) {
        return proto == FlowKey.TCP ? tcpTimeoutNanos : proto == FlowKey.UDP ? udpTimeoutNanos : otherTimeoutNanos;
    }

    /** Takes over the hit counts of the rules {@code older} has too (a reload that kept them). */
    public Rules carryHitsFrom(Rules older) {
        carry(older.inbound, older.inboundHits, inbound, inboundHits);
        carry(older.outbound, older.outboundHits, outbound, outboundHits);
        return this;
    }

    private static void carry(List<Rule> from, AtomicLong[] fromHits, List<Rule> to, AtomicLong[] toHits) {
        boolean[] taken = new boolean[from.size()];
        for (int i = 0; i < to.size(); i++) {
            for (int j = 0; j < from.size(); j++) {
                if (!taken[j] && from.get(j).equals(to.get(i))) {
                    taken[j] = true;
                    toHits[i].set(fromHits[j].get());
                    break;
                }
            }
        }
    }

    /** The same rules and settings (hit counts aside): a reload that changes nothing here says so. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Rules r && r.inbound.equals(inbound) && r.outbound.equals(outbound)
                && r.tcpTimeoutNanos == tcpTimeoutNanos && r.udpTimeoutNanos == udpTimeoutNanos
                && r.otherTimeoutNanos == otherTimeoutNanos && r.maxFlows == maxFlows
                && r.defaultLocalCidrAny == defaultLocalCidrAny;
    }

    @Override
    public int hashCode() {
        return inbound.hashCode() * 31 + outbound.hashCode();
    }
}
