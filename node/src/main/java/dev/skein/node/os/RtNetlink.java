package dev.skein.node.os;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import dev.skein.protocol.addr.IpPrefix;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Configures links, addresses and routes through rtnetlink (NETLINK_ROUTE), as `ip` would, without running it.
 * Every request asks for an acknowledgement and turns a refusal into an IOException naming the errno.
 * One instance per node; calls are serialised.
 */
public final class RtNetlink implements AutoCloseable {
    private static final int AF_NETLINK = 16;
    private static final int SOCK_RAW = 3;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int NETLINK_ROUTE = 0;

    private static final short RTM_NEWLINK = 16;
    private static final short RTM_NEWADDR = 20;
    private static final short RTM_NEWROUTE = 24;
    private static final short RTM_DELROUTE = 25;
    private static final short RTM_NEWRULE = 32;
    private static final short RTM_DELRULE = 33;
    private static final short NLMSG_ERROR = 2;

    private static final short NLM_F_REQUEST = 0x1;
    private static final short NLM_F_ACK = 0x4;
    private static final short NLM_F_REPLACE = 0x100;
    private static final short NLM_F_CREATE = 0x400;
    private static final short NLM_F_EXCL = 0x200;

    private static final int IFF_UP = 0x1;
    private static final short IFLA_MTU = 4;
    private static final short IFLA_TXQLEN = 13;
    private static final short IFA_ADDRESS = 1;
    private static final short IFA_LOCAL = 2;
    private static final byte IFA_F_NODAD = 0x02;
    private static final short RTA_DST = 1;
    private static final short RTA_OIF = 4;
    private static final short RTA_PRIORITY = 6;
    private static final short RTA_TABLE = 15;
    private static final short FRA_PRIORITY = 6;
    private static final short FRA_FWMARK = 10;
    private static final short FRA_SUPPRESS_PREFIXLEN = 14;
    private static final short FRA_TABLE = 15;
    private static final short FRA_FWMASK = 16;
    private static final int FIB_RULE_INVERT = 0x2;
    private static final byte FR_ACT_TO_TBL = 1;

    /** The main routing table, where `ip route` without "table" looks. */
    public static final int RT_TABLE_MAIN = 254;
    /** Routes Skein installs are tagged with their own protocol number, so they can be told apart ("proto 77"). */
    public static final byte RTPROT_SKEIN = 77;
    private static final byte RT_SCOPE_LINK = (byte) 253;
    private static final byte RTN_UNICAST = 1;

    private final int fd;
    private final Memory buffer = new Memory(8192);
    private int sequence;

    public RtNetlink() throws IOException {
        try {
            fd = LibC.Setup.INSTANCE.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        } catch (LastErrorException e) {
            throw new IOException("cannot open a netlink socket: " + LibC.Setup.INSTANCE.strerror(e.getErrorCode()));
        }
    }

    public static int interfaceIndex(String name) throws IOException {
        try {
            int index = LibC.Setup.INSTANCE.if_nametoindex(name);
            if (index == 0) {
                throw new IOException("no interface named " + name);
            }
            return index;
        } catch (LastErrorException e) {
            throw new IOException("no interface named " + name);
        }
    }

    /** Sets the MTU and transmit queue length of a link and brings it up. */
    public synchronized void linkUp(int index, int mtu, int txQueueLength) throws IOException {
        ByteBuffer m = message(RTM_NEWLINK, (short) 0);
        m.put((byte) 0).put((byte) 0).putShort((short) 0).putInt(index).putInt(IFF_UP).putInt(IFF_UP); // ifinfomsg
        attribute(m, IFLA_MTU, mtu);
        attribute(m, IFLA_TXQLEN, txQueueLength);
        transact(m, "bring up interface #" + index);
    }

    /**
     * Adds {@code address} (e.g. 100.64.0.7/16, fd00:64::7/64) to a link; the kernel adds the prefix route with it.
     * An IPv6 address skips duplicate address detection (IFA_F_NODAD): the certificate made it ours, and no
     * neighbour on a TUN device could answer for it; so it is usable at once, not a second or so later.
     */
    public synchronized void addAddress(int index, IpPrefix address) throws IOException {
        ByteBuffer m = message(RTM_NEWADDR, (short) (NLM_F_CREATE | NLM_F_REPLACE));
        byte flags = address.isIpv4() ? 0 : IFA_F_NODAD;
        m.put(family(address)).put((byte) address.bits()).put(flags).put((byte) 0).putInt(index); // ifaddrmsg
        attribute(m, IFA_LOCAL, address.ip());
        attribute(m, IFA_ADDRESS, address.ip());
        transact(m, "add address " + address);
    }

    /**
     * Routes {@code destination} into the link; never replaces a route that exists (the kernel answers "File
     * exists", and the route stays as it was): Skein must not take over a route of the machine's.
     */
    public synchronized void addRoute(int index, IpPrefix destination) throws IOException {
        addRoute(index, destination, RT_TABLE_MAIN);
    }

