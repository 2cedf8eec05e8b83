package dev.skein.node.peer;

import dev.skein.node.Constants;
import dev.skein.node.firewall.PeerIdentity;
import dev.skein.protocol.addr.IpPrefix;
import dev.skein.protocol.cookie.CookieGenerator;
import dev.skein.protocol.crypto.Curve25519;
import dev.skein.protocol.path.PathMessage;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Everything a node keeps about one peer, grouped as in wireguard-go's peer.go: identity, endpoint, handshake
 * state, keypairs, staged packets, and counters. The data plane does not care whether the peer came from the
 * configuration (plain WireGuard) or from membership (Skein).
 *
 * <p>Concurrency: the handshake state and the keypairs each change under their own monitor ({@link HandshakeState},
 * {@link Keypairs}); the packet paths read the current keypair without locking.
 */
public final class Peer {
    // identity
    private final String name;
    private final byte[] publicKey;
    /** The first 8 bytes of the static key: how path and relay messages name the peer. */
    private final long keyId;
    private final byte[] presharedKey;
    private final List<IpPrefix> allowedIps;
    private final int persistentKeepaliveSeconds;
    final CookieGenerator cookies;

    // endpoint: where we send; moves to the source of any authenticated packet (roaming)
    private volatile InetSocketAddress endpoint;
    // members only: candidates and probes (null for a plain WireGuard peer)
    private final Reach reach;
    // non-null while packets for this peer go through that relay member instead of to the endpoint
    private volatile Peer relay;
    private volatile int tunnelMtu;
    /** When the path's MTU was last asked for (the timers, or the send path after a refused send). */
    private volatile long mtuCheckedNanos = dev.skein.node.Constants.NEVER;
    // what its certificate proves, for the firewall; membership replaces it with each new certificate
    private volatile PeerIdentity identity = PeerIdentity.UNCERTIFIED;
    // a member whose record says it reads no TCP checksum: the sender leaves them out (never a WireGuard peer)
    private volatile boolean tcpChecksumOptional;

    // the handshake in progress and the keypairs it made, each with its own lock
    final HandshakeState handshake = new HandshakeState();
    final Keypairs keypairs = new Keypairs();

    // packets waiting for a session (guarded by staged); stagedCount is its size, for the send path's look
    private final ArrayDeque<byte[]> staged = new ArrayDeque<>();
    private volatile int stagedCount;
    // held by the one thread sending the staged packets (see stagedFlush)
    private final Object stagedFlush = new Object();

    // counters and times, for timers and `skein peers`
    final AtomicLong rxBytes = new AtomicLong();
    final AtomicLong txBytes = new AtomicLong();
    volatile long lastSentNanos;
    volatile long lastReceivedNanos;
    /** Any authenticated message from it, on any path: transport data, keepalives, path probes and answers. */
    volatile long lastHeardNanos;
    volatile long lastDataSentNanos;
    volatile long lastDataReceivedNanos;
    /** The last round trip measured: a handshake we initiated, or a `skein ping`; -1 if none. */
    volatile long rttNanos = -1;

    public Peer(String name, byte[] publicKey, byte[] presharedKey, InetSocketAddress endpoint,
                List<IpPrefix> allowedIps, int persistentKeepaliveSeconds) {
        this(name, publicKey, presharedKey, endpoint, allowedIps, persistentKeepaliveSeconds, null);
    }

    /** A member: {@code reach} holds its candidate endpoints and the key for path probes. */
    public Peer(String name, byte[] publicKey, byte[] presharedKey, InetSocketAddress endpoint,
                List<IpPrefix> allowedIps, int persistentKeepaliveSeconds, Reach reach) {
        this.reach = reach;
        this.name = name;
        this.publicKey = publicKey.clone();
        this.keyId = PathMessage.keyId(publicKey);
        this.presharedKey = presharedKey.clone();
        this.endpoint = endpoint;
        this.allowedIps = List.copyOf(allowedIps);
        this.persistentKeepaliveSeconds = persistentKeepaliveSeconds;
        this.cookies = new CookieGenerator(publicKey);
    }

    public String name() {
        return name;
    }

    public byte[] publicKey() {
        return publicKey.clone();
    }

    byte[] presharedKey() {
        return presharedKey;
    }

    public long keyId() {
        return keyId;
    }

    public String publicKeyBase64() {
        return Curve25519.encodeBase64(publicKey);
    }

    public List<IpPrefix> allowedIps() {
        return allowedIps;
    }

    public int persistentKeepaliveSeconds() {
        return persistentKeepaliveSeconds;
    }

    public InetSocketAddress endpoint() {
        return endpoint;
    }

    /** The largest overlay packet whose sealed datagram fits the path to this peer (0: not known yet). */
    public int tunnelMtu() {
        return tunnelMtu;
    }

    /** Set by the timers from the underlay's path MTU ({@code dataplane.PathMtu}). */
    public void tunnelMtu(int bytes) {
        this.tunnelMtu = bytes;
    }

    /**
     * True if the peer hands every TCP packet it receives to its kernel to checksum (its member record says so),
     * so our sender may leave TCP checksums out. False for WireGuard peers, whose kernels read them.
     */
    public boolean tcpChecksumOptional() {
        return tcpChecksumOptional;
    }

    /** Set by membership from the peer's record. */
    public void tcpChecksumOptional(boolean optional) {
        this.tcpChecksumOptional = optional;
    }

