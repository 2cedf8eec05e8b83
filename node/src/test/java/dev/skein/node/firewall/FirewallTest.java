package dev.skein.node.firewall;

import static dev.skein.node.firewall.Packets.echo;
import static dev.skein.node.firewall.Packets.tcp;
import static dev.skein.node.firewall.Packets.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skein.protocol.addr.IpPrefix;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The firewall on its own, without root: packets built by hand, peers as the certificates would describe them.
 * The office is 100.64.0.1 and allows SSH from admins, ICMP from everyone; a subnet router's tests give it a LAN.
 */
class FirewallTest {
    private static final String OFFICE = "100.64.0.1";
    private static final String ADMIN = "100.64.0.2";
    private static final String HOME = "100.64.0.3";
    private static final long SECOND = 1_000_000_000L;
    private static final long VALID = Long.MAX_VALUE;

    private final PeerIdentity admin = member("admin", List.of("admins"), ADMIN);
    private final PeerIdentity home = member("home", List.of("family"), HOME);
    private final Firewall.Probe probe = new Firewall.Probe();
    private long now = 1_000 * SECOND;

    private static PeerIdentity member(String name, List<String> groups, String address) {
        return PeerIdentity.member(name, groups, IpPrefix.parse(address).ip(), 7946, VALID);
    }

    static Rules rules(String yaml) {
        return RuleParser.parse(((Map<?, ?>) new Yaml().load(yaml)).get("firewall"));
    }

    private static final String OFFICE_RULES = """
            firewall:
              inbound:
                - {port: any, proto: icmp, host: any}
                - {port: 22, proto: tcp, groups: [admins]}
              outbound:
                - {port: any, proto: any, host: any}
            """;

    private Firewall office(String yaml) {
        Firewall f = new Firewall();
        f.scope(LocalScope.of(List.of(IpPrefix.parse(OFFICE).ip()), false, 7946));
        f.rules(rules(yaml));
        return f;
    }

    private boolean in(Firewall f, ByteBuffer p, PeerIdentity from) {
        return f.allows(p, from, true, probe, now);
    }

    private boolean out(Firewall f, ByteBuffer p, PeerIdentity to) {
        return f.allows(p, to, false, probe, now);
    }

    @Test
    void withoutRulesEverythingPassesAndNothingIsTracked() {
        Firewall f = new Firewall();
        assertTrue(in(f, tcp(HOME, 40000, OFFICE, 22), home));
        assertTrue(out(f, udp(OFFICE, 5000, HOME, 53), home));
        assertEquals(0, f.flows());
        assertEquals(0, f.inboundDropped() + f.outboundDropped());
    }

    @Test
    void sshOnlyFromAdminsPingFromEveryoneAndRepliesFlow() {
        Firewall f = office(OFFICE_RULES);
        assertTrue(in(f, tcp(ADMIN, 40000, OFFICE, 22), admin), "an admin opens SSH");
        assertTrue(out(f, tcp(OFFICE, 22, ADMIN, 40000), admin), "the office answers");
        assertFalse(in(f, tcp(HOME, 40001, OFFICE, 22), home), "family may not");
        assertTrue(in(f, echo(HOME, OFFICE, true, 7), home), "but may ping");
        assertTrue(out(f, echo(OFFICE, HOME, false, 7), home));
        assertFalse(in(f, udp(ADMIN, 5353, OFFICE, 9999), admin), "no rule for the UDP service");
        assertFalse(in(f, udp(HOME, 5353, OFFICE, 9999), home));
        assertEquals(3, f.inboundDropped());
        assertEquals(1, f.rules().hits(true, 0));
        assertEquals(1, f.rules().hits(true, 1));
    }

