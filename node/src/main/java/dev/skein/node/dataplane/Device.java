package dev.skein.node.dataplane;

import dev.skein.node.Constants;
import dev.skein.node.config.Tuning;
import dev.skein.node.firewall.Firewall;
import dev.skein.node.io.TunDevice;
import dev.skein.node.io.UnderlaySocket;
import dev.skein.node.peer.IndexTable;
import dev.skein.node.peer.Peer;
import dev.skein.node.peer.Sessions;
import dev.skein.node.route.RouteTable;
import dev.skein.protocol.cookie.CookieChecker;
import dev.skein.protocol.noise.StaticIdentity;
import dev.skein.protocol.path.PathMessage;
import dev.skein.protocol.path.RelayHeader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data plane of one node: a TUN device, a UDP socket, the peers with their sessions ({@link PeerTable}), and
 * three threads that move packets, one pipeline per direction so both cores work: {@link Send} (TUN to UDP),
 * {@link Receive} (UDP to TUN) and {@link Timers} (handshake retries, keepalives, rekeys, expiry, and the path
 * probes of {@link Paths}). What leaves for the underlay goes through {@link Outbound}; what the rest of the node
 * must hear goes to the {@link Events} given at construction. This class holds what they share and the node's
 * handle on it all.
 *
 * <p>Packets move in batches where the kernel allows it: the TUN device hands over TCP super-packets of up to
 * 64 KB, which {@link Outbound#sendSegmented} cuts, seals and sends with UDP GSO; {@link Receive} takes GRO
 * batches and merges segments back for one TUN write. The transport cipher is the fastest the machine has
 * ({@link Ciphers}); on machines with cores to spare, each direction seals or opens a batch on several lanes at
 * once ({@link CipherWorkers}, {@link SegmentSeals}, {@link DatagramOpens}).
 *
 * <p>A member's packets go straight to its endpoint, or, when no direct path works (both ends behind NATs
 * that will not let a hole be punched), through a relay member behind a {@link RelayHeader}.
 */
