package dev.skein.node.route;

import dev.skein.protocol.addr.IpPrefix;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Longest-prefix match from a destination address to the value (a peer) that owns it. Reads are lock-free
 * and allocation-free (the packet path looks up every packet); writes copy the table (routes change rarely).
 * Entries are kept longest prefix first, so the first match is the longest.
 */
public final class RouteTable<T> {
    private record Entry<T>(IpPrefix prefix, int network4, int mask4, T value) {}

    private volatile Entry<T>[] entries = newArray(0);

    @SuppressWarnings("unchecked")
    private static <T> Entry<T>[] newArray(int n) {
        return (Entry<T>[]) new Entry<?>[n];
    }

    /** Routes {@code prefix} to {@code value}, replacing a route for the same prefix. */
    public synchronized void put(IpPrefix prefix, T value) {
        IpPrefix net = prefix.network();
        List<Entry<T>> list = new ArrayList<>(Arrays.asList(entries));
        list.removeIf(e -> e.prefix.equals(net));
        int network4 = net.isIpv4() ? ByteBuffer.wrap(net.ip()).getInt() : 0;
        int mask4 = net.bits() == 0 ? 0 : -1 << (32 - net.bits());
        list.add(new Entry<>(net, network4, mask4, value));
        list.sort(Comparator.comparingInt((Entry<T> e) -> e.prefix.bits()).reversed());
        entries = list.toArray(newArray(0));
    }

    /** Removes the route for {@code prefix} if it points to {@code value}; true if one was removed. */
    public synchronized boolean remove(IpPrefix prefix, T value) {
        IpPrefix net = prefix.network();
        List<Entry<T>> list = new ArrayList<>(Arrays.asList(entries));
        boolean removed = list.removeIf(e -> e.prefix.equals(net) && e.value.equals(value));
        entries = list.toArray(newArray(0));
        return removed;
    }

    /** Removes every route to {@code value}. */
    public synchronized void removeAll(T value) {
        List<Entry<T>> list = new ArrayList<>(Arrays.asList(entries));
        list.removeIf(e -> e.value.equals(value));
        entries = list.toArray(newArray(0));
    }

    /** The owner of the IPv4 address {@code address} (as a big-endian int), or null. */
    public T lookup4(int address) {
        for (Entry<T> e : entries) {
            if (e.prefix.isIpv4() && (address & e.mask4) == e.network4) {
                return e.value;
            }
        }
        return null;
    }

    /** The owner of {@code address} (4 or 16 bytes), or null. */
    public T lookup(byte[] address) {
        if (address.length == 4) {
            return lookup4(ByteBuffer.wrap(address).getInt());
        }
        for (Entry<T> e : entries) {
            if (e.prefix.contains(address)) {
                return e.value;
            }
        }
        return null;
    }

    /** A snapshot: prefix to value, longest prefix first. */
    public List<Map.Entry<IpPrefix, T>> snapshot() {
        List<Map.Entry<IpPrefix, T>> out = new ArrayList<>();
        for (Entry<T> e : entries) {
            out.add(Map.entry(e.prefix, e.value));
        }
        return out;
    }
}
