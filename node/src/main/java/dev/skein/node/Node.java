package dev.skein.node;

import dev.skein.node.config.NodeConfig;
import dev.skein.node.config.WireGuardPeerConfig;
import dev.skein.node.dataplane.Device;
import dev.skein.node.control.ControlHandler;
import dev.skein.node.control.ControlServer;
import dev.skein.node.membership.Membership;
import dev.skein.node.os.OverlayFilter;
import dev.skein.node.os.RtNetlink;
import dev.skein.node.os.Tun;
import dev.skein.node.peer.Peer;
import dev.skein.node.pki.PkiFileException;
import dev.skein.node.pki.PkiFiles;
import dev.skein.protocol.addr.IpPrefix;
import dev.skein.protocol.cert.Certificate;
import dev.skein.protocol.cert.CertificateRejected;
import dev.skein.protocol.cert.CertificateVerifier;
import dev.skein.protocol.crypto.Curve25519;
import dev.skein.protocol.noise.StaticIdentity;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
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
    /**
     * TUN and UDP offloads (TSO, GSO, GRO): on unless {@code -Dskein.offload=false}, which the benchmark uses to
     * measure what they are worth.
     */
    private static final boolean OFFLOAD = !"false".equals(System.getProperty("skein.offload"));

    private final NodeConfig config;
    private final Certificate certificate;
    private final Device device;
    private final RtNetlink netlink;
    private final int interfaceIndex;
    private volatile Membership membership;
    private volatile OverlayFilter overlayFilter;
    private volatile ControlServer control;
    private volatile boolean closed;
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
    }

    public static Node start(NodeConfig config) throws NodeException {
        Certificate cert;
        PkiFiles.Keys keys;
        CertificateVerifier verifier;
        try {
            verifier = new CertificateVerifier(PkiFiles.readCertificate(config.caFile()));
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
            Device device = new Device(tun, config.listenPort(), config.mtu(),
                    new StaticIdentity(keys.x25519PrivateKey()), config.tuning());
            node = new Node(config, cert, device, netlink, index);
            if (config.overlayFilter()) {
                try {
                    node.overlayFilter = OverlayFilter.install(config.interfaceName(), cert.address().address());
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
            for (WireGuardPeerConfig p : config.wireguardPeers()) {
                node.addPeer(new Peer("wg-" + Curve25519.encodeBase64(p.publicKey()).substring(0, 8), p.publicKey(),
                        p.presharedKey(), p.endpoint(), p.allowedIps(), p.persistentKeepaliveSeconds()));
            }
            device.failureListener(node::failed);
            device.start();
            log.info("data plane: {}", device.offloads());
            node.membership = Membership.start(new Membership.Settings(cert, keys.ed25519PrivateKey(), verifier,
                    config.gossipPort(), config.seeds(), config.relay(), node::localEndpoints),
                    new MeshPeers(node));
            device.joinListener(node.membership::onJoinDatagram);
            device.observedListener(node.membership::onObserved);
            device.relayEnabled(config.relay());
            device.unknownPeerListener(node.membership::onUnknownPeer);
            node.control = ControlServer.start(config.controlSocket(), new ControlHandler(node));
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

    /** Adds a peer to the data plane and routes its allowed IPs into the TUN device. */
    public void addPeer(Peer peer) throws IOException {
        device.addPeer(peer);
        for (IpPrefix p : peer.allowedIps()) {
            if (!certificate.address().network().contains(p)) {
                netlink.addRoute(interfaceIndex, p);
            }
        }
    }

    /** Removes a peer from the data plane, with the kernel routes {@link #addPeer} added for it. */
    public void removePeer(Peer peer) {
        device.removePeer(peer);
        for (IpPrefix p : peer.allowedIps()) {
            if (!certificate.address().network().contains(p)) {
                try {
                    netlink.deleteRoute(interfaceIndex, p);
                } catch (IOException e) {
                    log.debug("route {} was already gone: {}", p, e.getMessage());
                }
            }
        }
    }

    /** Our data-plane endpoints on this host: each up, non-loopback IPv4 address but the overlay's, at our port. */
    List<InetSocketAddress> localEndpoints() {
        List<InetSocketAddress> out = new ArrayList<>();
        try {
            int port = device.listenPort();
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback() || nic.getName().equals(config.interfaceName())) {
                    continue;
                }
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    if (a instanceof Inet4Address) {
                        out.add(new InetSocketAddress(a, port));
                    }
                }
            }
        } catch (IOException e) {
            log.debug("listing local addresses: {}", e.toString());
        }
        out.sort((a, b) -> a.toString().compareTo(b.toString()));
        return out;
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

    public Membership membership() {
        return membership;
    }

    public Device device() {
        return device;
    }

    public Certificate certificate() {
        return certificate;
    }

    public NodeConfig config() {
        return config;
    }

    /** Says goodbye and removes what the node installed; once (a failure and a signal may both ask). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (control != null) {
            control.close();
        }
        if (membership != null) {
            membership.close(failure == null); // says goodbye through the data plane, so before it stops
        }
        device.close();
        netlink.close();
        if (overlayFilter != null) {
            overlayFilter.close();
        }
        log.info("{} down: {} removed; dropped packets: {}", config.name(), config.interfaceName(),
                device.counters().snapshot());
    }
}
