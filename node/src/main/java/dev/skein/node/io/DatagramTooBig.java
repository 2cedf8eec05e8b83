package dev.skein.node.io;

import java.io.IOException;

/**
 * A send refused because the datagram is longer than the path's MTU as the host knows it (EMSGSIZE: the link's,
 * or learned from an ICMP "fragmentation needed"). Nothing was sent; the caller fits what it sends to the path.
 */
public final class DatagramTooBig extends IOException {
    private static final long serialVersionUID = 1L;

    public DatagramTooBig(String message) {
        super(message);
    }
}