    /** {@link #addRoute(int, IpPrefix)} into routing table {@code table}. */
    public synchronized void addRoute(int index, IpPrefix destination, int table) throws IOException {
        transact(route(RTM_NEWROUTE, (short) (NLM_F_CREATE | NLM_F_EXCL), index, destination, table),
                "add route " + destination + (table == RT_TABLE_MAIN ? "" : " to table " + table));
    }

    /** Removes a route that {@link #addRoute} installed. */
    public synchronized void deleteRoute(int index, IpPrefix destination) throws IOException {
        transact(route(RTM_DELROUTE, (short) 0, index, destination, RT_TABLE_MAIN), "delete route " + destination);
    }

    private ByteBuffer route(short type, short flags, int index, IpPrefix destination, int table) {
        IpPrefix net = destination.network();
        ByteBuffer m = message(type, flags);
        m.put(family(net)).put((byte) net.bits()).put((byte) 0).put((byte) 0)       // family, dst_len, src_len, tos
                .put((byte) (table < 256 ? table : 0)).put(RTPROT_SKEIN).put(RT_SCOPE_LINK).put(RTN_UNICAST)
                .putInt(0); // rtmsg (a table above 255 goes in RTA_TABLE alone)
        attribute(m, RTA_DST, net.ip());
        attribute(m, RTA_OIF, index);
        attribute(m, RTA_PRIORITY, 0);
        attribute(m, RTA_TABLE, table);
        return m;
    }

    /**
     * An IPv4 policy routing rule, as `ip rule` shows it: at {@code priority}, look up {@code table}; with
     * {@code suppressPrefixLength} >= 0, ignore a route found there whose prefix is that long or shorter; with
     * {@code notFwmark} != 0, only for packets whose mark is not that.
     */
    public record Rule(int priority, int table, int suppressPrefixLength, int notFwmark) {}

    /** Adds {@code rule}; "File exists" if the very same rule is there. */
    public synchronized void addRule(Rule rule) throws IOException {
        transact(rule(RTM_NEWRULE, (short) (NLM_F_CREATE | NLM_F_EXCL), rule), "add rule " + rule);
    }

    /** Deletes {@code rule}; an IOException if there is none. */
    public synchronized void deleteRule(Rule rule) throws IOException {
        transact(rule(RTM_DELRULE, (short) 0, rule), "delete rule " + rule);
    }

    private ByteBuffer rule(short type, short flags, Rule rule) {
        ByteBuffer m = message(type, flags);
        m.put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0)                  // family, dst_len, src_len, tos
                .put((byte) (rule.table() < 256 ? rule.table() : 0)).put((byte) 0).put((byte) 0).put(FR_ACT_TO_TBL)
                .putInt(rule.notFwmark() != 0 ? FIB_RULE_INVERT : 0);            // fib_rule_hdr
        attribute(m, FRA_PRIORITY, rule.priority());
        attribute(m, FRA_TABLE, rule.table());
        if (rule.suppressPrefixLength() >= 0) {
            attribute(m, FRA_SUPPRESS_PREFIXLEN, rule.suppressPrefixLength());
        }
        if (rule.notFwmark() != 0) {
            attribute(m, FRA_FWMARK, rule.notFwmark());
            attribute(m, FRA_FWMASK, -1);
        }
        return m;
    }

    private static byte family(IpPrefix p) {
        return (byte) (p.isIpv4() ? 2 : 10);
    }

    private ByteBuffer message(short type, short flags) {
        ByteBuffer m = buffer.getByteBuffer(0, buffer.size()).order(ByteOrder.nativeOrder());
        m.putInt(0).putShort(type).putShort((short) (NLM_F_REQUEST | NLM_F_ACK | flags)).putInt(++sequence).putInt(0);
        return m;
    }

    private static void attribute(ByteBuffer m, short type, int value) {
        m.putShort((short) 8).putShort(type).putInt(value);
    }

    private static void attribute(ByteBuffer m, short type, byte[] value) {
        m.putShort((short) (4 + value.length)).putShort(type).put(value);
        while (m.position() % 4 != 0) {
            m.put((byte) 0);
        }
    }

    private void transact(ByteBuffer m, String what) throws IOException {
        int length = m.position();
        m.putInt(0, length);
        try {
            LibC.Setup.INSTANCE.send(fd, buffer, length, 0);
            long n = LibC.Setup.INSTANCE.recv(fd, buffer, buffer.size(), 0);
            ByteBuffer reply = buffer.getByteBuffer(0, n).order(ByteOrder.nativeOrder());
            if (n >= 20 && reply.getShort(4) == NLMSG_ERROR) {
                int error = -reply.getInt(16);
                if (error != 0) {
                    throw new IOException("cannot " + what + ": " + LibC.Setup.INSTANCE.strerror(error));
                }
            }
        } catch (LastErrorException e) {
            throw new IOException("cannot " + what + ": " + LibC.Setup.INSTANCE.strerror(e.getErrorCode()));
        }
    }

    @Override
    public void close() {
        LibC.close(fd);
    }
}