    /** True (and the time kept) if the path's MTU was last asked for {@code interval} nanos ago or longer. */
    public boolean mtuCheckDue(long now, long interval) {
        if (now - mtuCheckedNanos < interval) {
            return false;
        }
        mtuCheckedNanos = now;
        return true;
    }

    public void endpoint(InetSocketAddress endpoint) {
        this.endpoint = endpoint;
    }

    /** Adds the underlay addresses this peer's packets come from or go to: its endpoint and its candidates. */
    public void addUnderlayAddresses(java.util.Collection<java.net.InetAddress> out) {
        InetSocketAddress e = endpoint;
        if (e != null) {
            out.add(e.getAddress());
        }
        if (reach != null) {
            reach.candidates().forEach(c -> out.add(c.getAddress()));
        }
    }

    /** Path probing state, or null for a plain WireGuard peer. */
    public Reach reach() {
        return reach;
    }

    /** The relay member our packets for this peer go through, or null when they go straight to the endpoint. */
    public Peer relay() {
        return relay;
    }

    /** What the firewall judges this peer's packets by: its certificate's name and groups, if it is a member. */
    public PeerIdentity identity() {
        return identity;
    }

    public void identity(PeerIdentity fresh) {
        identity = fresh;
    }

    public void relay(Peer via) {
        this.relay = via;
    }

    /** "direct" or "relay:NAME", as `skein peers` and `skein ping` say it. */
    public String path() {
        Peer via = relay;
        return via == null ? "direct" : "relay:" + via.name();
    }

    public Keypair current() {
        return keypairs.current;
    }

    public long rxBytes() {
        return rxBytes.get();
    }

    public long txBytes() {
        return txBytes.get();
    }

    /** Wall-clock millis of the last completed handshake, 0 if none. */
    public long lastHandshakeMillis() {
        return keypairs.lastHandshakeMillis;
    }

    /** After sending a transport message carrying {@code bytes} of packet (0: keepalive). */
    public void recordSent(int bytes, long nowNanos) {
        lastSentNanos = nowNanos;
        if (bytes > 0) {
            txBytes.addAndGet(bytes);
            lastDataSentNanos = nowNanos;
        }
    }

    /** After receiving an authenticated transport message carrying {@code bytes} of packet (0: keepalive). */
    public void recordReceived(int bytes, long nowNanos) {
        lastReceivedNanos = nowNanos;
        lastHeardNanos = nowNanos;
        if (bytes > 0) {
            rxBytes.addAndGet(bytes);
            lastDataReceivedNanos = nowNanos;
        }
    }

    public long rttNanos() {
        return rttNanos;
    }

    public void recordRtt(long nanos) {
        rttNanos = nanos;
    }

    public long lastSentNanos() {
        return lastSentNanos;
    }

    public long lastReceivedNanos() {
        return lastReceivedNanos;
    }

    /**
     * After an authenticated, fresh path message from it (a ping or a pong, straight or through a relay) or
     * handshake message (a response, or an initiation newer than the last).
     */
    public void recordHeard(long nowNanos) {
        lastHeardNanos = nowNanos;
    }

    /** When anything authenticated last came from it, on any path (0: never): what membership's liveness reads. */
    public long lastHeardNanos() {
        return lastHeardNanos;
    }

    public long lastDataSentNanos() {
        return lastDataSentNanos;
    }

    public long lastDataReceivedNanos() {
        return lastDataReceivedNanos;
    }

    /** Takes the cookie from a cookie reply to our last handshake message; false if it does not open. */
    public boolean consumeCookieReply(byte[] reply, long nowNanos) {
        return cookies.consumeReply(reply, 0, reply.length, nowNanos);
    }

    /** Holds a copy of a packet until a session exists; drops the oldest beyond {@link Constants#MAX_STAGED_PACKETS}. */
    public void stage(ByteBuffer packet) {
        byte[] copy = new byte[packet.remaining()];
        packet.duplicate().get(copy);
        synchronized (staged) {
            if (staged.size() >= Constants.MAX_STAGED_PACKETS) {
                staged.pollFirst();
            }
            staged.addLast(copy);
            stagedCount = staged.size();
        }
    }

    /** The oldest staged packet, left staged until {@link #unstaged} (so that it still counts as waiting), or null. */
    public byte[] oldestStaged() {
        synchronized (staged) {
            return staged.peekFirst();
        }
    }

    /** {@code packet}, from {@link #oldestStaged}, was sent: no longer staged (unless dropped meanwhile). */
    public void unstaged(byte[] packet) {
        synchronized (staged) {
            if (staged.peekFirst() == packet) {
                staged.pollFirst();
            }
            stagedCount = staged.size();
        }
    }

    public void clearStaged() {
        synchronized (staged) {
            staged.clear();
            stagedCount = 0;
        }
    }

    /** True while packets wait for a session, or are being sent now that it exists; a volatile read. */
    public boolean hasStaged() {
        return stagedCount > 0;
    }

    /**
     * Held while one thread sends the staged packets: the receive thread when a handshake completes, the timers,
     * or the send thread with a new packet for the peer. Two threads taking turns at the queue sent the first
     * packets of a session out of order, and a new packet could overtake the staged ones.
     */
    public Object stagedFlush() {
        return stagedFlush;
    }
}
