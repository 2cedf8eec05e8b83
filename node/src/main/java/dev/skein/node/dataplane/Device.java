package dev.skein.node.dataplane;

import dev.skein.node.config.Tuning;
import dev.skein.node.firewall.Firewall;
import dev.skein.node.offload.TcpSegmenter;
import dev.skein.node.offload.VirtioNetHeader;
import dev.skein.node.os.SodiumAead;
import dev.skein.node.io.TunDevice;
import dev.skein.node.io.UnderlaySocket;
import dev.skein.node.peer.IndexTable;
import dev.skein.node.peer.Keypair;
import dev.skein.node.peer.Peer;
import dev.skein.node.peer.Sessions;
import dev.skein.node.route.RouteTable;
import dev.skein.protocol.addr.IpPrefix;
import dev.skein.protocol.cookie.CookieChecker;
import dev.skein.protocol.noise.StaticIdentity;
import dev.skein.protocol.path.PathMessage;
import dev.skein.protocol.path.RelayHeader;
import dev.skein.protocol.transport.TransportAead;
import dev.skein.protocol.transport.TransportAeads;
import dev.skein.protocol.transport.TransportMessage;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data plane of one node: a TUN device, a UDP socket, the peers with their sessions, and the route table
 * from destination to peer. Three threads move packets, one pipeline per direction so both cores work:
 * {@link Send} (TUN to UDP), {@link Receive} (UDP to TUN) and {@link Timers} (handshake retries, keepalives,
 * rekeys, expiry, and the path probes of {@link Paths}). This class holds what they share.
 *
 * <p>Packets move in batches where the kernel allows it: the TUN device hands over TCP super-packets of up to
 * 64 KB, which {@link #sendSegmented} cuts, seals and sends with UDP GSO; {@link Receive} takes GRO batches
 * and merges segments back for one TUN write. The transport cipher is libsodium's where installed
 * ({@link #newAead}).
 *
 * <p>A member's packets go straight to its endpoint, or, when no direct path works (both ends behind NATs
 * that will not let a hole be punched), through a relay member behind a {@link RelayHeader}. Transport data goes
 * through {@link #seal}, other datagrams through {@link #sendDatagram}: both pick the way.
 */
public final class Device implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Device.class);
    static final int BUFFER_SIZE = 65536 + 64;

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
    final RouteTable<Peer> routes = new RouteTable<>();
    final Counters counters = new Counters();
    /** Between the peers and the TUN device, both ways: rules from the configuration, none by default. */
    final Firewall firewall = new Firewall();
    final LogLimiter logLimiter = new LogLimiter(10_000_000_000L);
    private final Map<ByteBuffer, Peer> peersByKey = new ConcurrentHashMap<>();
    private final Map<Long, Peer> peersById = new ConcurrentHashMap<>();
    private final KnownSources knownSources = new KnownSources();
    /** Our id in path and relay messages: the first 8 bytes of our static public key. */
    /** Our static key and its id (relay headers, path messages): replaced by {@link #rekey}. */
    volatile long ownId;
    volatile StaticIdentity identity;
    final Paths paths;
    /** `relay: true`: forward other members' datagrams between them. */
    private volatile boolean relayEnabled;
    private volatile ObservedListener observedListener = (endpoint, by) -> { };
    private final List<Thread> threads;
    private volatile boolean running = true;
    private final java.util.concurrent.atomic.AtomicBoolean failed = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile FailureListener failureListener = cause -> { };
    private volatile JoinListener joinListener = (datagram, from, relayed) -> counters.garbage.incrementAndGet();

    private volatile UnknownPeerListener unknownPeerListener = (key, from) -> {
        if (logLimiter.allow("unknown " + key + from.getAddress(), System.nanoTime())) {
            log.warn("handshake initiation from {} refused: key {} is not one of our peers", from, key);
        }
    };

    /** Hears of handshake initiations refused because their static key belongs to no peer. */
    @FunctionalInterface
    public interface UnknownPeerListener {
        /** Called on the receive thread: must be quick and must not throw. */
        void onUnknownPeer(String publicKeyBase64, InetSocketAddress from);
    }

    /**
     * Hears that the data plane cannot go on: a thread died, the TUN device disappeared, the UDP socket keeps
     * failing. Nothing here recovers from those, so the node should clean up and exit for its supervisor to
     * restart it.
     */
    @FunctionalInterface
    public interface FailureListener {
        /** Called once, on the failing data-plane thread: must be quick and must not call {@link #close()}. */
        void onFailure(String cause);
    }

    /** Receives join messages (type 5): membership's business, not the data plane's. */
    @FunctionalInterface
    public interface JoinListener {
        /**
         * Called on the receive thread: must be quick and must not throw. {@code relayed}: it came through a
         * relay, so {@code from} is the relay's address, not the sender's.
         */
        void onJoin(byte[] datagram, InetSocketAddress from, boolean relayed);
    }

    /** Hears our own public endpoint as a member saw it (the source address of our ping, in its pong). */
    @FunctionalInterface
    public interface ObservedListener {
        /** Called on the receive thread: must be quick and must not throw. */
        void onObserved(InetSocketAddress endpoint, String byMember);
    }

    /** Per-thread packet scratch: each thread seals with its own cipher into its own buffer. */
    static final class Scratch {
        final TransportAead aead = newAead();
        /** Sealed datagrams on their way out, each with its relay header when it goes through a relay. */
        final SendBatch batch;
        final ByteBuffer packet = ByteBuffer.allocateDirect(BUFFER_SIZE);
        final VirtioNetHeader header = new VirtioNetHeader();
        final TcpSegmenter segmenter = new TcpSegmenter();
        final Firewall.Probe probe = new Firewall.Probe();

        Scratch(Device device) {
            batch = new SendBatch(device::sendSegments, ByteBuffer.allocateDirect(BUFFER_SIZE + RelayHeader.SIZE));
        }
    }

    /**
     * The transport cipher for one thread: libsodium's where it is installed (twice as fast as the best pure-Java
     * one here), else the pure-Java default; {@code -Dskein.aead=sodium|split|jdk|bouncycastle} forces one.
     */
    static TransportAead newAead() {
        String forced = System.getProperty(TransportAeads.PROPERTY);
        if ("sodium".equals(forced) || forced == null && SodiumAead.available()) {
            return new SodiumAead();
        }
        return TransportAeads.create();
    }

    /** The transport cipher's name, with how libsodium is called when it is libsodium's. */
    static String cipherName() {
        String name = newAead().name();
        return name.equals("sodium") ? name + " (" + SodiumAead.binding() + ")" : name;
    }

    /**
     * A data plane over {@code tun} and {@code udp} (the kernel's TUN device and UDP socket, or doubles in memory);
     * it closes both on {@link #close()}. The socket's offloads should match the device's (see os.UdpSocket#open).
     */
    public Device(TunDevice tun, UnderlaySocket udp, int mtu, StaticIdentity identity, Tuning tuning) {
        this.tun = tun;
        this.mtu = mtu;
        tuning(tuning);
        this.identity = identity;
        this.ownId = PathMessage.keyId(identity.publicKey());
        SecureRandom random = new SecureRandom();
        this.indices = new IndexTable(random);
        this.sessions = new Sessions(identity, indices, random);
        this.cookieChecker = new CookieChecker(identity, random);
        this.udp = udp;
        this.paths = new Paths(this, random);
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

    public void failureListener(FailureListener listener) {
        this.failureListener = listener;
    }

    /** The data plane cannot go on: says why, once, and tells the listener. Ignored once closing. */
    void fail(String cause) {
        if (running && failed.compareAndSet(false, true)) {
            log.error("data plane stopped: {}", cause);
            failureListener.onFailure(cause);
        }
    }

    public void joinListener(JoinListener listener) {
        this.joinListener = listener;
    }

    public void observedListener(ObservedListener listener) {
        this.observedListener = listener;
    }

    ObservedListener observedListener() {
        return observedListener;
    }

    /** With {@code true}, this node forwards relay messages between other members (`relay: true`). */
    public void relayEnabled(boolean enabled) {
        this.relayEnabled = enabled;
    }

    boolean relayEnabled() {
        return relayEnabled;
    }

    public void unknownPeerListener(UnknownPeerListener listener) {
        this.unknownPeerListener = listener;
    }

    UnknownPeerListener unknownPeerListener() {
        return unknownPeerListener;
    }

    /** Starts a handshake with the peer now unless one is under way (membership: a member just became known). */
    public void startHandshake(Peer peer) {
        initiate(peer, System.nanoTime());
    }

    JoinListener joinListener() {
        return joinListener;
    }

    /**
     * Sends one datagram from the data-plane socket (join messages use it); false if it could not be sent. The
     * address becomes a known source of join messages (a seed's reply comes from where we sent the request).
     */
    public boolean sendDatagram(byte[] datagram, InetSocketAddress to) {
        knownSources.contacted(to.getAddress(), System.nanoTime());
        return send(ByteBuffer.wrap(datagram), to);
    }

    /**
     * True if {@code address} is where a peer's packets come from or may come from (its endpoint or a candidate),
     * or one we sent a join message to lately: its join messages get a member's budget, not a stranger's.
     */
    boolean knownSource(java.net.InetAddress address) {
        return knownSources.contains(address, peersByKey.values(), System.nanoTime());
    }

    /** Sends one datagram to a peer the way its packets go now: straight, or through its relay. */
    public boolean sendDatagram(byte[] datagram, Peer peer) {
        Peer via = peer.relay();
        if (via != null) {
            return send(ByteBuffer.wrap(RelayHeader.wrap(datagram, peer.keyId(), ownId)), via.endpoint());
        }
        return send(ByteBuffer.wrap(datagram), peer.endpoint());
    }

    /** The peer whose static key starts with {@code id}, or null. */
    Peer peerById(long id) {
        return peersById.get(id);
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
                + "; cipher " + cipherName();
    }

    /** Adds a peer and routes its allowed IPs to it. */
    public void addPeer(Peer peer) {
        peersByKey.put(ByteBuffer.wrap(peer.publicKey()), peer);
        peersById.put(peer.keyId(), peer);
        for (IpPrefix p : peer.allowedIps()) {
            routes.put(p, peer);
        }
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
        peersByKey.remove(ByteBuffer.wrap(peer.publicKey()));
        peersById.remove(peer.keyId(), peer);
        for (Peer other : peersByKey.values()) {
            if (other.relay() == peer) {
                other.relay(null); // its relay is gone: the path probes find another way
            }
        }
        routes.removeAll(peer);
        sessions.forget(peer);
    }

    /** Drops every session with the peer (it restarted): the next packet starts a new handshake. */
    public void resetSessions(Peer peer) {
        sessions.forget(peer);
    }

    public Peer peer(byte[] publicKey) {
        return peersByKey.get(ByteBuffer.wrap(publicKey));
    }

    public Collection<Peer> peers() {
        return peersByKey.values();
    }

    public Counters counters() {
        return counters;
    }

    /** The firewall: set its rules and scope before {@link #start()}, so that no packet passes unjudged. */
    public Firewall firewall() {
        return firewall;
    }

    public RouteTable<Peer> routes() {
        return routes;
    }

    // ---- sending, shared by the three threads

    /** Seals and sends one packet (its remaining bytes) to {@code peer}, or stages it and starts a handshake. */
    void sendPacket(Peer peer, ByteBuffer packet, Scratch scratch) {
        enqueue(peer, packet, scratch);
        scratch.batch.flush();
    }

    /**
     * Seals one packet (its remaining bytes) for {@code peer} into the thread's {@link SendBatch}, which sends
     * it with the datagrams before and after it for the same destination; or stages it and starts a handshake
     * when there is no usable session. The caller flushes the batch.
     */
    void enqueue(Peer peer, ByteBuffer packet, Scratch scratch) {
        long now = System.nanoTime();
        Keypair kp = usableKeypair(peer, now);
        if (kp == null) {
            if (packet.hasRemaining()) {
                peer.stage(packet);
            }
            initiate(peer, now);
            return;
        }
        long counter = seal(peer, kp, packet, scratch, now);
        rekeyIfDue(peer, kp, counter, now);
    }

    /** The peer's current keypair if it may still send, else null. */
    private Keypair usableKeypair(Peer peer, long now) {
        Keypair kp = peer.current();
        return kp != null && kp.ageNanos(now) < tuning.rejectAfterTime().toNanos() ? kp : null;
    }

    /**
     * Pads and seals {@code packet} into the batch as one datagram for {@code peer} (behind a relay header if it
     * goes through a relay). Returns the counter used, or -1 when the keypair is used up (nothing sealed).
     */
    private long seal(Peer peer, Keypair kp, ByteBuffer packet, Scratch scratch, long now) {
        Peer via = peer.relay();
        InetSocketAddress to = via == null ? peer.endpoint() : via.endpoint();
        if (to == null) {
            return 0; // nowhere to send it; as a failed send, the timers will find a path
        }
        long counter = kp.nextCounter();
        if (counter < 0) {
            return -1;
        }
        int length = packet.remaining();
        TransportMessage.pad(packet, mtu);
        int prefix = via == null ? 0 : RelayHeader.SIZE;
        int datagram = prefix + TransportMessage.HEADER_SIZE + packet.remaining() + TransportAead.TAG_SIZE;
        SendBatch batch = scratch.batch;
        int at = batch.start(to, datagram);
        if (prefix > 0) {
            RelayHeader.write(batch.buffer, at, peer.keyId(), ownId);
        }
        batch.buffer.position(at + prefix);
        TransportMessage.seal(scratch.aead, kp.sendKey(), kp.remoteIndex(), counter, packet, batch.buffer);
        batch.add(datagram);
        peer.recordSent(length, now);
        return counter;
    }

    /** The initiator of a session starts the next one when it is old or has sent many messages. */
    private void rekeyIfDue(Peer peer, Keypair kp, long counter, long now) {
        if (counter < 0 || kp.initiator() && (kp.ageNanos(now) > tuning.rekeyAfterTime().toNanos()
                || Long.compareUnsigned(counter, tuning.rekeyAfterMessages()) > 0)) {
            initiate(peer, now);
        }
    }

    /**
     * Sends a TCP super-packet from the TUN device (TSO): cuts it into segments and seals each into the thread's
     * {@link SendBatch}, so that they leave in one or two UDP GSO sends. Without a usable session the segments
     * are staged one by one, as {@link #enqueue} would. The caller flushes the batch.
     */
    void sendSegmented(Peer peer, ByteBuffer superPacket, VirtioNetHeader header, Scratch scratch) {
        int count = scratch.segmenter.begin(superPacket, header);
        if (count < 0) {
            counters.garbage.incrementAndGet();
            return;
        }
        long now = System.nanoTime();
        Keypair kp = usableKeypair(peer, now);
        long counter = 0;
        for (int i = 0; i < count; i++) {
            ByteBuffer packet = scratch.packet.clear();
            scratch.segmenter.segment(i, packet);
            packet.flip();
            if (kp == null) {
                peer.stage(packet);
                continue;
            }
            counter = seal(peer, kp, packet, scratch, now);
            if (counter < 0) {
                break; // the session is used up: the rekey below starts the next one
            }
        }
        if (kp == null) {
            initiate(peer, now);
            return;
        }
        rekeyIfDue(peer, kp, counter, now);
    }

    /** Sends datagrams laid end to end, cut every {@code segmentSize} bytes (0: one datagram). */
    void sendSegments(ByteBuffer datagrams, int segmentSize, InetSocketAddress to) {
        try {
            udp.sendSegments(datagrams, segmentSize, to);
        } catch (IOException e) {
            // An ICMP error from an earlier send, or a full buffer: the timers retry what matters.
            if (logLimiter.allow("send " + to.getAddress(), System.nanoTime())) {
                log.warn("cannot send to {}: {}", to, e.toString());
            }
        }
    }

    /** An empty transport message: proves we are alive and keeps NAT mappings open. */
    void sendKeepalive(Peer peer, Scratch scratch) {
        if (peer.current() != null) {
            scratch.packet.clear().flip();
            sendPacket(peer, scratch.packet, scratch);
        }
    }

    /** Sends the packets staged while the session was being set up; true if any were sent. */
    boolean flushStaged(Peer peer, Scratch scratch) {
        boolean any = false;
        for (byte[] p; peer.current() != null && (p = peer.unstage()) != null; ) {
            scratch.packet.clear();
            scratch.packet.put(p).flip();
            sendPacket(peer, scratch.packet, scratch);
            any = true;
        }
        return any;
    }

    /** Sends a handshake initiation unless one went out less than Rekey-Timeout ago. */
    void initiate(Peer peer, long now) {
        if (peer.endpoint() == null && peer.relay() == null) {
            return; // nowhere to send it: wait for the peer to reach us
        }
        byte[] msg = sessions.createInitiation(peer, now, tuning.rekeyTimeout().toNanos());
        if (msg != null) {
            sendDatagram(msg, peer);
            log.debug("handshake initiation to {} at {} ({})", peer.name(), peer.endpoint(), peer.path());
        }
    }

    boolean send(ByteBuffer datagram, InetSocketAddress to) {
        return send(datagram, to, false);
    }

    /**
     * Sends one datagram; false if it could not be sent. {@code probe}: a path probe to a candidate endpoint,
     * which is often unreachable from here (another site's LAN address): a failure is expected, not a warning.
     */
    boolean send(ByteBuffer datagram, InetSocketAddress to, boolean probe) {
        if (to == null) {
            return false;
        }
        try {
            udp.send(datagram, to);
            return true;
        } catch (IOException e) {
            // An ICMP error from an earlier send, or a full buffer: the timers retry what matters.
            if (probe) {
                log.debug("probe to {} not sent: {}", to, e.toString());
            } else if (logLimiter.allow("send " + to.getAddress(), System.nanoTime())) {
                log.warn("cannot send to {}: {}", to, e.toString());
            }
            return false;
        }
    }

    @Override
    public void close() {
        running = false;
        udp.close();
        tun.close();
        for (Thread t : threads) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
