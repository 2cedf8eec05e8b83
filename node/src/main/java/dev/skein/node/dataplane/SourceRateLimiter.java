package dev.skein.node.dataplane;

import dev.skein.node.Constants;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * Token buckets per source address, as wireguard-go's {@code ratelimiter/}: each source may send
 * {@code perSecond} messages a second with bursts of {@code burst}; an IPv6 source counts by its /64, since one
 * host usually holds a whole /64. Keyed by address, never by port: a flood from many ports of one host is one
 * source.
 *
 * <p>Bounded and allocation-free: the table is a fixed array of {@code capacity} slots made up front, so no
 * datagram, however forged, makes the node allocate per-source state. A source idle for {@link Constants#IDLE_SOURCE_EXPIRY} has
 * a full bucket again and is forgotten at the next sweep (once a second; forgetting it changes nothing). When
 * the table is full, every source not yet in it shares one overflow bucket of the same rate: a flood of spoofed
 * sources is then held to one source's budget, while the sources already known keep theirs.
 *
 * <p>One thread uses it (the receive thread); not thread-safe.
 */
public final class SourceRateLimiter {
    private static final long EMPTY = Long.MIN_VALUE;
    /** Compared with for every handshake and join message, so kept in nanos. */
    private static final long EXPIRY_NANOS = Constants.IDLE_SOURCE_EXPIRY.toNanos();

    private final long costNanos;
    private final long burstNanos;
    private final int mask;
    private final int maxEntries;
    private long[] keys;
    private long[] tokens;
    private long[] seen;
    private long[] spareKeys;
    private long[] spareTokens;
    private long[] spareSeen;
    private int size;
    private long lastSweep;
    private boolean swept;
    private long overflowTokens;
    private long overflowSeen;
    private boolean overflowUsed;

    /**
     * @param perSecond messages a second each source earns
     * @param burst     messages a source may send at once after being idle
     * @param capacity  sources tracked at once (the table has twice as many slots, so lookups stay short)
     */
    public SourceRateLimiter(int perSecond, int burst, int capacity) {
        if (perSecond <= 0 || burst <= 0 || capacity <= 0) {
            throw new IllegalArgumentException("rate, burst and capacity must be positive");
        }
        this.costNanos = 1_000_000_000L / perSecond;
        this.burstNanos = costNanos * burst;
        int slots = Integer.highestOneBit(Math.max(4, capacity) * 4 - 1); // a power of two >= 2 x capacity
        this.mask = slots - 1;
        this.maxEntries = capacity;
        keys = newKeys(slots);
        tokens = new long[slots];
        seen = new long[slots];
        spareKeys = newKeys(slots);
        spareTokens = new long[slots];
        spareSeen = new long[slots];
    }

    private static long[] newKeys(int slots) {
        long[] k = new long[slots];
        java.util.Arrays.fill(k, EMPTY);
        return k;
    }

    /** The key of a source: an IPv4 address as itself, an IPv6 address by its first 64 bits. */
    public static long key(InetAddress address) {
        byte[] b = address.getAddress();
        long k = 0;
        int n = address instanceof Inet4Address ? 4 : 8;
        for (int i = 0; i < n; i++) {
            k = k << 8 | (b[i] & 0xff);
        }
        // IPv4 keys have the top 32 bits clear; an IPv6 /64 has them clear only inside ::/32, which is not
        // routed, so the two kinds do not meet in practice (and if they did, they would share a bucket).
        return k == EMPTY ? EMPTY + 1 : k;
    }

    /**
     * True if the source may send one more message now, which it is then charged for. A refusal charges nothing
     * (the bucket is only brought up to date).
     */
    public boolean allow(InetAddress source, long nowNanos) {
        return allow(key(source), nowNanos);
    }

    /** As {@link #allow(InetAddress, long)} for a key from {@link #key}. */
    public boolean allow(long key, long nowNanos) {
        if (!swept || nowNanos - lastSweep >= EXPIRY_NANOS) {
            sweep(nowNanos);
        }
        int slot = find(keys, key);
        if (keys[slot] == EMPTY) {
            if (size >= maxEntries) {
                return overflow(nowNanos);
            }
            keys[slot] = key;
            tokens[slot] = burstNanos - costNanos;
            seen[slot] = nowNanos;
            size++;
            return true;
        }
        long t = Math.min(burstNanos, tokens[slot] + (nowNanos - seen[slot]));
        seen[slot] = nowNanos;
        if (t < costNanos) {
            tokens[slot] = t;
            return false;
        }
        tokens[slot] = t - costNanos;
        return true;
    }

    private boolean overflow(long nowNanos) {
        long t = overflowUsed ? Math.min(burstNanos, overflowTokens + (nowNanos - overflowSeen)) : burstNanos;
        overflowUsed = true;
        overflowSeen = nowNanos;
        if (t < costNanos) {
            overflowTokens = t;
            return false;
        }
        overflowTokens = t - costNanos;
        return true;
    }

    /** Sources tracked now (for tests and `skein status`). */
    public int size() {
        return size;
    }

    private int find(long[] table, long key) {
        int slot = Long.hashCode(key * 0x9E3779B97F4A7C15L) & mask;
        while (table[slot] != EMPTY && table[slot] != key) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    /** Moves the sources seen within the last second into the spare table and swaps the two. */
    private void sweep(long nowNanos) {
        swept = true;
        lastSweep = nowNanos;
        java.util.Arrays.fill(spareKeys, EMPTY);
        int kept = 0;
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != EMPTY && nowNanos - seen[i] < EXPIRY_NANOS) {
                int slot = find(spareKeys, keys[i]);
                spareKeys[slot] = keys[i];
                spareTokens[slot] = tokens[i];
                spareSeen[slot] = seen[i];
                kept++;
            }
        }
        long[] k = keys;
        keys = spareKeys;
        spareKeys = k;
        long[] t = tokens;
        tokens = spareTokens;
        spareTokens = t;
        long[] s = seen;
        seen = spareSeen;
        spareSeen = s;
        size = kept;
        if (overflowUsed && nowNanos - overflowSeen >= EXPIRY_NANOS) {
            overflowUsed = false;
        }
    }
}
