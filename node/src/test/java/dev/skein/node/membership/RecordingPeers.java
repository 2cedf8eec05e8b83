package dev.skein.node.membership;

import dev.skein.node.Constants;
import dev.skein.protocol.addr.IpPrefix;
import dev.skein.protocol.member.MemberRecord;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/** The data plane as membership sees it, recording what it is asked to do; datagrams kept with their address. */
final class RecordingPeers implements MemberPeers {
    /** One line per call: "install NAME [granted]", "uninstall NAME", "greet NAME". */
    final List<String> calls = new ArrayList<>();
    /** Datagrams sent to an underlay address. */
    final List<Sent> sent = new ArrayList<>();

    record Sent(byte[] datagram, InetSocketAddress to) {}

    @Override
    public void install(MemberRecord record, List<IpPrefix> granted, boolean restarted) {
        calls.add("install " + record.name() + " " + granted);
    }

    @Override
    public void uninstall(String name) {
        calls.add("uninstall " + name);
    }

    @Override
    public long lastHeardNanos(String name) {
        return Constants.NEVER;
    }

    @Override
    public boolean sendDatagram(byte[] datagram, InetSocketAddress to) {
        sent.add(new Sent(datagram, to));
        return true;
    }

    @Override
    public boolean sendDatagram(byte[] datagram, String member) {
        calls.add("greet " + member);
        return true;
    }

    @Override
    public void handshake(String name) {
    }
}
