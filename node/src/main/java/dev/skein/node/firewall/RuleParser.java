package dev.skein.node.firewall;

import dev.skein.node.config.DurationText;
import dev.skein.protocol.addr.IpPrefix;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the `firewall:` section of a configuration (as SnakeYAML gives it) into {@link Rules}, in Nebula's
 * format, strictly: anything it cannot read exactly is an {@link IllegalArgumentException} whose message names
 * the key or the rule ("firewall.inbound[1] {port: 22, proto: tcp}: ..."), for the configuration's error line.
 */
public final class RuleParser {
    private static final Set<String> SECTION_KEYS = Set.of("inbound", "outbound", "conntrack", "inbound_action",
            "outbound_action", "default_local_cidr_any");
    private static final Set<String> RULE_KEYS = Set.of("port", "proto", "host", "group", "groups", "cidr",
            "local_cidr");
    private static final Set<String> CONNTRACK_KEYS = Set.of("tcp_timeout", "udp_timeout", "default_timeout",
            "max_flows");
    private static final String NAME = "[A-Za-z0-9][A-Za-z0-9._-]{0,62}";

    private RuleParser() {}

    public static Rules parse(Object section) {
        Map<?, ?> m = map(section, "firewall");
        for (Object k : m.keySet()) {
            if (!SECTION_KEYS.contains(String.valueOf(k))) {
                throw new IllegalArgumentException("firewall." + k + ": unknown key (known: "
                        + String.join(", ", SECTION_KEYS.stream().sorted().toList()) + ")");
            }
        }
        for (String action : List.of("inbound_action", "outbound_action")) {
            Object v = m.get(action);
            if (v != null && !"drop".equals(v)) {
                throw new IllegalArgumentException("firewall." + action + ": '" + v + "' is not supported: "
                        + "Skein drops what no rule allows (drop)");
            }
        }
        Object localAny = m.get("default_local_cidr_any");
        if (localAny != null && !(localAny instanceof Boolean)) {
            throw new IllegalArgumentException("firewall.default_local_cidr_any: '" + localAny
                    + "' is not true or false");
        }
        Map<?, ?> ct = m.get("conntrack") == null ? Map.of() : map(m.get("conntrack"), "firewall.conntrack");
        for (Object k : ct.keySet()) {
            if (!CONNTRACK_KEYS.contains(String.valueOf(k))) {
                throw new IllegalArgumentException("firewall.conntrack." + k + ": unknown key (known: "
                        + String.join(", ", CONNTRACK_KEYS.stream().sorted().toList()) + ")");
            }
        }
        int maxFlows = Rules.DEFAULT_MAX_FLOWS;
        if (ct.get("max_flows") != null) {
            if (!(ct.get("max_flows") instanceof Integer i) || i < 16 || i > 4_194_304) {
                throw new IllegalArgumentException("firewall.conntrack.max_flows: '" + ct.get("max_flows")
                        + "' is not a whole number from 16 to 4194304");
            }
            maxFlows = i;
        }
        return new Rules(rules(m.get("inbound"), "firewall.inbound"), rules(m.get("outbound"), "firewall.outbound"),
                duration(ct, "tcp_timeout", Duration.ofMinutes(12)), duration(ct, "udp_timeout", Duration.ofMinutes(3)),
                duration(ct, "default_timeout", Duration.ofMinutes(10)), maxFlows, Boolean.TRUE.equals(localAny));
    }

