package dev.skein.simulations;

import dev.skein.node.membership.Membership;
import dev.skein.node.membership.Pace;
import dev.skein.protocol.cert.Certificate;
import dev.skein.protocol.cert.CertificateVerifier;
import dev.skein.protocol.crypto.Curve25519;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * One simulated Skein node: its real certificate and keys, the real {@link Membership} (Atomix SWIM bound to
 * its overlay address on the simulation namespace's loopback device, or on the {@link MemoryNetwork}), and an
 * in-memory data plane.
 */
final class SimNode {
    static final int GOSSIP_PORT = 7946;

    private final Certificate cert;
    /** The certificate's overlay address as text, asked for on every route check: made once. */
    private final String address;
    private final byte[] signingKey;
    private final InetSocketAddress endpoint;
    private final SimPeers peers;
    private final CertificateVerifier verifier;
    private final List<InetSocketAddress> seeds;
    private final FaultyTransport transport;
    private final Pace pace;
    private volatile Membership membership;
    private volatile long startedNanos;
    private int runs;
    /** Over loopback, each run takes the next gossip port; in memory, every run the same one (see {@link #start}). */
    private final boolean newPortEachRun;

    SimNode(Certificate cert, byte[] signingKey, InetSocketAddress endpoint, CertificateVerifier verifier,
            List<InetSocketAddress> seeds, Fabric fabric, MemoryNetwork network, Pace pace) {
        this.pace = pace;
        this.cert = cert;
        this.signingKey = signingKey;
        this.endpoint = endpoint;
        this.verifier = verifier;
        this.seeds = seeds;
        this.peers = new SimPeers(this, fabric);
        this.address = cert.address().address();
        this.transport = new FaultyTransport(fabric, network, address);
        this.newPortEachRun = network == null;
    }

    String name() {
        return cert.name();
    }

    /** The overlay address its gossip binds to. */
    String address() {
        return address;
    }

    /** Its (simulated) underlay endpoint: where join datagrams for it are addressed. */
    InetSocketAddress endpoint() {
        return endpoint;
    }

    FaultyTransport transport() {
        return transport;
    }

    SimPeers peers() {
        return peers;
    }

    Pace pace() {
        return pace;
    }

    /**
     * A handshake initiation from {@code from}, which holds a peer for us while we hold none for it: as a real
     * node's receive thread does, membership is told if it is a member we removed whose record says it runs
     * (the initiation itself, honest here, would authenticate).
     */
    void initiationFrom(SimNode from) {
        Membership m = membership;
        if (m != null) {
            String key = Curve25519.encodeBase64(from.cert.x25519PublicKey());
            if (m.formerPeer(key)) {
                m.onFormerPeerAlive(key, from.endpoint());
            }
        }
    }

    boolean running() {
        return membership != null;
    }

    long startedNanos() {
        return startedNanos;
    }

    /**
     * Starts membership. In memory, a restarted node takes the same gossip port, as a real node restarting on its
     * overlay address does (the previous run has closed: {@link Cluster#restart} waits for it). Over loopback, each
     * run takes the next port (its record says which): in one process, the previous run's sockets may still be
     * closing, which a real node, restarting as a new process, never meets; should the port still be busy, it
     * retries for up to 10 s. A new port is a member that moved, which SWIM handles worse than a restart (a member
     * that still holds the old run keeps its address: see docs/SIMULATIONS.md).
     */
    void start() throws IOException {
        peers.clear();
        int port = newPortEachRun ? GOSSIP_PORT + runs++ % 50 : GOSSIP_PORT;
        for (int attempt = 1; ; attempt++) {
            startedNanos = System.nanoTime();
            try {
                membership = Membership.start(new Membership.Settings(cert, signingKey, verifier, port, seeds,
                        false, () -> List.of(endpoint), transport, pace, false), peers);
                return;
            } catch (IOException e) {
                if (attempt >= 40 || !String.valueOf(e.getMessage()).contains("Address already in use")) {
                    throw e;
                }
                try {
                    Thread.sleep(250);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** A datagram from the fabric: a join, as the node's receive thread would hand it over. */
    void receive(byte[] datagram, InetSocketAddress from) {
        Membership m = membership;
        if (m != null) {
            m.onJoinDatagram(datagram, from, false);
        }
    }

    /** The node's latest refusals (records, joins it did not take), for the log of a slow convergence. */
    List<String> refusals() {
        Membership m = membership;
        List<String> all = m == null ? List.of() : m.snapshot().refusals();
        return all.subList(Math.max(0, all.size() - 3), all.size());
    }

    /** {@code member} saw our packets come from {@code endpoint} (a pong, as the data plane hands it over). */
    void observedBy(InetSocketAddress endpoint, String member) {
        Membership m = membership;
        if (m != null) {
            m.onObserved(endpoint, member);
        }
    }

    /** Our public endpoints as `skein status` shows them now. */
    List<InetSocketAddress> shownPublic() {
        Membership m = membership;
        return m == null ? List.of() : m.snapshot().observed();
    }

    /** Stops membership (a goodbye if the network lets it out) and forgets the routes. */
    void stop() {
        stop(true);
    }

    /**
     * Stops membership as a killed process stops: no goodbye (the fabric would drop it anyway), so the stop takes
     * no time waiting for answers that cannot come.
     */
    void kill() {
        stop(false);
    }

    private void stop(boolean sayGoodbye) {
        Membership m = membership;
        if (m != null) {
            m.close(sayGoodbye); // only then is the gossip port free for a restart
        }
        membership = null;
        peers.clear();
    }
}
