package dev.skein.tools;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.skein.protocol.proto.Request;
import dev.skein.protocol.proto.Response;
import dev.skein.protocol.proto.RouteInfo;
import dev.skein.protocol.proto.RoutesRequest;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "routes", mixinStandardHelpOptions = true,
        description = "The running node's route table: each prefix and the peer that owns it (longest prefix wins).",
        footer = {"", "Example:", "  sudo skein routes --config /etc/skein/home.yaml", "",
                "  PREFIX          VIA", "  100.64.0.1/32   local", "  100.96.1.0/24   office"})
final class RoutesCommand implements Callable<Integer> {
    @Mixin
    NodeSocket node;

    @Option(names = "--json", description = "print JSON (for scripts)")
    boolean json;

    @Override
    public Integer call() throws InvalidProtocolBufferException {
        Response r = ControlClient.ask(node.path(), Request.newBuilder()
                .setRoutes(RoutesRequest.getDefaultInstance()).build());
        if (json) {
            System.out.println(JsonFormat.printer().print(Response.newBuilder().addAllRoutes(r.getRoutesList())));
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
