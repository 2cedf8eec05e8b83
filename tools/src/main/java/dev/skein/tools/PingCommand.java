package dev.skein.tools;

import dev.skein.protocol.proto.PingReply;
import dev.skein.protocol.proto.PingRequest;
import dev.skein.protocol.proto.PingResult;
import dev.skein.protocol.proto.Request;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "ping", mixinStandardHelpOptions = true,
        description = "Ping a member (by name) or an address over the mesh: the path each echo took and its "
                + "round-trip time, then a summary.",
        footer = {"", "Example:", "  sudo skein ping office --config /etc/skein/home.yaml",
                "  sudo skein ping 100.96.1.10 -c 10"})
final class PingCommand implements Callable<Integer> {
    @Mixin
    NodeQuery node;

    @Parameters(paramLabel = "NAME|ADDRESS", description = "a member's name or an overlay address")
    String target;

    @Option(names = {"-c", "--count"}, description = "echo requests to send, 1-100 (default ${DEFAULT-VALUE})",
            defaultValue = "4")
    int count;

    @Option(names = {"-i", "--interval"}, description = "seconds between requests (default ${DEFAULT-VALUE})",
            defaultValue = "1")
    double interval;

    @Override
    public Integer call() {
        if (count < 1 || count > 100) {
            throw new UserError("--count must be 1..100, not " + count);
        }
        if (interval < 0 || interval > 5) {
            throw new UserError("--interval must be 0..5 seconds, not " + interval);
        }
        PingResult r = node.ask(Request.newBuilder().setPing(PingRequest.newBuilder()
                .setTarget(target).setCount(count).setIntervalMs((int) (interval * 1000)).setTimeoutMs(2000))
                .build()).getPing();
        if (node.json) {
            node.printJson(r);
            return r.getRepliesList().stream().anyMatch(PingReply::getOk) ? 0 : 1;
        }
        System.out.println("PING " + r.getName() + " (" + r.getAddress() + ") via " + r.getPath());
        int ok = 0;
        double min = Double.MAX_VALUE;
        double max = 0;
        double sum = 0;
        for (PingReply p : r.getRepliesList()) {
            if (p.getOk()) {
                double ms = p.getRttUs() / 1000.0;
                ok++;
                min = Math.min(min, ms);
                max = Math.max(max, ms);
                sum += ms;
                System.out.printf(Locale.ROOT, "reply from %s: seq=%d path=%s time=%.2f ms%n", r.getName(),
                        p.getSeq(), p.getPath().isEmpty() ? r.getPath() : p.getPath(), ms);
            } else {
                System.out.printf(Locale.ROOT, "no reply from %s: seq=%d (timed out)%n", r.getName(), p.getSeq());
            }
        }
        int sent = r.getRepliesCount();
        System.out.printf(Locale.ROOT, "--- %s: %d sent, %d received, %d%% loss", r.getName(), sent, ok,
                sent == 0 ? 0 : 100 * (sent - ok) / sent);
        if (ok > 0) {
            System.out.printf(Locale.ROOT, ", rtt min/avg/max %.2f/%.2f/%.2f ms", min, sum / ok, max);
        }
        System.out.println();
        return ok > 0 ? 0 : 1;
    }
}
