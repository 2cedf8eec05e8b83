package dev.skein.node;

import dev.skein.node.config.NodeConfig;
import dev.skein.node.config.WireGuardPeerConfig;
import dev.skein.node.dataplane.Device;
import dev.skein.node.firewall.LocalScope;
import dev.skein.node.control.ControlHandler;
import dev.skein.node.control.ControlServer;
import dev.skein.node.config.DnsConfig;
import dev.skein.node.dns.DnsServer;
import dev.skein.node.dns.MemberNames;
import dev.skein.node.dns.SeedLookup;
import dev.skein.node.dns.SeedNames;
import dev.skein.node.metrics.MetricsServer;
import dev.skein.node.os.MssClamp;
import dev.skein.node.os.ResolvedLink;
import dev.skein.node.membership.Membership;
import dev.skein.node.os.ExitGateway;
import dev.skein.node.os.ExitRouting;
import dev.skein.node.os.OverlayFilter;
import dev.skein.node.os.RtNetlink;
import dev.skein.node.os.Tun;
import dev.skein.node.os.UdpSocket;
import dev.skein.node.peer.Peer;
import dev.skein.node.pki.PkiFileException;
import dev.skein.node.pki.PkiFiles;
import dev.skein.protocol.addr.IpPrefix;
import dev.skein.protocol.cert.Certificate;
import dev.skein.protocol.cert.CertificateRejected;
import dev.skein.protocol.cert.CertificateVerifier;
import dev.skein.protocol.cert.RevocationList;
import dev.skein.protocol.crypto.Curve25519;
import dev.skein.protocol.noise.StaticIdentity;
import java.io.IOException;
import java.net.Inet4Address;
import dev.skein.node.route.RoutePolicy;
import java.net.InetAddress;
import java.net.InterfaceAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.time.Instant;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Skein node: checks its own identity, creates its TUN device with the overlay address from its
 * certificate, and runs the data plane with its configured peers. {@link #close()} removes the device, and
 * with it every address and route the node installed.
 */
public final class Node implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Node.class);
    private static final int TX_QUEUE_LENGTH = 1000;
    private static final IpPrefix DEFAULT_ROUTE = IpPrefix.parse("0.0.0.0/0");
    /**
     * TUN and UDP offloads (TSO, GSO, GRO): on unless {@code -Dskein.offload=false}, which the benchmark uses to
     * measure what they are worth.
     */
    private static final boolean OFFLOAD = !"false".equals(System.getProperty("skein.offload"));
    /**
     * Our record offers senders to leave TCP checksums out when the data plane never reads them; not with
     * {@code -Dskein.tcp-checksum-optional=false}, which the benchmark uses to measure what that is worth.
     */
    private static final boolean OFFER_OPTIONAL_CHECKSUMS =
            !"false".equals(System.getProperty("skein.tcp-checksum-optional"));

    private volatile NodeConfig config;
    private volatile Certificate certificate;
    /** The configuration file, for `skein reload` (null when started from a configuration made in code). */
    private volatile java.nio.file.Path configFile;
    /** The configured wireguard-peers, by public key, as the data plane holds them: a reload adds and removes. */
    private final Map<java.nio.ByteBuffer, Peer> configuredPeers = new ConcurrentHashMap<>();
    private final Device device;
    private final RtNetlink netlink;
    private final int interfaceIndex;
    private volatile Membership membership;
    private volatile OverlayFilter overlayFilter;
    private volatile ExitRouting exitRouting;
    private volatile ExitGateway exitGateway;
    private volatile ControlServer control;
    private volatile MetricsServer metrics;
    private volatile DnsServer dns;
    private volatile ResolvedLink resolvedLink;
    private volatile SeedNames seeds;
    private volatile MssClamp mssClamp;
    private volatile boolean closed;
    private volatile RoutePolicy routePolicy;
    /** Kernel routes this node created, and for whom: the only ones it ever deletes. */
    private final Map<IpPrefix, Peer> installedRoutes = new ConcurrentHashMap<>();
    private final Map<IpPrefix, String> refusedRoutes = new ConcurrentHashMap<>();
    private volatile String failure;
    private final java.util.concurrent.CountDownLatch failed = new java.util.concurrent.CountDownLatch(1);

    /**
     * Test hook: a node started with this system property set to true skips the check of its own certificate
     * against the CA. The end-to-end tests use it to play a forger (a node whose certificate is expired or was
     * edited); a real node never sets it.
     */
    static final String TRUST_OWN_CERTIFICATE = "skein.test.trust-own-certificate";

    private Node(NodeConfig config, Certificate certificate, Device device, RtNetlink netlink, int interfaceIndex) {
        this.config = config;
        this.certificate = certificate;
        this.device = device;
        this.netlink = netlink;
        this.interfaceIndex = interfaceIndex;
        this.routePolicy = new RoutePolicy(certificate.networks(), config.acceptSubnets(),
                config.exitNode());
    }

    public static Node start(NodeConfig config) throws NodeException {
        Certificate cert;
        PkiFiles.Keys keys;
        CertificateVerifier verifier;
        try {
            verifier = new CertificateVerifier(PkiFiles.readCertificates(config.caFile()));
            RevocationStore.load(config, verifier);
            Certificate own = PkiFiles.readCertificate(config.certFile());
            cert = Boolean.getBoolean(TRUST_OWN_CERTIFICATE) ? own : verifier.verify(own, Instant.now());
            keys = PkiFiles.readKeys(config.keyFile());
        } catch (PkiFileException e) {
            throw new NodeException(e.getMessage());
        } catch (CertificateRejected e) {
            throw new NodeException(config.certFile() + ": " + e.getMessage());
        }
        if (!cert.name().equals(config.name())) {
            throw new NodeException("name '" + config.name() + "' does not match the certificate's '" + cert.name() + "'");
        }
        if (config.exit() && !cert.subnets().contains(DEFAULT_ROUTE)) {
            throw new NodeException("exit: true, but " + config.certFile() + " does not carry the subnet " + DEFAULT_ROUTE
                    + " (members route to an exit only what its certificate grants; sign it with --subnets 0.0.0.0/0)");
        }
        if (keys.x25519PrivateKey().length != 32
                || !Arrays.equals(Curve25519.publicKey(keys.x25519PrivateKey()), cert.x25519PublicKey())) {
            throw new NodeException(config.keyFile() + ": not the private key of " + config.certFile());
        }
        Tun tun = null;
        RtNetlink netlink = null;
        Node node = null;
        try {
            tun = Tun.open(config.interfaceName(), OFFLOAD);
            netlink = new RtNetlink();
            int index = RtNetlink.interfaceIndex(config.interfaceName());
            netlink.linkUp(index, config.mtu(), TX_QUEUE_LENGTH);
            netlink.addAddress(index, cert.address());
            if (cert.address6() != null) {
                netlink.addAddress(index, cert.address6());
            }
            NodeEvents events = new NodeEvents();
            // Offloads on the socket as on the device: on (the TUN device's choice) or off.
            Device device = new Device(tun, UdpSocket.open(config.listenPort(), tun.vnetHeader()), config.mtu(),
                    new StaticIdentity(keys.x25519PrivateKey()), config.tuning(), events);
            node = new Node(config, cert, device, netlink, index);
            events.failureHandler(node::failed);
            if (config.overlayFilter()) {
                try {
                    node.overlayFilter = OverlayFilter.install(config.interfaceName(), cert.hosts(), cert.subnets(),
                            config.dns().enabled() ? config.dns().port() : 0);
                } catch (IOException e) {
                    // Fail closed: without the filter a neighbour that routes to the overlay address reaches the
                    // gossip port around the sessions. Running so must be a choice written in the configuration.
                    throw new IOException(e.getMessage() + "; without it a neighbour on the underlay could reach "
                            + "the gossip port on the overlay address: install nftables, or set "
                            + "'overlay-filter: false' to run unprotected");
                }
            } else {
                log.warn("overlay-filter: false: the overlay address (and the gossip port on it) can be reached from "
                        + "the underlay by a neighbour that routes to it");
            }
            if (config.exitNode() != null) {
                // Marked before the first datagram: Skein's own traffic must never follow the default route it adds.
                device.markUnderlay(device.listenPort());
                node.exitRouting = ExitRouting.install(netlink, index, config.interfaceName(), device.listenPort());
            }
            if (config.exit()) {
                node.exitGateway = ExitGateway.install(config.interfaceName(), cert.address().network());
            }
            if (!cert.subnets().isEmpty()) {
                // Hosts behind us open TCP through the tunnel: their SYNs get an MSS the tunnel carries.
                try {
                    node.mssClamp = MssClamp.install(config.interfaceName());
                } catch (IOException e) {
                    log.warn("no TCP MSS clamp for the hosts this node routes ({}): they rely on path MTU discovery",
                            e.getMessage());
                }
            }
            // Rules in place before the first peer and before the device carries a packet.
            device.firewall().scope(firewallScope(cert, config));
            device.firewall().rules(config.firewall());
            for (WireGuardPeerConfig p : config.wireguardPeers()) {
                node.addConfiguredPeer(p);
            }
            device.start();
            log.info("data plane: {}", device.offloads());
            log.info("firewall: {}", config.firewall() == null ? "none (no firewall section: everything allowed)"
                    : config.firewall().inbound().size() + " inbound and " + config.firewall().outbound().size()
                    + " outbound rule(s); what no rule allows is dropped");
            node.seeds = new SeedNames(new SeedLookup(SeedLookup.SYSTEM), config.seeds());
            Membership.Settings settings = new Membership.Settings(cert, keys.ed25519PrivateKey(), verifier,
                    config.gossipPort(), node.seeds.current(), config.relay(), node::localEndpoints)
                    .offeringOptionalTcpChecksums(OFFER_OPTIONAL_CHECKSUMS && device.tcpChecksumOptional());
            node.membership = Membership.start(settings, new MeshPeers(node));
            node.seeds.follow(node.membership::seeds);
            events.attach(node.membership); // with the join messages that came while it started
            device.relayEnabled(config.relay());
            node.membership.revocationListener(list -> RevocationStore.save(config, list));
            node.control = ControlServer.start(config.controlSocket(), new ControlHandler(node));
            if (config.dns().enabled()) {
                node.startDns(cert);
            }
            if (config.metrics() != null) {
                try {
                    node.metrics = MetricsServer.start(config.metrics(), node);
                } catch (IOException e) {
                    throw new IOException("metrics: cannot listen on " + config.metrics() + ": " + e.getMessage(), e);
                }
                log.info("metrics: http://{}/metrics", config.metrics().getAddress().getHostAddress() + ":"
                        + node.metrics.port());
            }
            log.info("{} up: {} on {}, UDP port {}, gossip {}:{}, {} seed(s), {} configured peer(s)", config.name(),
                    cert.address(), config.interfaceName(), device.listenPort(), cert.address().address(),
                    config.gossipPort(), config.seeds().size(), config.wireguardPeers().size());
            return node;
        } catch (IOException e) {
            if (node != null) {
                node.close();
                throw new NodeException(e.getMessage());
            }
            if (tun != null) {
                tun.close();
            }
            if (netlink != null) {
                netlink.close();
            }
            throw new NodeException(e.getMessage());
        }
    }

    /**
     * Member names on the overlay address. A port someone else holds (a resolver bound to every address's port
     * 53) costs the names, not the node: it runs on without them and says so.
     */
    private void startDns(Certificate cert) throws IOException {
        DnsConfig d = config.dns();
        MemberNames names = new MemberNames(d.domain(), this::certificate,
                () -> membership == null ? Membership.Snapshot.EMPTY : membership.snapshot());
        try {
            dns = DnsServer.start(InetAddress.getByAddress(cert.address().ip()), d.port(), names);
        } catch (IOException e) {
            log.warn("dns: cannot listen on {}:{} ({}): member names are not served; free the port, set dns.port, "
                    + "or dns: false", cert.address().address(), d.port(), e.getMessage());
            return;
        }
        log.info("dns: NAME.{} answered on {}:{} (UDP and TCP)", d.domain(), cert.address().address(), d.port());
        resolvedLink = ResolvedLink.register(config.interfaceName(), cert.address().address(), d.port(), d.domain());
    }

    /** The node's side of the firewall rules: its overlay address, whether it routes subnets, its gossip port. */
    private static LocalScope firewallScope(Certificate cert, NodeConfig config) {
        return LocalScope.of(cert.hosts().stream().map(IpPrefix::ip).toList(), !cert.subnets().isEmpty(),
                config.gossipPort());
    }

    private void addConfiguredPeer(WireGuardPeerConfig p) {
        Peer peer = new Peer("wg-" + Curve25519.encodeBase64(p.publicKey()).substring(0, 8), p.publicKey(),
                p.presharedKey(), p.endpoint(), p.allowedIps(), p.persistentKeepaliveSeconds());
        configuredPeers.put(java.nio.ByteBuffer.wrap(p.publicKey().clone()), peer);
        addPeer(peer);
    }

    /** Where `skein reload` reads the configuration from. */
    public void configFile(java.nio.file.Path file) {
        this.configFile = file;
    }

    /** `skein reload` and SIGHUP: {@link #reload(NodeConfig)} with the configuration file read again. */
    public String reloadConfigFile() throws NodeException {
        if (configFile == null) {
            throw new NodeException("this node was not started from a configuration file");
        }
        try {
            return reload(dev.skein.node.config.ConfigLoader.load(configFile));
        } catch (dev.skein.node.config.ConfigException e) {
            throw new NodeException(e.getMessage());
        }
    }

    /**
     * `skein reload` and SIGHUP: applies {@code fresh} in place. A renewed certificate (same name and address;
     * new keys or the same) takes effect at once and the members switch to it; seeds, relay,
     * accept-subnets, firewall, tuning and wireguard-peers change live. What cannot change without a restart is named in the
     * error, and then nothing changes. Returns what changed, in one line.
     */
    public synchronized String reload(NodeConfig fresh) throws NodeException {
        NodeConfig old = config;
        List<String> fixed = new ArrayList<>();
        check(fixed, "name", old.name(), fresh.name());
        check(fixed, "interface", old.interfaceName(), fresh.interfaceName());
        check(fixed, "listen-port", old.listenPort(), fresh.listenPort());
        check(fixed, "gossip-port", old.gossipPort(), fresh.gossipPort());
        check(fixed, "control-socket", old.controlSocket(), fresh.controlSocket());
        check(fixed, "mtu", old.mtu(), fresh.mtu());
        check(fixed, "overlay-filter", old.overlayFilter(), fresh.overlayFilter());
        check(fixed, "exit-node", old.exitNode(), fresh.exitNode());
        check(fixed, "exit", old.exit(), fresh.exit());
        check(fixed, "pki.ca", old.caFile(), fresh.caFile());
        check(fixed, "state-dir", old.stateDir(), fresh.stateDir());
        check(fixed, "metrics", old.metrics(), fresh.metrics());
        check(fixed, "dns", old.dns(), fresh.dns());
        check(fixed, "log-format", old.jsonLogs(), fresh.jsonLogs());
        if (!fixed.isEmpty()) {
            throw new NodeException("cannot change without a restart: " + String.join(", ", fixed)
                    + "; nothing was changed");
        }
        Certificate cert;
        PkiFiles.Keys keys;
        try {
            cert = membership.verifier().verify(PkiFiles.readCertificate(fresh.certFile()), Instant.now());
            keys = PkiFiles.readKeys(fresh.keyFile());
        } catch (PkiFileException e) {
            throw new NodeException(e.getMessage() + "; nothing was changed");
        } catch (CertificateRejected e) {
            throw new NodeException(fresh.certFile() + ": " + e.getMessage() + "; nothing was changed");
        }
        if (!cert.name().equals(certificate.name()) || !cert.address().equals(certificate.address())
                || !java.util.Objects.equals(cert.address6(), certificate.address6())) {
            throw new NodeException(fresh.certFile() + ": a certificate for another name or address needs a restart;"
                    + " nothing was changed");
        }
        if (keys.x25519PrivateKey().length != 32
                || !Arrays.equals(Curve25519.publicKey(keys.x25519PrivateKey()), cert.x25519PublicKey())
                || !Arrays.equals(dev.skein.protocol.crypto.Ed25519Keys.publicKey(keys.ed25519PrivateKey()),
                        cert.ed25519PublicKey())) {
            throw new NodeException(fresh.keyFile() + ": not the private keys of " + fresh.certFile()
                    + "; nothing was changed");
        }
        List<String> changed = new ArrayList<>();
        boolean newKey = !Arrays.equals(cert.x25519PublicKey(), certificate.x25519PublicKey());
        if (!cert.sameAs(certificate)) {
            changed.add("certificate (valid until " + cert.notAfter() + ")" + (newKey ? " with a new key" : ""));
        }
        if (newKey) {
            // First the data plane, so that the handshakes the members start once they hear of the new
            // certificate find the new key here.
            device.rekey(new StaticIdentity(keys.x25519PrivateKey()));
        }
        if (!old.seeds().equals(fresh.seeds())) {
            changed.add("seeds");
        }
        if (old.relay() != fresh.relay()) {
            changed.add("relay");
        }
        boolean policy = !java.util.Objects.equals(old.acceptSubnets(), fresh.acceptSubnets())
                || !cert.subnets().equals(certificate.subnets());
        if (policy) {
            changed.add("accept-subnets");
        }
        boolean firewall = !java.util.Objects.equals(old.firewall(), fresh.firewall());
        if (firewall) {
            changed.add("firewall");
        }
        try {
            membership.reconfigure(cert, keys.ed25519PrivateKey(), seeds.configure(fresh.seeds()), fresh.relay())
                    .get(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new NodeException("membership did not take the new settings: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NodeException("interrupted");
        }
        device.relayEnabled(fresh.relay());
        if (!cert.subnets().equals(certificate.subnets())) {
            device.firewall().scope(firewallScope(cert, fresh));
        }
        if (firewall) {
            // Flows the new rules still allow go on; the others end at their next packet.
            device.firewall().rules(fresh.firewall());
        }
        if (!old.tuning().equals(fresh.tuning())) {
            changed.add("tuning");
            device.tuning(fresh.tuning());
        }
        certificate = cert;
        routePolicy = new RoutePolicy(cert.networks(), fresh.acceptSubnets(), fresh.exitNode());
        config = fresh;
        if (!old.wireguardPeers().equals(fresh.wireguardPeers())) {
            changed.add("wireguard-peers");
            Map<java.nio.ByteBuffer, WireGuardPeerConfig> wanted = new java.util.HashMap<>();
            fresh.wireguardPeers().forEach(p -> wanted.put(java.nio.ByteBuffer.wrap(p.publicKey()), p));
            Map<java.nio.ByteBuffer, WireGuardPeerConfig> had = new java.util.HashMap<>();
            old.wireguardPeers().forEach(p -> had.put(java.nio.ByteBuffer.wrap(p.publicKey()), p));
            for (Map.Entry<java.nio.ByteBuffer, WireGuardPeerConfig> e : had.entrySet()) {
                WireGuardPeerConfig now = wanted.get(e.getKey());
                if (now == null || !now.equals(e.getValue())) {
                    Peer gone = configuredPeers.remove(e.getKey());
                    if (gone != null) {
                        removePeer(gone);
                    }
                }
            }
            for (Map.Entry<java.nio.ByteBuffer, WireGuardPeerConfig> e : wanted.entrySet()) {
                if (!configuredPeers.containsKey(e.getKey())) {
                    addConfiguredPeer(e.getValue());
                }
            }
        }
        if (policy) {
            refusedRoutes.clear();
            membership.reapply(); // every member's subnets through the new policy
        }
        String what = changed.isEmpty() ? "nothing changed" : "applied: " + String.join(", ", changed);
        log.info("reload: {}", what);
        return what;
    }

    private static void check(List<String> fixed, String key, Object was, Object is) {
        if (!java.util.Objects.equals(was, is)) {
            fixed.add(key);
        }
    }

    /**
     * The prefixes of a member's grant that this node routes to it: its overlay address, and each subnet the
     * {@link RoutePolicy} accepts. A refused subnet is logged once and listed by `skein status` and `skein routes`.
     */
    List<IpPrefix> routable(String member, Certificate cert, List<IpPrefix> granted) {
        List<IpPrefix> out = new ArrayList<>();
        List<IpPrefix> local = null;
        List<InetAddress> underlay = null;
        for (IpPrefix p : granted) {
            if (cert.hosts().contains(p)) {
                out.add(p);
                continue;
            }
            if (local == null) {
                local = localNetworks();
                underlay = underlayAddresses();
            }
            String why = routePolicy.refusal(member, p, local, underlay);
            if (why == null) {
                out.add(p);
            } else {
                refuseRoute(p, member, why);
            }
        }
        return out;
    }

    private void refuseRoute(IpPrefix prefix, String member, String why) {
        String line = member + ": " + why;
        if (!line.equals(refusedRoutes.put(prefix, line))) {
            log.warn("route {} of {} refused: {}", prefix, member, why);
        }
    }

    /** Subnets of members this node refused to route, with who asked and why: for `skein status` and `skein routes`. */
    public Map<IpPrefix, String> refusedRoutes() {
        return Map.copyOf(refusedRoutes);
    }

    /**
     * Adds a peer to the data plane and routes its allowed IPs outside our overlay network into the TUN device.
     * Only new routes are created: a route that exists already (not Skein's, or another member's) is left as it
     * is and the prefix refused, so that membership can never replace a route of the machine's.
     */
    public void addPeer(Peer peer) {
        device.addPeer(peer);
        for (IpPrefix p : peer.allowedIps()) {
            if (certificate.networks().stream().anyMatch(mesh -> mesh.contains(p))) {
                continue; // on the TUN device's own network already
            }
            if (p.bits() == 0) {
                if (peer.reach() == null) {
                    // A WireGuard peer's 0.0.0.0/0 in the configuration: the data plane sends it what reaches the TUN
                    // device, but a default route into the tunnel would take the underlay too.
                    refuseRoute(p, peer.name(), "a default route (the data plane uses it; no kernel route)");
                }
                // The exit-node's: ExitRouting's table has sent it into the device since the node started.
                continue;
            }
            try {
                netlink.addRoute(interfaceIndex, p);
                installedRoutes.put(p, peer);
            } catch (IOException e) {
                refuseRoute(p, peer.name(), e.getMessage().contains("File exists")
                        ? "the machine has a route for it already (not Skein's)" : e.getMessage());
                if (peer.reach() != null) {
                    device.routes().remove(p, peer);
                }
            }
        }
    }

    /** Removes a peer from the data plane, with the kernel routes {@link #addPeer} created for it, and no others. */
    public void removePeer(Peer peer) {
        device.removePeer(peer);
        for (IpPrefix p : peer.allowedIps()) {
            if (installedRoutes.remove(p, peer)) {
                try {
                    netlink.deleteRoute(interfaceIndex, p);
                } catch (IOException e) {
                    log.debug("route {} was already gone: {}", p, e.getMessage());
                }
            }
        }
    }

    /**
     * Why the configured exit-node carries no traffic now, or null if it does (or none is configured): for
     * `skein status`. Until it does, traffic outside the mesh is dropped, not sent around the tunnel.
     */
    public String exitNodeProblem() {
        String exit = config.exitNode();
        if (exit == null) {
            return null;
        }
        for (Peer p : device.peers()) {
            if (p.name().equals(exit)) {
                return p.allowedIps().contains(DEFAULT_ROUTE) ? null
                        : "exit-node " + exit + ": its certificate carries no " + DEFAULT_ROUTE
                        + "; traffic outside the mesh is dropped";
            }
        }
        return "exit-node " + exit + ": not a member now; traffic outside the mesh is dropped";
    }

    /** A member left: its refused routes are no longer anyone's concern. */
    void forgetRefusedRoutes(String member) {
        refusedRoutes.values().removeIf(v -> v.startsWith(member + ": "));
    }

    /** The networks of this machine's interfaces (but the TUN device and loopback): no member may take them. */
    private List<IpPrefix> localNetworks() {
        List<IpPrefix> out = new ArrayList<>();
        for (InterfaceAddress a : underlayInterfaceAddresses()) {
            out.add(IpPrefix.of(a.getAddress().getAddress(), a.getNetworkPrefixLength()).network());
        }
        return out;
    }

    /** The addresses of this host's interfaces that are up, but loopback and our TUN device. */
    private List<InterfaceAddress> underlayInterfaceAddresses() {
        List<InterfaceAddress> out = new ArrayList<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (nic.isUp() && !nic.isLoopback() && !nic.getName().equals(config.interfaceName())) {
                    out.addAll(nic.getInterfaceAddresses());
                }
            }
        } catch (IOException e) {
            log.debug("listing local addresses: {}", e.toString());
        }
        return out;
    }

    /** Where Skein's own datagrams go: the seeds and every peer's endpoint and candidates. */
    private List<InetAddress> underlayAddresses() {
        List<InetAddress> out = new ArrayList<>();
        SeedNames s = seeds;
        if (s != null) {
            s.current().forEach(e -> out.add(e.getAddress()));
        }
        device.peers().forEach(p -> p.addUnderlayAddresses(out));
        return out;
    }

    /**
     * Our data-plane endpoints on this host, at our port: each up, non-loopback address but the overlay's, IPv4
     * first, then IPv6 (a node whose underlay is IPv6 only is reached there); never an IPv6 link-local address,
     * which means nothing without its interface on the other side.
     */
    List<InetSocketAddress> localEndpoints() {
        List<InetSocketAddress> v4 = new ArrayList<>();
        List<InetSocketAddress> v6 = new ArrayList<>();
        int port = device.listenPort();
        for (InterfaceAddress a : underlayInterfaceAddresses()) {
            InetAddress ip = a.getAddress();
            if (ip instanceof Inet4Address) {
                v4.add(new InetSocketAddress(ip, port));
            } else if (!ip.isLinkLocalAddress() && !ip.isLoopbackAddress()) {
                // Without the scope: a global address needs none, and the peer would not know ours.
                try {
                    v6.add(new InetSocketAddress(InetAddress.getByAddress(ip.getAddress()), port));
                } catch (java.net.UnknownHostException e) {
                    throw new IllegalStateException("16 bytes are an IPv6 address", e);
                }
            }
        }
        v4.sort((a, b) -> a.toString().compareTo(b.toString()));
        v6.sort((a, b) -> a.toString().compareTo(b.toString()));
        v4.addAll(v6);
        return v4;
    }

    /** The data plane cannot go on (it said why): whoever runs the node closes it and exits non-zero. */
    private void failed(String cause) {
        failure = cause;
        failed.countDown();
    }

    /**
     * Waits until the data plane fails; returns its cause. Does not return while the node works: the caller
     * (`skein up`) waits here, and a signal ends it through the JVM's shutdown hooks instead.
     */
    public String awaitFailure() throws InterruptedException {
        failed.await();
        return failure;
    }

    /** Null while the node works; else why the data plane stopped. */
    public String failure() {
        return failure;
    }

    public Membership membership() {
        return membership;
    }

    public Device device() {
        return device;
    }

    public Certificate certificate() {
        return certificate;
    }

    /** The revocation lists this node holds, one per CA of its bundle at most. */
    public List<RevocationList> revocations() {
        return membership == null ? List.of() : membership.revocations();
    }

    public NodeConfig config() {
        return config;
    }

    /** What the DNS server did, or null when it does not run. */
    public DnsServer.Counts dnsCounts() {
        DnsServer d = dns;
        return d == null ? null : d.counts();
    }

    /** Says goodbye and removes what the node installed; once (a failure and a signal may both ask). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (metrics != null) {
            metrics.close();
        }
        if (control != null) {
            control.close();
        }
        if (resolvedLink != null) {
            resolvedLink.close();
        }
        if (seeds != null) {
            seeds.close();
        }
        if (dns != null) {
            dns.close();
        }
        if (membership != null) {
            membership.close(failure == null); // says goodbye through the data plane, so before it stops
        }
        device.close();
        if (exitRouting != null) {
            exitRouting.close();
        }
        netlink.close();
        if (overlayFilter != null) {
            overlayFilter.close();
        }
        if (exitGateway != null) {
            exitGateway.close();
        }
        if (mssClamp != null) {
            mssClamp.close();
        }
        log.info("{} down: {} removed; dropped packets: {}", config.name(), config.interfaceName(),
                device.counters().snapshot());
    }
}