    @Test
    void repliesPassEvenWhenNoRuleOfTheirDirectionAllowsThem() {
        // Outbound allows nothing: the office's answers pass only as part of a flow an inbound rule opened.
        Firewall f = office("""
                firewall:
                  inbound:
                    - {port: 22, proto: tcp, group: admins}
                """);
        assertFalse(out(f, tcp(OFFICE, 22, ADMIN, 40000), admin), "no flow yet: the outbound rules decide");
        assertTrue(in(f, tcp(ADMIN, 40000, OFFICE, 22), admin));
        assertTrue(out(f, tcp(OFFICE, 22, ADMIN, 40000), admin));
        assertFalse(out(f, tcp(OFFICE, 22, ADMIN, 40001), admin), "another flow is another flow");
    }

    @Test
    void aFlowWeOpenedLetsItsRepliesInAndNothingElse() {
        Firewall f = office(OFFICE_RULES);
        assertTrue(out(f, tcp(OFFICE, 50000, HOME, 443), home));
        assertTrue(in(f, tcp(HOME, 443, OFFICE, 50000), home), "the reply");
        assertFalse(in(f, tcp(HOME, 443, OFFICE, 50001), home), "not another port of ours");
        assertFalse(in(f, tcp(ADMIN, 443, OFFICE, 50000), admin), "nor another peer");
    }

    @Test
    void aRuleChangeAppliesToNewFlowsAndDropsOnlyTheFlowsItNoLongerAllows() {
        Firewall f = office(OFFICE_RULES);
        assertTrue(in(f, tcp(ADMIN, 40000, OFFICE, 22), admin));
        assertTrue(in(f, echo(HOME, OFFICE, true, 9), home));
        assertFalse(in(f, udp(HOME, 5353, OFFICE, 9999), home));
        f.rules(rules("""
                firewall:
                  inbound:
                    - {port: any, proto: icmp, host: any}
                    - {port: 9999, proto: udp, host: any}
                  outbound:
                    - {port: any, proto: any, host: any}
                """));
        assertTrue(in(f, udp(HOME, 5353, OFFICE, 9999), home), "the new rule opens the UDP service");
        assertTrue(in(f, echo(HOME, OFFICE, true, 9), home), "the ping flow is still allowed: kept");
        assertFalse(out(f, tcp(OFFICE, 22, ADMIN, 40000), admin),
                "SSH is no longer allowed: its flow ends, though the office may send anything outbound");
        assertFalse(in(f, tcp(ADMIN, 40000, OFFICE, 22), admin));
        assertFalse(in(f, Packets.syn(ADMIN, 40001, OFFICE, 22), admin), "nor may a new one open");
        assertEquals(2, f.rules().hits(true, 0), "the kept ICMP rule kept its count and counted again");
    }

    @Test
    void aRenewedCertificateWithoutTheGroupEndsTheFlowsTheGroupOpened() {
        Firewall f = office(OFFICE_RULES);
        assertTrue(in(f, tcp(ADMIN, 40000, OFFICE, 22), admin));
        PeerIdentity demoted = member("admin", List.of("family"), ADMIN);
        assertFalse(in(f, tcp(ADMIN, 40000, OFFICE, 22), demoted));
        assertFalse(out(f, tcp(OFFICE, 22, ADMIN, 40000), demoted));
        PeerIdentity renewed = member("admin", List.of("admins"), ADMIN);
        assertFalse(in(f, tcp(ADMIN, 40000, OFFICE, 22), renewed), "the ended connection stays ended");
        assertTrue(in(f, Packets.syn(ADMIN, 40000, OFFICE, 22), renewed), "a new connection on its ports is judged anew");
        assertTrue(out(f, tcp(OFFICE, 22, ADMIN, 40000), renewed));
    }

    @Test
    void anExpiredCertificateProvesNoGroup() {
        Firewall f = office(OFFICE_RULES);
        PeerIdentity expired = PeerIdentity.member("admin", List.of("admins"), IpPrefix.parse(ADMIN).ip(), 7946,
                System.currentTimeMillis() - 1000);
        assertFalse(in(f, tcp(ADMIN, 40000, OFFICE, 22), expired));
    }

