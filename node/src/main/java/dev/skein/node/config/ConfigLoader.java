package dev.skein.node.config;

import dev.skein.node.firewall.RuleParser;
import dev.skein.node.firewall.Rules;
import dev.skein.protocol.addr.IpPrefix;
import dev.skein.protocol.crypto.Curve25519;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads a node's YAML configuration strictly: unknown keys and bad values are errors naming the key. Paths are
 * resolved against the file's directory. Endpoints are literal addresses; seeds may also be host names.
 */
public final class ConfigLoader {
    private static final Set<String> KEYS = Set.of("name", "interface", "listen-port", "gossip-port", "seeds", "pki",
            "mtu", "relay", "control-socket", "wireguard-peers", "tuning", "overlay-filter", "accept-subnets", "exit-node", "exit", "state-dir", "firewall", "metrics", "log-format", "dns");
    private static final Set<String> DNS_KEYS = Set.of("domain", "port");
    private static final Set<String> PKI_KEYS = Set.of("ca", "cert", "key", "revocations");
    private static final Set<String> PEER_KEYS = Set.of("public-key", "preshared-key", "endpoint", "allowed-ips",
            "persistent-keepalive");
    private static final Set<String> TUNING_KEYS = Set.of("rekey-after-time", "reject-after-time",
            "rekey-attempt-time", "rekey-timeout", "keepalive-timeout");

    private final Path file;

    private ConfigLoader(Path file) {
        this.file = file;
    }

