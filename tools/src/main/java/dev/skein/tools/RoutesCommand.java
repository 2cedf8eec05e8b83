package dev.skein.tools;

import dev.skein.protocol.proto.Request;
import dev.skein.protocol.proto.Response;
import dev.skein.protocol.proto.RouteInfo;
import dev.skein.protocol.proto.RoutesRequest;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "routes", mixinStandardHelpOptions = true,
        description = "The running node's route table: each prefix and the peer that owns it (longest prefix wins).",
        footer = {"", "Example:", "  sudo skein routes --config /etc/skein/home.yaml", "",
                "  PREFIX          VIA", "  100.64.0.1/32   local", "  100.96.1.0/24   office"})
final class RoutesCommand implements Callable<Integer> {
    @Mixin
    NodeQuery node;

    /** For picocli, which fills in {@link #node}. */
    RoutesCommand() {}

    /** With its options read already ({@link QuickQuery}). */
    RoutesCommand(NodeQuery node) {
        this.node = node;
    }

    @Override
    public Integer call() {
        Response r = node.ask(Request.newBuilder()
                .setRoutes(RoutesRequest.getDefaultInstance()).build());
        if (node.json) {
            node.printJson("routes", r.getRoutesList());
            return 0;
        }
        Columns table = new Columns("PREFIX", "VIA");
        for (RouteInfo route : r.getRoutesList()) {
            table.row(route.getPrefix(), route.getVia());
        }
        System.out.print(table);
        return 0;
    }
}