    @Test
    void plainWireGuardPeersMatchByCidrOrAnyOnly() {
        Firewall f = office("""
                firewall:
                  inbound:
                    - {port: 22, proto: tcp, host: wg-laptop}
                    - {port: 80, proto: tcp, cidr: 100.100.0.0/16}
                    - {port: any, proto: icmp, host: any}
                """);
        PeerIdentity wg = PeerIdentity.UNCERTIFIED;
        assertFalse(in(f, tcp("100.100.0.5", 40000, OFFICE, 22), wg), "a configured name proves nothing");
        assertTrue(in(f, tcp("100.100.0.5", 40000, OFFICE, 80), wg));
        assertFalse(in(f, tcp("100.101.0.5", 40000, OFFICE, 80), wg));
        assertTrue(in(f, echo("100.100.0.5", OFFICE, true, 1), wg));
    }

    @Test
    void gossipBetweenMembersPassesWhateverTheRulesSay() {
        Firewall f = office("""
                firewall:
                  inbound:
                    - {port: 1, proto: tcp, host: nobody}
                """);
        assertTrue(in(f, Packets.syn(HOME, 40000, OFFICE, 7946), home), "a member to our gossip port");
        assertTrue(out(f, tcp(OFFICE, 7946, HOME, 40000), home), "and our answer");
        assertTrue(in(f, udp(HOME, 7946, OFFICE, 7946), home));
        assertTrue(out(f, Packets.syn(OFFICE, 40001, HOME, 7946), home), "we to its gossip port");
        assertTrue(in(f, tcp(HOME, 7946, OFFICE, 40001), home), "and its answer");
        assertFalse(in(f, tcp(HOME, 40000, OFFICE, 7947), home), "not another port");
        assertFalse(in(f, Packets.syn(HOME, 7946, OFFICE, 22), home), "its gossip port opens nothing of ours");
        assertFalse(in(f, udp(HOME, 7946, OFFICE, 53), home));
        assertFalse(in(f, tcp("100.100.0.5", 40000, OFFICE, 7946), PeerIdentity.UNCERTIFIED), "not a plain peer");
        assertFalse(in(f, tcp("100.96.1.9", 40000, OFFICE, 7946), home), "not from a member's subnet");
        assertFalse(out(f, tcp(OFFICE, 40002, HOME, 7947), home));
        assertEquals(5, f.gossip());
        assertEquals(0, f.flows(), "gossip is judged without state");
    }

    @Test
    void icmpErrorsAboutAnAllowedFlowPassWithoutAnIcmpRule() {
        Firewall f = office("""
                firewall:
                  outbound:
                    - {port: any, proto: udp, host: any}
                """);
        ByteBuffer query = udp(OFFICE, 50000, HOME, 53);
        assertTrue(out(f, query, home));
        assertTrue(in(f, Packets.unreachable(HOME, OFFICE, query), home), "port unreachable for our query");
        assertFalse(in(f, Packets.unreachable(HOME, OFFICE, udp(OFFICE, 50001, HOME, 53)), home),
                "an error about a flow we never opened");
        assertFalse(in(f, echo(HOME, OFFICE, true, 3), home));
        assertEquals(1, f.related());
    }

    @Test
    void laterFragmentsNeedAFragmentOrAnyPortRule() {
        Firewall f = office("""
                firewall:
                  inbound:
                    - {port: 5000, proto: udp, host: any}
                """);
        assertFalse(in(f, Packets.laterFragment(HOME, OFFICE), home));
        f.rules(rules("""
                firewall:
                  inbound:
                    - {port: 5000, proto: udp, host: any}
                    - {port: fragment, proto: udp, host: any}
                """));
        assertTrue(in(f, Packets.laterFragment(HOME, OFFICE), home));
    }

