package dev.skein.node.dataplane;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** What the data plane dropped, and why, and what it relayed: for `skein status`, the metrics and the tests. */
public final class Counters {
    public final AtomicLong noRoute = new AtomicLong();
    public final AtomicLong garbage = new AtomicLong();
    public final AtomicLong badMac = new AtomicLong();
    public final AtomicLong refusedHandshake = new AtomicLong();
    public final AtomicLong unknownIndex = new AtomicLong();
    public final AtomicLong badTransport = new AtomicLong();
    public final AtomicLong replayed = new AtomicLong();
    public final AtomicLong forbiddenSource = new AtomicLong();
    public final AtomicLong cookieReplies = new AtomicLong();
    public final AtomicLong refusedJoin = new AtomicLong();
    /** Handshake messages dropped because their source had used its budget (Admission). */
    public final AtomicLong rateLimited = new AtomicLong();
    /** Packets too big for their peer's path with DF set: answered with ICMP "fragmentation needed". */
    public final AtomicLong tooBig = new AtomicLong();
    /** Sealed datagrams the kernel refused as longer than the path's MTU (then learned: the packets shrink). */
    public final AtomicLong tooBigForPath = new AtomicLong();
    /** Decrypted packets the TUN device refused to take. */
    public final AtomicLong tunWriteErrors = new AtomicLong();
    /** Relay messages refused: we are no relay, or an end is unknown or not reached directly. */
    public final AtomicLong refusedRelay = new AtomicLong();
    /** Datagrams (and their bytes) forwarded for other members, as a relay. */
    public final AtomicLong relayedPackets = new AtomicLong();
    public final AtomicLong relayedBytes = new AtomicLong();
    /** Sessions established (handshakes completed, either side): not a drop, so not in {@link #snapshot}. */
    public final AtomicLong sessionsEstablished = new AtomicLong();

    public Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("no-route", noRoute.get());
        m.put("garbage", garbage.get());
        m.put("bad-mac", badMac.get());
        m.put("refused-handshake", refusedHandshake.get());
        m.put("unknown-index", unknownIndex.get());
        m.put("bad-transport", badTransport.get());
        m.put("replayed", replayed.get());
        m.put("forbidden-source", forbiddenSource.get());
        m.put("cookie-replies", cookieReplies.get());
        m.put("refused-join", refusedJoin.get());
        m.put("rate-limited", rateLimited.get());
        m.put("too-big", tooBig.get());
        m.put("too-big-for-path", tooBigForPath.get());
        m.put("tun-write-errors", tunWriteErrors.get());
        m.put("refused-relay", refusedRelay.get());
        m.put("relayed-packets", relayedPackets.get());
        m.put("relayed-bytes", relayedBytes.get());
        return m;
    }
}
