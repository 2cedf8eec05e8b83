package dev.skein.node.firewall;

import dev.skein.protocol.addr.IpPrefix;

/**
 * A prefix in the form the firewall compares against a packet's addresses without allocating: an address as two
 * longs (IPv4 in the low 32 bits of {@code lo}), with its mask.
 */
final class Cidr {
    private final boolean v4;
    private final long hi;
    private final long lo;
    private final long maskHi;
    private final long maskLo;
    private final String text;

    private Cidr(boolean v4, long hi, long lo, long maskHi, long maskLo, String text) {
        this.v4 = v4;
        this.maskHi = maskHi;
        this.maskLo = maskLo;
        this.hi = hi & maskHi;
        this.lo = lo & maskLo;
        this.text = text;
    }

    static Cidr of(IpPrefix prefix) {
        byte[] ip = prefix.ip();
        int bits = prefix.bits();
        if (ip.length == 4) {
            long mask = bits == 0 ? 0 : (0xffffffffL << (32 - bits)) & 0xffffffffL;
            return new Cidr(true, 0, word(ip, 0, 4), 0, mask, prefix.network().toString());
        }
        long maskHi = bits >= 64 ? -1L : bits == 0 ? 0 : -1L << (64 - bits);
        long maskLo = bits <= 64 ? 0 : bits == 128 ? -1L : -1L << (128 - bits);
        return new Cidr(false, word(ip, 0, 8), word(ip, 8, 8), maskHi, maskLo, prefix.network().toString());
    }

    /** The host prefix of one address (4 or 16 bytes). */
    static Cidr host(byte[] address) {
        return of(IpPrefix.of(address, address.length * 8));
    }

    static long word(byte[] b, int from, int count) {
        long v = 0;
        for (int i = from; i < from + count; i++) {
            v = v << 8 | (b[i] & 0xff);
        }
        return v;
    }

    boolean contains(boolean ipv4, long addressHi, long addressLo) {
        return ipv4 == v4 && (addressHi & maskHi) == hi && (addressLo & maskLo) == lo;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.v4 == v4 && c.hi == hi && c.lo == lo && c.maskHi == maskHi
                && c.maskLo == maskLo;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(hi * 31 + lo) ^ Long.hashCode(maskLo);
    }

    @Override
    public String toString() {
        return text;
    }
}
