package dev.skein.node.firewall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Nebula's rule format, read strictly: every mistake is one line naming the rule. */
class RuleParserTest {
    @Test
    void readsNebulasFormat() {
        Rules r = FirewallTest.rules("""
                firewall:
                  conntrack: {tcp_timeout: 12m, udp_timeout: 3m, default_timeout: 10m}
                  outbound_action: drop
                  inbound:
                    - {port: any, proto: icmp, host: any}
                    - {port: 22, proto: tcp, groups: [admins, ops]}
                    - {port: 200-300, proto: udp, group: family}
                    - {port: 443, proto: any, cidr: 100.96.0.0/16, local_cidr: 100.97.0.0/16}
                    - port: 8080
                      proto: tcp
                      host: laptop
                  outbound:
                    - {port: any, proto: any, host: any}
                """);
        assertEquals(List.of("{port: any, proto: icmp, host: any}", "{port: 22, proto: tcp, groups: [admins, ops]}",
                        "{port: 200-300, proto: udp, group: family}",
                        "{port: 443, proto: any, cidr: 100.96.0.0/16, local_cidr: 100.97.0.0/16}",
                        "{port: 8080, proto: tcp, host: laptop}"),
                r.inbound().stream().map(Rule::toString).toList());
        assertEquals(1, r.outbound().size());
        assertEquals(12 * 60 * 1_000_000_000L, r.tcpTimeoutNanos);
    }

    @Test
    void anEmptySectionAllowsNothing() {
        Rules r = FirewallTest.rules("firewall: {}\n");
        assertTrue(r.inbound().isEmpty() && r.outbound().isEmpty());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{port: 22, host: any}|firewall.inbound[0] {port: 22, host: any}: proto is required",
            "{port: 22, proto: sctp, host: any}|proto 'sctp' is not any, tcp, udp or icmp",
            "{proto: tcp, host: any}|port is required",
            "{port: 70000, proto: tcp, host: any}|port '70000' is not a number from 1 to 65535",
            "{port: 300-200, proto: tcp, host: any}|ends before it starts",
            "{port: ssh, proto: tcp, host: any}|port 'ssh' is not a number",
            "{port: 22, proto: icmp, host: any}|ICMP has no ports",
            "{port: 22, proto: tcp}|say whom it is for",
            "{port: 22, proto: tcp, host: 'bad name'}|host 'bad name' is not a member's name",
            "{port: 22, proto: tcp, group: a, groups: [b]}|give group or groups, not both",
            "{port: 22, proto: tcp, host: any, groups: [a]}|host: any matches every peer",
            "{port: 22, proto: tcp, cidr: 100.64.0.0/33}|cidr: '100.64.0.0/33': prefix length",
            "{port: 22, proto: tcp, local_cidr: nowhere}|local_cidr: 'nowhere' is not an IPv4 address",
            "{port: 22, proto: tcp, host: any, ca_name: x}|ca_name is not supported",
            "{port: 22, proto: tcp, host: any, hosts: x}|unknown key 'hosts'",
            "{code: any, proto: icmp, host: any}|code is not supported",
            "[22, tcp]|firewall.inbound[0]: a rule is a mapping"})
    void eachMistakeIsOneLineNamingTheRule(String rule, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FirewallTest.rules("firewall:\n  inbound:\n    - " + rule + "\n"));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().startsWith("firewall.inbound[0]"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "firewall: [a]|firewall: must be a mapping",
            "firewall: {inbound: {port: 22}}|firewall.inbound: must be a list of rules",
            "firewall: {inbond: []}|firewall.inbond: unknown key",
            "firewall: {inbound_action: reject}|firewall.inbound_action: 'reject' is not supported",
            "firewall: {conntrack: {tcp_timeout: soon}}|firewall.conntrack.tcp_timeout: 'soon' is not a duration",
            "firewall: {conntrack: {max_flows: 3}}|firewall.conntrack.max_flows: '3' is not a whole number"})
    void sectionMistakesNameTheKey(String yaml, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FirewallTest.rules(yaml));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
