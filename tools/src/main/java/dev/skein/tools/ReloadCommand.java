package dev.skein.tools;

import dev.skein.protocol.proto.ReloadRequest;
import dev.skein.protocol.proto.Request;
import dev.skein.protocol.proto.Response;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "reload", mixinStandardHelpOptions = true,
        description = "Make the running node re-read its configuration and PKI files (as SIGHUP does): a renewed "
                + "certificate or new keys, seeds, relay, accept-subnets, tuning and wireguard-peers take effect "
                + "at once. A file that fails validation, or a change that needs a restart (ports, interface...), "
                + "is refused with the reason, and the node keeps running as it was.",
        footer = {"", "Example:", "  sudo skein reload --config /etc/skein/home.yaml"})
final class ReloadCommand implements Callable<Integer> {
    @Mixin
    NodeQuery node;

    @Override
    public Integer call() {
        Response r = node.ask(Request.newBuilder().setReload(ReloadRequest.getDefaultInstance()).build());
        System.out.println(r.getMessage());
        return 0;
    }
}
