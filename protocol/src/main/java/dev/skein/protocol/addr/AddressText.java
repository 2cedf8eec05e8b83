package dev.skein.protocol.addr;

import java.net.InetSocketAddress;

/**
 * Addresses and endpoints as people write them: IPv4 dotted; IPv6 in RFC 5952's canonical form (lower case, no
 * leading zeros, the longest run of two or more zero groups as "::"), where Java's own text keeps every group;
 * an IPv6 endpoint in brackets ({@code [2001:db8::3]:51820}), so its port cannot be read as a group.
 */
public final class AddressText {
    private AddressText() {}

    public static String address(byte[] ip) {
        if (ip.length == 4) {
            return (ip[0] & 0xff) + "." + (ip[1] & 0xff) + "." + (ip[2] & 0xff) + "." + (ip[3] & 0xff);
        }
        if (ip.length != 16) {
            throw new IllegalArgumentException(ip.length + " bytes are no IP address");
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = (ip[2 * i] & 0xff) << 8 | (ip[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1; // a single zero group is written as 0, never as ::
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                s.append("::");
                i += bestLength - 1;
                continue;
            }
            if (s.length() > 0 && s.charAt(s.length() - 1) != ':') {
                s.append(':');
            }
            s.append(Integer.toHexString(groups[i]));
        }
        return s.toString();
    }

    /** {@code 198.18.0.1:51820} or {@code [2001:db8::3]:51820}; an unresolved one as its name and port. */
    public static String endpoint(InetSocketAddress e) {
        if (e.getAddress() == null) {
            return e.getHostString() + ":" + e.getPort();
        }
        byte[] ip = e.getAddress().getAddress();
        return ip.length == 16 ? "[" + address(ip) + "]:" + e.getPort() : address(ip) + ":" + e.getPort();
    }
}
