package dev.skein.tools;

import dev.skein.protocol.proto.FirewallInfo;
import dev.skein.protocol.proto.FirewallRequest;
import dev.skein.protocol.proto.FirewallRuleInfo;
import dev.skein.protocol.proto.Request;
import dev.skein.protocol.proto.Response;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "firewall", mixinStandardHelpOptions = true,
        description = "The running node's firewall: each rule with the flows it let through, and what was dropped.",
        footer = {"", "Example:", "  sudo skein firewall --config /etc/skein/office.yaml", "",
                "  DIRECTION  #  RULE                                           HITS",
                "  inbound    0  {port: any, proto: icmp, host: any}            12",
                "  inbound    1  {port: 22, proto: tcp, groups: [admins]}       3",
                "  outbound   0  {port: any, proto: any, host: any}             41",
                "  dropped: 7 inbound, 0 outbound (0 malformed); 18 flows; gossip 9, related ICMP 0"})
final class FirewallCommand implements Callable<Integer> {
    @Mixin
    NodeQuery node;

    @Override
    public Integer call() {
        Response r = node.ask(Request.newBuilder().setFirewall(FirewallRequest.getDefaultInstance()).build());
        FirewallInfo f = r.getFirewall();
        if (node.json) {
            node.printJson(f);
            return 0;
        }
        if (!f.getEnabled()) {
            System.out.println("no firewall section: everything is allowed");
            return 0;
        }
        Columns table = new Columns("DIRECTION", "#", "RULE", "HITS");
        for (FirewallRuleInfo rule : f.getRulesList()) {
            table.row(rule.getDirection(), Integer.toString(rule.getIndex()), rule.getRule(),
                    Long.toString(rule.getHits()));
        }
        System.out.print(table);
        System.out.printf("dropped: %d inbound, %d outbound (%d malformed); %d flows%s; gossip %d, related ICMP %d%n",
                f.getInboundDropped(), f.getOutboundDropped(), f.getMalformed(), f.getFlows(),
                f.getUntracked() > 0 ? " (" + f.getUntracked() + " not remembered: table full)" : "",
                f.getGossip(), f.getRelated());
        return 0;
    }
}