    private static List<Rule> rules(Object o, String where) {
        if (o == null) {
            return List.of(); // no rules in a direction: nothing opens a flow that way
        }
        if (!(o instanceof List<?> list)) {
            throw new IllegalArgumentException(where + ": must be a list of rules");
        }
        List<Rule> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            out.add(rule(list.get(i), where + "[" + i + "]"));
        }
        return out;
    }

    private static Rule rule(Object o, String where) {
        if (!(o instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException(where + ": a rule is a mapping, e.g. {port: 22, proto: tcp, host: any}");
        }
        String shown = where + " " + flow(m);
        for (Object k : m.keySet()) {
            String key = String.valueOf(k);
            if (key.equals("ca_name") || key.equals("ca_sha")) {
                throw new IllegalArgumentException(shown + ": " + key + " is not supported: every member's "
                        + "certificate is checked against the CAs of pki.ca");
            }
            if (key.equals("code")) {
                throw new IllegalArgumentException(shown + ": code is not supported: use proto: icmp with port: any");
            }
            if (!RULE_KEYS.contains(key)) {
                throw new IllegalArgumentException(shown + ": unknown key '" + key + "' (known: "
                        + String.join(", ", RULE_KEYS.stream().sorted().toList()) + ")");
            }
        }
        Rule.Proto proto;
        String p = scalar(m, "proto", shown);
        if (p == null) {
            throw new IllegalArgumentException(shown + ": proto is required (any, tcp, udp or icmp)");
        }
        try {
            proto = Rule.Proto.valueOf(p.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(shown + ": proto '" + p + "' is not any, tcp, udp or icmp");
        }
        String port = scalar(m, "port", shown);
        int[] range = ports(port, proto, shown);
        String host = scalar(m, "host", shown);
        if (host != null && !host.equals("any") && !host.matches(NAME)) {
            throw new IllegalArgumentException(shown + ": host '" + host + "' is not a member's name or any");
        }
        List<String> groups = groups(m, shown);
        String cidrText = scalar(m, "cidr", shown);
        String localText = scalar(m, "local_cidr", shown);
        if (host == null && groups.isEmpty() && cidrText == null && localText == null) {
            throw new IllegalArgumentException(shown + ": say whom it is for: host, group, groups, cidr or local_cidr");
        }
        if ("any".equals(host) && (!groups.isEmpty() || cidrText != null)) {
            throw new IllegalArgumentException(shown + ": host: any matches every peer, so its groups or cidr would "
                    + "be ignored: write two rules");
        }
        if (groups.contains("any") && (groups.size() > 1 || host != null || cidrText != null)) {
            throw new IllegalArgumentException(shown + ": group any matches every peer, so the rest would be ignored");
        }
        Cidr cidr = "any".equals(cidrText) || cidrText == null ? null : cidr(cidrText, "cidr", shown);
        Cidr local = "any".equals(localText) || localText == null ? null : cidr(localText, "local_cidr", shown);
        return new Rule(proto, range[0], range[1], host, groups, cidr, "any".equals(cidrText), local,
                "any".equals(localText), canonical(m, proto, port, host, groups, cidrText, localText));
    }

    private static int[] ports(String port, Rule.Proto proto, String shown) {
        if (proto == Rule.Proto.ICMP) {
            if (port != null && !port.equals("any") && !port.equals("0")) {
                throw new IllegalArgumentException(shown + ": ICMP has no ports: port must be any");
            }
            return new int[] {Rule.ANY_PORT, Rule.ANY_PORT};
        }
        if (port == null) {
            throw new IllegalArgumentException(shown + ": port is required (a number, a range 200-300, any or fragment)");
        }
        if (port.equals("any") || port.equals("0")) {
            return new int[] {Rule.ANY_PORT, Rule.ANY_PORT};
        }
        if (port.equals("fragment")) {
            return new int[] {Rule.FRAGMENT_PORT, Rule.FRAGMENT_PORT};
        }
        String[] ends = port.split("-", -1);
        if (ends.length > 2) {
            throw new IllegalArgumentException(shown + ": port '" + port + "' is not a number or a range 200-300");
        }
        int low = port(ends[0].trim(), port, shown);
        int high = ends.length == 2 ? port(ends[1].trim(), port, shown) : low;
        if (low > high) {
            throw new IllegalArgumentException(shown + ": port range '" + port + "' ends before it starts");
        }
        return new int[] {low, high};
    }

    private static int port(String s, String whole, String shown) {
        try {
            int v = Integer.parseInt(s);
            if (v >= 1 && v <= 65535) {
                return v;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException(shown + ": port '" + whole + "' is not a number from 1 to 65535, a range "
                + "200-300, any or fragment");
    }

    private static List<String> groups(Map<?, ?> m, String shown) {
        Object one = m.get("group");
        Object many = m.get("groups");
        if (one != null && many != null) {
            throw new IllegalArgumentException(shown + ": give group or groups, not both");
        }
        List<String> out = new ArrayList<>();
        if (one instanceof List<?> l) {
            if (l.size() != 1) {
                throw new IllegalArgumentException(shown + ": group is one group; use groups for several (all must match)");
            }
            one = l.get(0);
        }
        if (one != null) {
            out.add(group(one, shown));
        }
        if (many instanceof List<?> l) {
            if (l.isEmpty()) {
                throw new IllegalArgumentException(shown + ": groups is empty");
            }
            for (Object g : l) {
                out.add(group(g, shown));
            }
        } else if (many != null) {
            out.add(group(many, shown));
        }
        return out;
    }

    private static String group(Object g, String shown) {
        if (g instanceof Map || g instanceof List || String.valueOf(g).isBlank()) {
            throw new IllegalArgumentException(shown + ": '" + g + "' is not a group name");
        }
        return String.valueOf(g);
    }

    private static Cidr cidr(String text, String key, String shown) {
        try {
            return Cidr.of(IpPrefix.parse(text));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(shown + ": " + key + ": " + e.getMessage());
        }
    }

    private static String scalar(Map<?, ?> m, String key, String shown) {
        Object v = m.get(key);
        if (v instanceof Map || v instanceof List) {
            throw new IllegalArgumentException(shown + ": " + key + " must be a single value");
        }
        return v == null ? null : String.valueOf(v).trim();
    }

    private static Duration duration(Map<?, ?> m, String key, Duration fallback) {
        Object v = m.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            return DurationText.parse(String.valueOf(v));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("firewall.conntrack." + key + ": " + e.getMessage());
        }
    }

    private static Map<?, ?> map(Object o, String where) {
        if (!(o instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException(where + ": must be a mapping (inbound:, outbound:)");
        }
        return m;
    }

    /** The rule as written, in flow style, for error messages. */
    private static String flow(Map<?, ?> m) {
        List<String> parts = new ArrayList<>();
        m.forEach((k, v) -> parts.add(k + ": " + v));
        return "{" + String.join(", ", parts) + "}";
    }

    private static String canonical(Map<?, ?> m, Rule.Proto proto, String port, String host, List<String> groups,
                                    String cidr, String local) {
        List<String> parts = new ArrayList<>();
        parts.add("port: " + (port == null || port.equals("0") ? "any" : port));
        parts.add("proto: " + proto.name().toLowerCase(java.util.Locale.ROOT));
        if (host != null) {
            parts.add("host: " + host);
        }
        if (m.containsKey("group")) {
            parts.add("group: " + groups.get(0));
        } else if (!groups.isEmpty()) {
            parts.add("groups: [" + String.join(", ", groups) + "]");
        }
        if (cidr != null) {
            parts.add("cidr: " + cidr);
        }
        if (local != null) {
            parts.add("local_cidr: " + local);
        }
        return "{" + String.join(", ", parts) + "}";
    }
}
