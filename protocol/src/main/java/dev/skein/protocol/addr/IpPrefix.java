package dev.skein.protocol.addr;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 address with a prefix length, as in {@code 100.64.0.7/16} or {@code 100.96.1.0/24}. The
 * address is kept as written (a node's address carries its mesh prefix length); {@link #network()} masks it.
 * Parsing never touches DNS.
 */
public final class IpPrefix {
    private final byte[] ip;
    private final int bits;

    private IpPrefix(byte[] ip, int bits) {
        this.ip = ip;
        this.bits = bits;
    }

    public static IpPrefix of(byte[] ip, int bits) {
        if (ip == null || (ip.length != 4 && ip.length != 16)) {
            throw new IllegalArgumentException("an IP address is 4 or 16 bytes");
        }
        if (bits < 0 || bits > ip.length * 8) {
            throw new IllegalArgumentException("prefix length " + bits + " out of range for " + ip.length * 8 + "-bit address");
        }
        return new IpPrefix(ip.clone(), bits);
    }

    /** Parses "ADDRESS/BITS"; a bare address is a host prefix (/32 or /128). */
    public static IpPrefix parse(String text) {
        String s = text.trim();
        int slash = s.indexOf('/');
        String addr = slash < 0 ? s : s.substring(0, slash);
        byte[] ip = parseAddress(addr);
        int bits = ip.length * 8;
        if (slash >= 0) {
            try {
                bits = Integer.parseInt(s.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "': prefix length is not a number");
            }
        }
        if (bits < 0 || bits > ip.length * 8) {
            throw new IllegalArgumentException("'" + text + "': prefix length must be 0.." + ip.length * 8);
        }
        return new IpPrefix(ip, bits);
    }

    /** Parses a literal IPv4 (dotted quad) or IPv6 address. */
    public static byte[] parseAddress(String text) {
        if (text.indexOf(':') >= 0) {
            try {
                // A literal containing ':' is never looked up in DNS.
                byte[] ip = InetAddress.getByName(text).getAddress();
                if (ip.length == 16) {
                    return ip;
                }
            } catch (UnknownHostException | SecurityException e) {
                // fall through to the error below
            }
            throw new IllegalArgumentException("'" + text + "' is not an IPv6 address");
        }
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 address");
        }
        byte[] ip = new byte[4];
        for (int i = 0; i < 4; i++) {
            if (parts[i].isEmpty() || parts[i].length() > 3 || !parts[i].chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("'" + text + "' is not an IPv4 address");
            }
            int v = Integer.parseInt(parts[i]);
            if (v > 255) {
                throw new IllegalArgumentException("'" + text + "' is not an IPv4 address");
            }
            ip[i] = (byte) v;
        }
        return ip;
    }

    public byte[] ip() {
        return ip.clone();
    }

    public int bits() {
        return bits;
    }

    public boolean isIpv4() {
        return ip.length == 4;
    }

    /** The prefix with host bits cleared: 100.64.0.7/16 → 100.64.0.0/16. */
    public IpPrefix network() {
        return new IpPrefix(mask(ip, bits), bits);
    }

    /** The same address as a host prefix: 100.64.0.7/16 → 100.64.0.7/32. */
    public IpPrefix host() {
        return new IpPrefix(ip, ip.length * 8);
    }

    /** True if {@code address} (4 or 16 bytes) lies inside this prefix. */
    public boolean contains(byte[] address) {
        if (address.length != ip.length) {
            return false;
        }
        int full = bits / 8;
        for (int i = 0; i < full; i++) {
            if (address[i] != ip[i]) {
                return false;
            }
        }
        int rest = bits % 8;
        if (rest == 0) {
            return true;
        }
        int m = 0xff << (8 - rest) & 0xff;
        return (address[full] & m) == (ip[full] & m);
    }

    /** True if every address of {@code other} lies inside this prefix. */
    public boolean contains(IpPrefix other) {
        return other.ip.length == ip.length && other.bits >= bits && contains(other.ip);
    }

    /** True if the two prefixes share at least one address. */
    public boolean overlaps(IpPrefix other) {
        return contains(other.network()) || other.contains(network());
    }

    private static byte[] mask(byte[] ip, int bits) {
        byte[] out = ip.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, bits - 8 * i));
            out[i] &= (byte) (0xff << (8 - keep));
        }
        return out;
    }

    public static String formatAddress(byte[] ip) {
        return AddressText.address(ip);
    }

    public String address() {
        return formatAddress(ip);
    }

    @Override
    public String toString() {
        return address() + "/" + bits;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpPrefix p && p.bits == bits && Arrays.equals(p.ip, ip);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(ip) * 31 + bits;
    }
}