    public static NodeConfig load(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such file");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read (" + e.getMessage() + ")");
        }
        return new ConfigLoader(file).parse(text);
    }

    public static NodeConfig parse(Path file, String text) throws ConfigException {
        return new ConfigLoader(file).parse(text);
    }

    private NodeConfig parse(String text) throws ConfigException {
        Object root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
        } catch (YAMLException e) {
            throw new ConfigException(file + ": not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
        }
        Map<String, Object> m = map(root, "the file", KEYS);
        String name = string(m, "name", null);
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}")) {
            throw error("name", "required: 1-63 letters, digits, '.', '_' or '-'");
        }
        String iface = string(m, "interface", "skein0");
        if (iface.isEmpty() || iface.length() > 15 || !iface.matches("[A-Za-z0-9._-]+")) {
            throw error("interface", "'" + iface + "' is not an interface name (1-15 characters)");
        }
        int listenPort = integer(m, "listen-port", 51820, 1, 65535);
        int gossipPort = integer(m, "gossip-port", 7946, 1, 65535);
        List<InetSocketAddress> seeds = new ArrayList<>();
        for (Object s : list(m.get("seeds"), "seeds")) {
            seeds.add(seed(s));
        }
        Map<String, Object> pki = map(m.get("pki"), "pki", PKI_KEYS);
        if (pki.isEmpty()) {
            throw error("pki", "required: {ca: FILE, cert: FILE, key: FILE}");
        }
        Path ca = path(pki, "ca");
        Path cert = path(pki, "cert");
        Path key = path(pki, "key");
        int mtu = integer(m, "mtu", 1420, 576, 65000);
        boolean relay = bool(m, "relay", false);
        Path control = resolve(string(m, "control-socket", "/run/skein/" + iface + ".sock"));
        List<WireGuardPeerConfig> peers = new ArrayList<>();
        int i = 0;
        for (Object p : list(m.get("wireguard-peers"), "wireguard-peers")) {
            peers.add(peer(p, "wireguard-peers[" + i++ + "]"));
        }
        Tuning tuning = tuning(m.get("tuning"));
        boolean overlayFilter = bool(m, "overlay-filter", true);
        List<IpPrefix> acceptSubnets = m.containsKey("accept-subnets")
                ? prefixes(m.get("accept-subnets"), "accept-subnets") : null;
        String exitNode = string(m, "exit-node", null);
        if (exitNode != null && (exitNode.equals(name) || !exitNode.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}"))) {
            throw error("exit-node", exitNode.equals(name) ? "a node cannot be its own exit"
                    : "'" + exitNode + "' is not a member's name");
        }
        boolean exit = bool(m, "exit", false);
        if (exit && exitNode != null) {
            throw error("exit", "an exit sends outside traffic to its own underlay, not through another exit-node");
        }
        String revocations = string(pki, "revocations", null);
        Path stateDir = resolve(string(m, "state-dir", control.getParent() == null ? "." : control.getParent().toString()));
        Rules firewall = null;
        if (m.containsKey("firewall")) {
            try {
                firewall = RuleParser.parse(m.get("firewall"));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(file + ": " + e.getMessage());
            }
        }
        InetSocketAddress metrics = m.get("metrics") == null ? null : endpoint(m.get("metrics"), "metrics");
        String logFormat = string(m, "log-format", "text");
        if (!logFormat.equals("text") && !logFormat.equals("json")) {
            throw error("log-format", "'" + logFormat + "' is neither text nor json");
        }
        return new NodeConfig(name, iface, listenPort, gossipPort, seeds, ca, cert, key, mtu, relay, control, peers,
                tuning, overlayFilter, acceptSubnets, exitNode, exit, revocations == null ? null : resolve(revocations),
                stateDir, firewall, metrics, logFormat.equals("json"), dns(m.get("dns")));
    }

    private DnsConfig dns(Object o) throws ConfigException {
        if (o == null || Boolean.TRUE.equals(o)) {
            return DnsConfig.DEFAULT;
        }
        if (Boolean.FALSE.equals(o)) {
            return DnsConfig.OFF;
        }
        Map<String, Object> d = map(o, "dns", DNS_KEYS);
        String domain = string(d, "domain", DnsConfig.DEFAULT.domain()).toLowerCase(java.util.Locale.ROOT);
        if (domain.endsWith(".")) {
            domain = domain.substring(0, domain.length() - 1);
        }
        // Labels of letters, digits and '-', as host names have; at most 63 characters left for member names.
        if (domain.length() > 190 || !domain.matches("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*")) {
            throw error("dns.domain", "'" + domain + "' is not a domain name (labels of letters, digits and '-')");
        }
        if (domain.equals("arpa") || domain.endsWith(".arpa")) {
            throw error("dns.domain", "the reverse zones are answered anyway; choose a name of your own");
        }
        return new DnsConfig(true, domain, integer(d, "port", DnsConfig.DEFAULT.port(), 1, 65535, "dns."));
    }

    private WireGuardPeerConfig peer(Object o, String where) throws ConfigException {
        Map<String, Object> p = map(o, where, PEER_KEYS);
        byte[] pub = key(p, "public-key", where, true);
        byte[] psk = key(p, "preshared-key", where, false);
        InetSocketAddress endpoint = p.get("endpoint") == null ? null : endpoint(p.get("endpoint"), where + ".endpoint");
        List<IpPrefix> allowed = prefixes(p.get("allowed-ips"), where + ".allowed-ips");
        int keepalive = integer(p, "persistent-keepalive", 0, 0, 65535, where + ".");
        return new WireGuardPeerConfig(pub, psk == null ? new byte[32] : psk, endpoint, allowed, keepalive);
    }

    private List<IpPrefix> prefixes(Object o, String where) throws ConfigException {
        List<IpPrefix> out = new ArrayList<>();
        for (Object a : list(o, where)) {
            try {
                out.add(IpPrefix.parse(String.valueOf(a)).network());
            } catch (IllegalArgumentException e) {
                throw error(where, e.getMessage());
            }
        }
        return out;
    }

    private Tuning tuning(Object o) throws ConfigException {
        if (o == null) {
            return Tuning.WIREGUARD;
        }
        Map<String, Object> t = map(o, "tuning", TUNING_KEYS);
        Tuning d = Tuning.WIREGUARD;
        return new Tuning(duration(t, "rekey-after-time", d.rekeyAfterTime()),
                duration(t, "reject-after-time", d.rejectAfterTime()),
                duration(t, "rekey-attempt-time", d.rekeyAttemptTime()),
                duration(t, "rekey-timeout", d.rekeyTimeout()),
                duration(t, "keepalive-timeout", d.keepaliveTimeout()));
    }

    private Duration duration(Map<String, Object> m, String key, Duration fallback) throws ConfigException {
        Object v = m.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            return DurationText.parse(String.valueOf(v));
        } catch (IllegalArgumentException e) {
            throw error("tuning." + key, e.getMessage());
        }
    }

    private byte[] key(Map<String, Object> m, String key, String where, boolean required) throws ConfigException {
        Object v = m.get(key);
        if (v == null) {
            if (required) {
                throw error(where + "." + key, "required");
            }
            return null;
        }
        try {
            return Curve25519.decodeBase64(String.valueOf(v));
        } catch (IllegalArgumentException e) {
            throw error(where + "." + key, e.getMessage());
        }
    }

    /** A seed: ADDRESS:PORT, or NAME:PORT (unresolved here: the node resolves it at start and every minute). */
    private InetSocketAddress seed(Object o) throws ConfigException {
        String s = String.valueOf(o).trim();
        int colon = s.lastIndexOf(':');
        String host = colon < 0 ? s : s.substring(0, colon);
        // A host name: labels of letters, digits and '-', not all digits at the end (that would be an address).
        if (colon > 0 && host.length() <= 253 && host.indexOf(':') < 0 && !host.startsWith("[")
                && host.matches("([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)*[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")) {
            try {
                int port = Integer.parseInt(s.substring(colon + 1));
                if (port < 1 || port > 65535) {
                    throw error("seeds", "port " + port + " out of range");
                }
                return InetSocketAddress.createUnresolved(host.toLowerCase(java.util.Locale.ROOT), port);
            } catch (NumberFormatException e) {
                throw error("seeds", "'" + s + "': port is not a number");
            }
        }
        return endpoint(o, "seeds");
    }

    private InetSocketAddress endpoint(Object o, String key) throws ConfigException {
        String s = String.valueOf(o).trim();
        int colon = s.lastIndexOf(':');
        if (colon < 0) {
            throw error(key, "'" + s + "' is not ADDRESS:PORT");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            int port = Integer.parseInt(s.substring(colon + 1));
            if (port < 1 || port > 65535) {
                throw error(key, "port " + port + " out of range");
            }
            return new InetSocketAddress(InetAddress.getByAddress(IpPrefix.parseAddress(host)), port);
        } catch (NumberFormatException e) {
            throw error(key, "'" + s + "': port is not a number");
        } catch (IllegalArgumentException | UnknownHostException e) {
            throw error(key, "'" + s + "': " + e.getMessage() + " (endpoints are literal addresses)");
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> map(Object o, String where, Set<String> allowed) throws ConfigException {
        if (o == null) {
            return Map.of();
        }
        if (!(o instanceof Map<?, ?> raw)) {
            throw error(where, "must be a mapping of keys to values");
        }
        for (Object k : raw.keySet()) {
            if (!allowed.contains(String.valueOf(k))) {
                String prefix = where.equals("the file") ? "" : where + ".";
                throw error(prefix + k, "unknown key (known: " + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
        return (Map<String, Object>) raw;
    }

    private List<?> list(Object o, String key) throws ConfigException {
        if (o == null) {
            return List.of();
        }
        if (!(o instanceof List<?> l)) {
            throw error(key, "must be a list");
        }
        return l;
    }

    private String string(Map<String, Object> m, String key, String fallback) throws ConfigException {
        Object v = m.get(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Map || v instanceof List) {
            throw error(key, "must be a single value");
        }
        return String.valueOf(v);
    }

    private int integer(Map<String, Object> m, String key, int fallback, int min, int max) throws ConfigException {
        return integer(m, key, fallback, min, max, "");
    }

    private int integer(Map<String, Object> m, String key, int fallback, int min, int max, String prefix)
            throws ConfigException {
        Object v = m.get(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Integer i) || i < min || i > max) {
            throw error(prefix + key, "'" + v + "' is not a whole number from " + min + " to " + max);
        }
        return i;
    }

    private boolean bool(Map<String, Object> m, String key, boolean fallback) throws ConfigException {
        Object v = m.get(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Boolean b)) {
            throw error(key, "'" + v + "' is not true or false");
        }
        return b;
    }

    private Path path(Map<String, Object> m, String key) throws ConfigException {
        String s = string(m, key, null);
        if (s == null || s.isBlank()) {
            throw error("pki." + key, "required");
        }
        return resolve(s);
    }

    private Path resolve(String s) {
        Path dir = file.toAbsolutePath().getParent();
        return dir == null ? Path.of(s).toAbsolutePath() : dir.resolve(s).normalize();
    }

    private ConfigException error(String key, String problem) {
        return new ConfigException(file + ": " + key + ": " + problem);
    }
}