public final class Device implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Device.class);

    final TunDevice tun;
    final UnderlaySocket udp;
    final int mtu;
    /** The protocol's timers; a reload may replace them ({@link #tuning(Tuning)}). */
    volatile Tuning tuning;
    /** From {@link #tuning}, in the form the receive path checks on every packet. */
    volatile long rejectAfterNanos;
    volatile long rekeyOnReceiveNanos;
    final Sessions sessions;
    final IndexTable indices;
    final CookieChecker cookieChecker;
    final PeerTable peers = new PeerTable();
    final Counters counters = new Counters();
    /** Between the peers and the TUN device, both ways: rules from the configuration, none by default. */
    final Firewall firewall = new Firewall();
    final LogLimiter logLimiter = new LogLimiter(Constants.LOG_REPEAT_INTERVAL.toNanos());
    private final KnownSources knownSources = new KnownSources();
    /** Our static key and its id (relay headers, path messages): replaced by {@link #rekey}. */
    volatile long ownId;
    volatile StaticIdentity identity;
    final Paths paths;
    final PathMtu pathMtu = new PathMtu(this);
    final Outbound outbound = new Outbound(this);
    final Events events;
    /** `relay: true`: forward other members' datagrams between them. */
    private volatile boolean relayEnabled;
    /** Seal the segments of the send thread's super-packets, and open the receive thread's batches. */
    final CipherWorkers sealWorkers;
    final CipherWorkers openWorkers;
    private final List<Thread> threads;
    private volatile boolean running = true;
    private final AtomicBoolean failed = new AtomicBoolean();

    /**
     * A data plane over {@code tun} and {@code udp} (the kernel's TUN device and UDP socket, or doubles in memory);
     * it closes both on {@link #close()}. The socket's offloads should match the device's (see os.UdpSocket#open).
     * {@code events} hears from the first datagram on.
     */
    public Device(TunDevice tun, UnderlaySocket udp, int mtu, StaticIdentity identity, Tuning tuning, Events events) {
        this.tun = tun;
        this.udp = udp;
        this.mtu = mtu;
        this.events = events;
        tuning(tuning);
        this.identity = identity;
        this.ownId = PathMessage.keyId(identity.publicKey());
        SecureRandom random = new SecureRandom();
        this.indices = new IndexTable(random);
        this.sessions = new Sessions(identity, indices, random);
        this.cookieChecker = new CookieChecker(identity, random);
        this.paths = new Paths(this, random);
        int workers = Constants.cipherWorkers();
        sealWorkers = new CipherWorkers(workers, "skein-seal");
        openWorkers = new CipherWorkers(workers, "skein-open");
        threads = List.of(new Thread(new Send(this), "skein-send"), new Thread(new Receive(this), "skein-receive"),
                new Thread(new Timers(this), "skein-timers"));
    }

    public void start() {
        threads.forEach(t -> {
            t.setDaemon(true);
            // Only an Error gets this far (each loop catches what one packet can cause): the thread is gone.
            t.setUncaughtExceptionHandler((thread, e) -> fail(thread.getName() + " died: " + e));
            t.start();
        });
    }

    /** The data plane cannot go on: says why, once, and tells the node. Ignored once closing. */
    void fail(String cause) {
        if (running && failed.compareAndSet(false, true)) {
            log.error("data plane stopped: {}", cause);
            events.onFailure(cause);
        }
    }

    /** With {@code true}, this node forwards relay messages between other members (`relay: true`). */
    public void relayEnabled(boolean enabled) {
        this.relayEnabled = enabled;
    }

    boolean relayEnabled() {
        return relayEnabled;
    }

    /** Starts a handshake with the peer now unless one is under way (membership: a member just became known). */
    public void startHandshake(Peer peer) {
        outbound.initiate(peer, System.nanoTime());
    }

    /**
     * Sends one datagram from the data-plane socket (join messages use it); false if it could not be sent. The
     * address becomes a known source of join messages (a seed's reply comes from where we sent the request).
     */
    public boolean sendDatagram(byte[] datagram, InetSocketAddress to) {
        knownSources.contacted(to.getAddress(), System.nanoTime());
        return outbound.send(ByteBuffer.wrap(datagram), to, false);
    }

    /** Sends one datagram to a peer the way its packets go now: straight, or through its relay. */
    public boolean sendDatagram(byte[] datagram, Peer peer) {
        return outbound.datagram(datagram, peer);
    }

    /**
     * True if {@code address} is where a peer's packets come from or may come from (its endpoint or a candidate),
     * or one we sent a join message to lately: its join messages get a member's budget, not a stranger's.
     */
    boolean knownSource(java.net.InetAddress address) {
        return knownSources.contains(address, peers.all(), System.nanoTime());
    }

    boolean running() {
        return running;
    }

    public int listenPort() {
        return udp.localPort();
    }

    /**
     * A key rotation: handshakes, MAC1 checks, cookie replies, path probes and relay headers use {@code fresh}
     * from now on. Sessions made under the old key carry traffic until the members, told of the new certificate,
     * replace them with handshakes to the new key.
     */
    public void rekey(StaticIdentity fresh) {
        identity = fresh;
        ownId = PathMessage.keyId(fresh.publicKey());
        cookieChecker.rekey(fresh);
        sessions.rekey(fresh, peers());
        for (Peer p : peers()) {
            if (p.reach() != null) {
                p.reach().pathKey(PathMessage.pathKey(fresh, p.publicKey()));
            }
        }
    }

    /** New timers (a reload): handshakes, rekeys and keepalives follow them from the next packet and tick. */
    public void tuning(Tuning fresh) {
        rejectAfterNanos = fresh.rejectAfterTime().toNanos();
        rekeyOnReceiveNanos = fresh.rejectAfterTime().minus(fresh.keepaliveTimeout()).minus(fresh.rekeyTimeout())
                .toNanos();
        tuning = fresh;
    }

    /** Marks the data plane's underlay datagrams with {@code mark}, for policy routing (see os.ExitRouting). */
    public void markUnderlay(int mark) throws IOException {
        udp.mark(mark);
    }

    /** What the data plane batches and which cipher it uses: for the log line at start and for tests. */
    public String offloads() {
        return "TUN " + (tun.segmentationOffload() ? "TSO" : tun.vnetHeader() ? "checksum only" : "off")
                + ", UDP " + (udp.segmentationOffload() ? "GSO" : "no GSO") + (udp.receiveOffload() ? "/GRO" : "")
                + "; cipher " + Ciphers.name() + ", " + sealWorkers.workers() + " per direction";
    }

    /**
     * True if received TCP packets reach the kernel with their checksum left for it to finish (the TUN device takes
     * virtio headers), so the checksums senders write are never read: our member record may say so.
     */
    public boolean tcpChecksumOptional() {
        return tun.vnetHeader();
    }

    /** Adds a peer and routes its allowed IPs to it. */
    public void addPeer(Peer peer) {
        peers.add(peer);
    }

    public StaticIdentity identity() {
        return identity;
    }

    /** A member was just added or its candidates changed: choose how to reach it before its first handshake. */
    public void placePath(Peer peer) {
        paths.place(peer, System.nanoTime());
    }

    /** A member's candidate endpoints changed: probe them at once rather than at the next round. */
    public void candidatesChanged(Peer peer) {
        paths.candidatesChanged(peer, System.nanoTime());
    }

    /** Removes a peer, its routes and its sessions. */
    public void removePeer(Peer peer) {
        peers.remove(peer);
        sessions.forget(peer);
    }

    /** Drops every session with the peer (it restarted): the next packet starts a new handshake. */
    public void resetSessions(Peer peer) {
        sessions.forget(peer);
    }

    public Peer peer(byte[] publicKey) {
        return peers.byKey(publicKey);
    }

    /** The peer whose static key starts with {@code id}, or null. */
    Peer peerById(long id) {
        return peers.byId(id);
    }

    public Collection<Peer> peers() {
        return peers.all();
    }

    public Counters counters() {
        return counters;
    }

    public RouteTable<Peer> routes() {
        return peers.routes;
    }

    /** The firewall: set its rules and scope before {@link #start()}, so that no packet passes unjudged. */
    /**
     * Every drop by reason, as `skein status` and the metrics name them: the data plane's counters (relaying,
     * which is no drop, left out) and the firewall's.
     */
    public java.util.Map<String, Long> drops() {
        java.util.Map<String, Long> m = counters.snapshot();
        m.keySet().removeIf(reason -> reason.startsWith("relayed-"));
        m.put("firewall-inbound", firewall.inboundDropped());
        m.put("firewall-outbound", firewall.outboundDropped());
        return m;
    }

    public Firewall firewall() {
        return firewall;
    }

    @Override
    public void close() {
        running = false;
        paths.close();
        udp.close();
        tun.close();
        for (Thread t : threads) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        sealWorkers.close();
        openWorkers.close();
    }
}
