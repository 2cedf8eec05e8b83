package dev.skein.tools;

import dev.skein.protocol.proto.Request;
import dev.skein.protocol.proto.Response;
import dev.skein.protocol.proto.Status;
import dev.skein.protocol.proto.StatusRequest;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = "The running node: name, overlay address, subnets, endpoints (local and as others see "
                + "them), mesh size, certificate expiry, what the data plane dropped and why, and warnings (conflicts, refused peers, expiring certificate).",
        footer = {"", "Example:", "  sudo skein status --config /etc/skein/home.yaml"})
final class StatusCommand implements Callable<Integer> {
    @Mixin
    NodeQuery node;

    /** For picocli, which fills in {@link #node}. */
    StatusCommand() {}

    /** With its options read already ({@link QuickQuery}). */
    StatusCommand(NodeQuery node) {
        this.node = node;
    }

    @Override
    public Integer call() {
        Status s = node.ask(Request.newBuilder()
                .setStatus(StatusRequest.getDefaultInstance()).build()).getStatus();
        if (node.json) {
            node.printJson(s);
            return 0;
        }
        Columns t = new Columns("node", s.getName());
        t.row("address", s.getAddress() + (s.hasAddress6() ? ", " + s.getAddress6() : "") + " on " + s.getInterface());
        t.row("subnets", list(s.getSubnetsList()));
        t.row("listening", s.hasListenPort() ? "UDP " + s.getListenPort() : "no UDP socket (closed)");
        t.row("endpoints", list(s.getEndpointsList()));
        t.row("public", s.getObservedCount() == 0 ? "unknown (no member has answered yet)" : list(s.getObservedList()));
        t.row("mesh", s.getMeshSize() + (s.getMeshSize() == 1 ? " node (just this one)" : " nodes"));
        if (s.getRelay()) {
            t.row("relay", "on: forwarded " + s.getRelayedPackets() + " packets ("
                    + HumanUnits.bytes(s.getRelayedBytes()) + ") between members");
        }
        t.row("certificate", "expires " + Instant.ofEpochSecond(s.getCertificateExpiry()));
        List<String> drops = s.getDroppedMap().entrySet().stream().filter(e -> e.getValue() > 0)
                .map(e -> e.getKey() + " " + e.getValue()).sorted().toList();
        t.row("dropped", drops.isEmpty() ? "nothing" : String.join(", ", drops));
        t.row("warnings", s.getWarningsCount() == 0 ? "none" : s.getWarnings(0));
        for (int i = 1; i < s.getWarningsCount(); i++) {
            t.row("", s.getWarnings(i));
        }
        System.out.print(t);
        return 0;
    }

    private static String list(List<String> items) {
        return items.isEmpty() ? "-" : String.join(", ", items);
    }
}
