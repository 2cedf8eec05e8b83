package dev.skein.node.config;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
    private static final Path FILE = Path.of("/etc/skein/home.yaml");
    private static final String MINIMAL = "name: home\npki: {ca: ca.crt, cert: home.crt, key: home.key}\n";

    private static String error(String yaml) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.parse(FILE, yaml)).getMessage();
    }

    @Test
    void readsTheExampleAndResolvesPathsNextToTheFile() throws Exception {
        NodeConfig c = ConfigLoader.parse(FILE, MINIMAL + "seeds: [198.18.0.1:51820]\nwireguard-peers:\n"
                + "  - public-key: hP1eTcw8b9q0PWHVcTYPWcrOVYSbmhNIh7rtaQTCH1I=\n    endpoint: 198.18.0.9:51820\n"
                + "    allowed-ips: [100.64.9.1/32]\n    persistent-keepalive: 25\n");
        assertEquals("home", c.name());
        assertEquals("skein0", c.interfaceName());
        assertEquals(51820, c.listenPort());
        assertEquals(1420, c.mtu());
        assertEquals(Path.of("/etc/skein/ca.crt"), c.caFile());
        assertEquals(1, c.seeds().size());
        assertEquals(25, c.wireguardPeers().get(0).persistentKeepaliveSeconds());
        assertEquals(Tuning.WIREGUARD, c.tuning());
    }

    @Test
    void tuningShortensTimers() throws Exception {
        NodeConfig c = ConfigLoader.parse(FILE, MINIMAL + "tuning: {rekey-after-time: 2s, rekey-timeout: 500ms}\n");
        assertEquals(Duration.ofSeconds(2), c.tuning().rekeyAfterTime());
        assertEquals(Duration.ofMillis(500), c.tuning().rekeyTimeout());
        assertEquals(Duration.ofSeconds(180), c.tuning().rejectAfterTime());
    }

    @Test
    void routePolicyAndOverlayFilter() throws Exception {
        NodeConfig defaults = ConfigLoader.parse(FILE, MINIMAL);
        assertNull(defaults.acceptSubnets(), "no accept-subnets: the default policy");
        assertTrue(defaults.overlayFilter(), "the overlay filter is on unless turned off");
        NodeConfig c = ConfigLoader.parse(FILE, MINIMAL + "accept-subnets: [100.96.0.0/12]\noverlay-filter: false\n");
        assertEquals(java.util.List.of(dev.skein.protocol.addr.IpPrefix.parse("100.96.0.0/12")), c.acceptSubnets());
        assertFalse(c.overlayFilter());
        assertEquals(java.util.List.of(), ConfigLoader.parse(FILE, MINIMAL + "accept-subnets: []\n").acceptSubnets(),
                "an empty list accepts no subnet");
        assertTrue(error(MINIMAL + "accept-subnets: [lan]\n").contains("accept-subnets"));
        assertTrue(error(MINIMAL + "overlay-filter: perhaps\n").contains("overlay-filter"));
    }

    @Test
    void firewallSection() throws Exception {
        assertNull(ConfigLoader.parse(FILE, MINIMAL).firewall(), "no section: no firewall, everything allowed");
        NodeConfig c = ConfigLoader.parse(FILE, MINIMAL + "firewall:\n  inbound:\n"
                + "    - {port: 22, proto: tcp, groups: [admins]}\n  outbound:\n    - {port: any, proto: any, host: any}\n");
        assertEquals(1, c.firewall().inbound().size());
        assertEquals(1, c.firewall().outbound().size());
        String e = error(MINIMAL + "firewall:\n  inbound:\n    - {port: 22, proto: tcp, groups: [admins]}\n"
                + "    - {port: 22-, proto: tcp, host: any}\n");
        assertTrue(e.startsWith(FILE + ": firewall.inbound[1] {port: 22-, proto: tcp, host: any}: port '22-'"), e);
        assertTrue(error(MINIMAL + "firewall:\n").contains("firewall: must be a mapping"));
    }

    @Test
    void seedsMayBeHostNames() throws Exception {
        NodeConfig c = ConfigLoader.parse(FILE, MINIMAL + "seeds: [Seed.Example.net:51820, 198.18.0.1:51820]\n");
        assertTrue(c.seeds().get(0).isUnresolved(), "resolved by the node, not the loader");
        assertEquals("seed.example.net", c.seeds().get(0).getHostString());
        assertEquals(51820, c.seeds().get(0).getPort());
        assertFalse(c.seeds().get(1).isUnresolved());
        assertTrue(error(MINIMAL + "seeds: [seed.example.net:99999]\n").contains("seeds"));
        assertTrue(error(MINIMAL + "seeds: ['seed..example:51820']\n").contains("seeds"));
        assertTrue(error(MINIMAL + "seeds: [seed.example.net]\n").contains("seeds"));
        assertTrue(error(MINIMAL + "seeds: [198.18.0.300:51820]\n").contains("seeds"), "not a name: all digits");
    }

    @Test
    void dnsSection() throws Exception {
        assertEquals(DnsConfig.DEFAULT, ConfigLoader.parse(FILE, MINIMAL).dns(), "on, for mesh, port 53");
        assertFalse(ConfigLoader.parse(FILE, MINIMAL + "dns: false\n").dns().enabled());
        assertEquals(new DnsConfig(true, "corp.example", 5353),
                ConfigLoader.parse(FILE, MINIMAL + "dns: {domain: Corp.Example., port: 5353}\n").dns());
        assertTrue(error(MINIMAL + "dns: {domain: 'a..b'}\n").contains("dns.domain"));
        assertTrue(error(MINIMAL + "dns: {domain: in-addr.arpa}\n").contains("dns.domain"));
        assertTrue(error(MINIMAL + "dns: {port: 70000}\n").contains("dns.port"));
        assertTrue(error(MINIMAL + "dns: {zone: mesh}\n").contains("dns.zone: unknown key"));
    }

    @Test
    void metricsAddress() throws Exception {
        assertNull(ConfigLoader.parse(FILE, MINIMAL).metrics(), "off unless asked for");
        assertEquals(new java.net.InetSocketAddress("127.0.0.1", 9586),
                ConfigLoader.parse(FILE, MINIMAL + "metrics: 127.0.0.1:9586\n").metrics());
        assertEquals(9586, ConfigLoader.parse(FILE, MINIMAL + "metrics: '[fd00::1]:9586'\n").metrics().getPort());
        assertTrue(error(MINIMAL + "metrics: localhost:9586\n").contains("metrics: 'localhost:9586'"));
        assertTrue(error(MINIMAL + "metrics: 127.0.0.1\n").contains("metrics: '127.0.0.1' is not ADDRESS:PORT"));
        assertTrue(error(MINIMAL + "metrics: 127.0.0.1:0\n").contains("metrics: port 0 out of range"));
    }

    @Test
    void logFormat() throws Exception {
        assertFalse(ConfigLoader.parse(FILE, MINIMAL).jsonLogs(), "text unless asked");
        assertTrue(ConfigLoader.parse(FILE, MINIMAL + "log-format: json\n").jsonLogs());
        assertFalse(ConfigLoader.parse(FILE, MINIMAL + "log-format: text\n").jsonLogs());
        assertTrue(error(MINIMAL + "log-format: xml\n").contains("log-format: 'xml' is neither text nor json"));
    }

    @Test
    void exitNodeAndExit() throws Exception {
        NodeConfig defaults = ConfigLoader.parse(FILE, MINIMAL);
        assertNull(defaults.exitNode());
        assertFalse(defaults.exit());
        assertEquals("office", ConfigLoader.parse(FILE, MINIMAL + "exit-node: office\n").exitNode());
        assertTrue(ConfigLoader.parse(FILE, MINIMAL + "exit: true\n").exit());
        assertTrue(error(MINIMAL + "exit-node: home\n").contains("exit-node: a node cannot be its own exit"));
        assertTrue(error(MINIMAL + "exit-node: 'no such/name'\n").contains("exit-node:"));
        assertTrue(error(MINIMAL + "exit: true\nexit-node: office\n").contains("exit:"));
        assertTrue(error(MINIMAL + "exit: sometimes\n").contains("exit:"));
    }

    @Test
    void stateDirAndRevocations() throws Exception {
        NodeConfig defaults = ConfigLoader.parse(FILE, MINIMAL);
        assertEquals(Path.of("/run/skein"), defaults.stateDir(), "beside the control socket");
        assertNull(defaults.revocationsFile());
        NodeConfig c = ConfigLoader.parse(FILE, "name: home\npki: {ca: ca.crt, cert: home.crt, key: home.key, "
                + "revocations: revocations}\nstate-dir: /var/lib/skein\n");
        assertEquals(Path.of("/etc/skein/revocations"), c.revocationsFile());
        assertEquals(Path.of("/var/lib/skein"), c.stateDir());
        assertTrue(error(MINIMAL.replace("}", ", crl: x}")).contains("pki.crl: unknown key"));
    }

    @Test
    void badInputNamesTheKey() {
        assertTrue(error(MINIMAL + "colour: blue\n").contains("colour: unknown key"));
        assertTrue(error(MINIMAL + "mtu: 12\n").contains("mtu:"));
        assertTrue(error(MINIMAL + "listen-port: http\n").contains("listen-port:"));
        assertTrue(error(MINIMAL + "seeds: [example.com:port]\n").contains("seeds:"));
        assertTrue(error(MINIMAL + "relay: maybe\n").contains("relay:"));
        assertTrue(error("pki: {ca: a, cert: b, key: c}\n").contains("name:"));
        assertTrue(error("name: home\n").contains("pki:"));
        assertTrue(error(MINIMAL + "pki: {ca: a, cert: b}\n").contains("pki.key: required"));
        assertTrue(error(MINIMAL + "wireguard-peers:\n  - public-key: short\n").contains("wireguard-peers[0].public-key"));
        assertTrue(error(MINIMAL + "wireguard-peers:\n  - {public-key: hP1eTcw8b9q0PWHVcTYPWcrOVYSbmhNIh7rtaQTCH1I=, allowed-ips: [nope]}\n")
                .contains("allowed-ips"));
        assertTrue(error(MINIMAL + "tuning: {rekey-after-time: soon}\n").contains("tuning.rekey-after-time"));
        assertTrue(error("name: [\n").contains("not valid YAML"));
    }
}
