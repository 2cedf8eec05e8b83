package dev.skein.simulations;

import dev.skein.node.membership.Membership;
import dev.skein.protocol.cert.Certificate;
import dev.skein.protocol.cert.CertificateVerifier;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * One simulated Skein node: its real certificate and keys, the real {@link Membership} (Atomix SWIM bound to
 * its overlay address on the simulation namespace's loopback device), and an in-memory data plane.
 */
final class SimNode {
    static final int GOSSIP_PORT = 7946;

    private final Certificate cert;
    private final byte[] signingKey;
    private final InetSocketAddress endpoint;
    private final SimPeers peers;
    private final CertificateVerifier verifier;
    private final List<InetSocketAddress> seeds;
    private final FaultyTransport transport;
    private volatile Membership membership;
    private volatile long startedNanos;

    SimNode(Certificate cert, byte[] signingKey, InetSocketAddress endpoint, CertificateVerifier verifier,
            List<InetSocketAddress> seeds, Fabric fabric) {
        this.cert = cert;
        this.signingKey = signingKey;
        this.endpoint = endpoint;
        this.verifier = verifier;
        this.seeds = seeds;
        this.peers = new SimPeers(this, fabric);
        this.transport = new FaultyTransport(fabric, cert.address().address());
    }

    String name() {
        return cert.name();
    }

    /** The overlay address its gossip binds to. */
    String address() {
        return cert.address().address();
    }

    /** Its (simulated) underlay endpoint: where join datagrams for it are addressed. */
    InetSocketAddress endpoint() {
        return endpoint;
    }

    SimPeers peers() {
        return peers;
    }

    boolean running() {
        return membership != null;
    }

    long startedNanos() {
        return startedNanos;
    }

    void start() throws IOException {
        peers.clear();
        startedNanos = System.nanoTime();
        membership = Membership.start(new Membership.Settings(cert, signingKey, verifier, GOSSIP_PORT, seeds,
                false, () -> List.of(endpoint), transport), peers);
    }

    /** A datagram from the fabric: a join, as the node's receive thread would hand it over. */
    void receive(byte[] datagram, InetSocketAddress from) {
        Membership m = membership;
        if (m != null) {
            m.onJoinDatagram(datagram, from, false);
        }
    }

    /** Stops membership (a goodbye if the network lets it out) and forgets the routes. */
    void stop() {
        Membership m = membership;
        if (m != null) {
            m.close(); // only then is the gossip port free for a restart
        }
        membership = null;
        peers.clear();
    }
}
