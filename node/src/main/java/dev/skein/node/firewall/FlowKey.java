package dev.skein.node.firewall;

/**
 * Which flow a packet belongs to, seen from this node: protocol, local and remote address and port. A packet and
 * its reply have the same key (the local end is the destination of an inbound packet and the source of an
 * outbound one), which is what makes the firewall stateful. For ICMP echo the remote port holds the echo
 * identifier, so a reply finds its request; other ICMP has no ports.
 *
 * <p>Mutable so that each data-plane thread reads packets into one key of its own and looks it up without
 * allocating; {@link #copy()} makes the key a flow table keeps.
 */
final class FlowKey {
    static final int TCP = 6;
    static final int UDP = 17;
    static final int ICMP = 1;
    static final int ICMPV6 = 58;

    boolean v4;
    int proto;
    long localHi;
    long localLo;
    long remoteHi;
    long remoteLo;
    int localPort;
    int remotePort;
    /** Not part of the key: where the packet quoted by an ICMP error starts, while {@link Headers} reads it. */
    int quotedAt;
    /** Not part of the key: the TCP flags of the packet read (0 for other protocols). */
    int tcpFlags;

    /** Makes this key equal to {@code k}. */
    void set(FlowKey k) {
        v4 = k.v4;
        proto = k.proto;
        localHi = k.localHi;
        localLo = k.localLo;
        remoteHi = k.remoteHi;
        remoteLo = k.remoteLo;
        localPort = k.localPort;
        remotePort = k.remotePort;
    }

    FlowKey copy() {
        FlowKey k = new FlowKey();
        k.v4 = v4;
        k.proto = proto;
        k.localHi = localHi;
        k.localLo = localLo;
        k.remoteHi = remoteHi;
        k.remoteLo = remoteLo;
        k.localPort = localPort;
        k.remotePort = remotePort;
        return k;
    }

    boolean icmp() {
        return proto == ICMP || proto == ICMPV6;
    }

    /** A TCP SYN without ACK: the packet that opens a connection. */
    boolean opensConnection() {
        return proto == TCP && (tcpFlags & 0x12) == 0x02;
    }

    boolean hasPorts() {
        return proto == TCP || proto == UDP;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FlowKey k && k.localLo == localLo && k.remoteLo == remoteLo && k.localPort == localPort
                && k.remotePort == remotePort && k.proto == proto && k.localHi == localHi && k.remoteHi == remoteHi
                && k.v4 == v4;
    }

    @Override
    public int hashCode() {
        long h = localLo * 0x9E3779B97F4A7C15L ^ remoteLo * 0xC2B2AE3D27D4EB4FL ^ localHi ^ remoteHi * 31
                ^ ((long) localPort << 16 | remotePort) * 0x165667B19E3779F9L ^ proto;
        return (int) (h ^ h >>> 32);
    }

    @Override
    public String toString() {
        return proto + " " + Addresses.text(v4, localHi, localLo) + ":" + localPort + " <> "
                + Addresses.text(v4, remoteHi, remoteLo) + ":" + remotePort;
    }
}
