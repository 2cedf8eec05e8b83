package dev.skein.node.firewall;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An address held as two longs (IPv4 in the low 32 bits of the second), back to text for logs and tests. */
final class Addresses {
    private Addresses() {}

    static String text(boolean v4, long hi, long lo) {
        byte[] b = new byte[v4 ? 4 : 16];
        for (int i = 0; i < b.length; i++) {
            long word = v4 || i >= 8 ? lo : hi;
            int shift = 8 * ((v4 ? 3 : 7) - (i % (v4 ? 4 : 8)));
            b[i] = (byte) (word >>> shift);
        }
        try {
            return InetAddress.getByAddress(b).getHostAddress();
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // 4 or 16 bytes are always an address
        }
    }
}