    @Test
    void malformedPacketsAreDroppedAndCounted() {
        Firewall f = office(OFFICE_RULES);
        ByteBuffer truncated = tcp(ADMIN, 40000, OFFICE, 22);
        truncated.limit(22); // the IP header and half a port
        assertFalse(in(f, truncated, admin));
        assertFalse(in(f, ByteBuffer.allocate(0), admin));
        ByteBuffer badIhl = tcp(ADMIN, 40000, OFFICE, 22);
        badIhl.put(0, (byte) 0x4f); // a 60-byte header in a 40-byte packet
        assertFalse(in(f, badIhl, admin));
        assertEquals(3, f.malformed());
        assertEquals(3, f.inboundDropped());
    }

    @Test
    void aSubnetRoutersRulesCoverOnlyItsOwnAddressUnlessTheySayLocalCidr() {
        Firewall f = new Firewall();
        f.scope(LocalScope.of(List.of(IpPrefix.parse(OFFICE).ip()), true, 7946));
        f.rules(rules("""
                firewall:
                  inbound:
                    - {port: 22, proto: tcp, host: any}
                    - {port: 80, proto: tcp, host: any, local_cidr: 100.96.1.0/24}
                """));
        assertTrue(in(f, tcp(HOME, 40000, OFFICE, 22), home));
        assertFalse(in(f, tcp(HOME, 40000, "100.96.1.7", 22), home), "a LAN host behind the router");
        assertTrue(in(f, tcp(HOME, 40000, "100.96.1.7", 80), home));
        assertFalse(in(f, tcp(HOME, 40000, "100.96.2.7", 80), home));
        f.rules(rules("""
                firewall:
                  default_local_cidr_any: true
                  inbound:
                    - {port: 22, proto: tcp, host: any}
                """));
        assertTrue(in(f, tcp(HOME, 40000, "100.96.1.7", 22), home));
    }

    @Test
    void idleFlowsExpireAndAreSwept() {
        Firewall f = office(OFFICE_RULES);
        assertTrue(out(f, udp(OFFICE, 50000, HOME, 53), home));
        assertEquals(1, f.flows());
        now += 2 * 60 * SECOND;
        assertTrue(in(f, udp(HOME, 53, OFFICE, 50000), home), "within UDP's 3 minutes");
        now += 3 * 60 * SECOND + SECOND;
        assertFalse(in(f, udp(HOME, 53, OFFICE, 50000), home), "idle for longer");
        assertTrue(out(f, tcp(OFFICE, 50001, HOME, 443), home));
        now += 13 * 60 * SECOND;
        f.sweep(now);
        assertEquals(0, f.flows());
    }

    @Test
    void aFullTableStillPassesWhatTheRulesAllowButRemembersNoMore() {
        Firewall f = office(OFFICE_RULES.replace("firewall:\n", "firewall:\n  conntrack: {max_flows: 16}\n"));
        for (int i = 0; i < 20; i++) {
            assertTrue(in(f, echo(HOME, OFFICE, true, i), home));
        }
        assertEquals(16, f.flows());
        assertEquals(4, f.untracked());
    }

    @Test
    void ipv6FlowsAreTrackedLikeIpv4() {
        Firewall f = new Firewall();
        f.scope(LocalScope.of(List.of(IpPrefix.parse("fd00::1").ip()), false, 7946));
        f.rules(rules(OFFICE_RULES));
        PeerIdentity admin6 = PeerIdentity.member("admin", List.of("admins"), IpPrefix.parse("fd00::2").ip(), 7946, VALID);
        assertTrue(in(f, tcp("fd00::2", 40000, "fd00::1", 22), admin6));
        assertTrue(out(f, tcp("fd00::1", 22, "fd00::2", 40000), admin6));
        assertFalse(in(f, tcp("fd00::3", 40000, "fd00::1", 22), home));
        assertTrue(in(f, echo("fd00::3", "fd00::1", true, 5), home));
    }
}
