package dev.skein.tools;

import dev.skein.protocol.proto.PeerInfo;
import dev.skein.protocol.proto.PeersRequest;
import dev.skein.protocol.proto.Request;
import dev.skein.protocol.proto.Response;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "peers", mixinStandardHelpOptions = true,
        description = "The running node's peers, one line each: name, overlay address, subnets, endpoint, path "
                + "(direct or relay:NAME), last handshake, bytes received and sent, round-trip time.",
        footer = {"", "Example:", "  sudo skein peers --config /etc/skein/home.yaml", "",
                "  NAME    ADDRESS     SUBNETS         ENDPOINT          PATH    HANDSHAKE  RX       TX       RTT",
                "  office  100.64.0.2  100.96.1.0/24   198.18.0.2:51820  direct  12s ago    1.2 MiB  340 KiB  0.61 ms"})
final class PeersCommand implements Callable<Integer> {
    @Mixin
    NodeQuery node;

    /** For picocli, which fills in {@link #node}. */
    PeersCommand() {}

    /** With its options read already ({@link QuickQuery}). */
    PeersCommand(NodeQuery node) {
        this.node = node;
    }

    @Override
    public Integer call() {
        Response r = node.ask(Request.newBuilder().setPeers(PeersRequest.getDefaultInstance())
                .build());
        if (node.json) {
            node.printJson("peers", r.getPeersList());
            return 0;
        }
        if (r.getPeersCount() == 0) {
            System.out.println("no peers yet");
            return 0;
        }
        Columns table = new Columns("NAME", "ADDRESS", "SUBNETS", "ENDPOINT", "PATH", "HANDSHAKE", "RX", "TX", "RTT");
        for (PeerInfo p : r.getPeersList()) {
            String address = !p.hasAddress() ? "-" : p.hasAddress6() ? p.getAddress() + "," + p.getAddress6() : p.getAddress();
            table.row(p.getName(), address,
                    p.getSubnetsCount() == 0 ? "-" : String.join(",", p.getSubnetsList()),
                    p.hasEndpoint() ? p.getEndpoint() : "-", p.getPath(),
                    p.hasHandshakeAgeMs() ? HumanUnits.age(p.getHandshakeAgeMs()) : "never",
                    HumanUnits.bytes(p.getRxBytes()), HumanUnits.bytes(p.getTxBytes()),
                    p.hasRttUs() ? HumanUnits.rtt(p.getRttUs()) : "-");
        }
        System.out.print(table);
        return 0;
    }
}
