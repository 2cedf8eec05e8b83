package dev.skein.node.control;

import dev.skein.node.Node;
import dev.skein.node.membership.Membership;
import dev.skein.node.peer.Peer;
import dev.skein.protocol.addr.IpPrefix;
import dev.skein.protocol.cert.Certificate;
import dev.skein.protocol.proto.PeerInfo;
import dev.skein.protocol.proto.PingReply;
import dev.skein.protocol.proto.PingRequest;
import dev.skein.protocol.proto.PingResult;
import dev.skein.protocol.proto.Request;
import dev.skein.protocol.proto.Response;
import dev.skein.protocol.proto.RouteInfo;
import dev.skein.protocol.proto.Status;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import dev.skein.node.firewall.Firewall;
import dev.skein.node.firewall.Rules;
import dev.skein.protocol.proto.FirewallInfo;
import dev.skein.protocol.proto.FirewallRuleInfo;

/** Answers control requests from the node's live state: its certificate, membership and data plane. */
public final class ControlHandler {
    static final Duration EXPIRY_WARNING = Duration.ofDays(14);
    private final Node node;

    public ControlHandler(Node node) {
        this.node = node;
    }

    Response handle(Request request) {
        return switch (request.getWhatCase()) {
            case STATUS -> Response.newBuilder().setStatus(status()).build();
            case PEERS -> Response.newBuilder().addAllPeers(peers()).build();
            case ROUTES -> Response.newBuilder().addAllRoutes(routes()).build();
            case PING -> ping(request.getPing());
            case REVOCATIONS_PUSH -> pushRevocations(request.getRevocationsPush().getList().toByteArray());
            case RELOAD -> reload();
            case FIREWALL -> Response.newBuilder().setFirewall(firewall()).build();
            case WHAT_NOT_SET -> Response.newBuilder().setError("empty control request").build();
        };
    }

    private FirewallInfo firewall() {
        Firewall f = node.device().firewall();
        Rules rules = f.rules();
        FirewallInfo.Builder b = FirewallInfo.newBuilder().setEnabled(rules != null)
                .setInboundDropped(f.inboundDropped()).setOutboundDropped(f.outboundDropped())
                .setMalformed(f.malformed()).setFlows(f.flows()).setUntracked(f.untracked()).setRelated(f.related())
                .setGossip(f.gossip());
        if (rules != null) {
            for (int i = 0; i < rules.inbound().size(); i++) {
                b.addRules(FirewallRuleInfo.newBuilder().setDirection("inbound").setIndex(i)
                        .setRule(rules.inbound().get(i).toString()).setHits(rules.hits(true, i)));
            }
            for (int i = 0; i < rules.outbound().size(); i++) {
                b.addRules(FirewallRuleInfo.newBuilder().setDirection("outbound").setIndex(i)
                        .setRule(rules.outbound().get(i).toString()).setHits(rules.hits(false, i)));
            }
        }
        return b.build();
    }

    private Membership.Snapshot membership() {
        Membership m = node.membership();
        return m == null ? Membership.Snapshot.EMPTY : m.snapshot();
    }

    private Status status() {
        Certificate cert = node.certificate();
        Membership.Snapshot snap = membership();
        Status.Builder s = Status.newBuilder().setName(cert.name()).setAddress(cert.address().toString())
                .setMeshSize(snap.members().size() + 1).setCertificateExpiry(cert.notAfter().getEpochSecond())
                .setInterface(node.config().interfaceName()).setRelay(node.config().relay())
                .setRelayedPackets(node.device().counters().relayedPackets.get())
                .setRelayedBytes(node.device().counters().relayedBytes.get());
        if (cert.address6() != null) {
            s.setAddress6(cert.address6().toString());
        }
        cert.subnets().forEach(p -> s.addSubnets(p.toString()));
        s.putAllDropped(node.device().drops());
        snap.ownEndpoints().forEach(e -> s.addEndpoints(format(e)));
        snap.observed().forEach(e -> s.addObserved(format(e)));
        int port = node.device().listenPort();
        if (port > 0) {
            s.setListenPort(port);
        } else {
            s.addWarnings("UDP socket closed");
        }
        Duration left = Duration.between(Instant.now(), cert.notAfter());
        if (left.compareTo(EXPIRY_WARNING) < 0) {
            s.addWarnings("certificate expires in " + Math.max(0, left.toHours()) + " h (" + cert.notAfter() + ")");
        }
        for (dev.skein.protocol.cert.RevocationList r : node.revocations()) {
            s.setRevocationsVersion(Math.max(s.getRevocationsVersion(), r.version()))
                    .setRevoked(s.getRevoked() + r.entries().size());
        }
        snap.conflicts().forEach(c -> s.addWarnings("conflict: " + c));
        node.refusedRoutes().forEach((prefix, why) -> s.addWarnings("route " + prefix + " refused: " + why));
        String exit = node.exitNodeProblem();
        if (exit != null) {
            s.addWarnings(exit);
        }
        snap.refusals().forEach(r -> s.addWarnings("refused " + r));
        return s.build();
    }

    private List<PeerInfo> peers() {
        Map<String, Membership.MemberView> members = new HashMap<>();
        membership().members().forEach(m -> members.put(m.name(), m));
        long nowMillis = System.currentTimeMillis();
        List<PeerInfo> out = new ArrayList<>();
        for (Peer p : node.device().peers()) {
            Membership.MemberView m = members.get(p.name());
            PeerInfo.Builder b = PeerInfo.newBuilder().setName(p.name()).setPath(p.path())
                    .setRxBytes(p.rxBytes()).setTxBytes(p.txBytes()).setWireguard(m == null);
            if (p.lastHandshakeMillis() != 0) {
                b.setHandshakeAgeMs(nowMillis - p.lastHandshakeMillis());
            }
            if (p.rttNanos() >= 0) {
                b.setRttUs(p.rttNanos() / 1000);
            }
            if (p.endpoint() != null) {
                b.setEndpoint(format(p.endpoint()));
            }
            if (m != null) {
                b.setAddress(m.certificate().address().address())
                        .setFingerprint(java.util.HexFormat.of().formatHex(m.certificate().fingerprint()))
                        .setCertificateExpiry(m.certificate().notAfter().getEpochSecond());
                IpPrefix address6 = m.certificate().address6();
                if (address6 != null && m.granted().contains(address6.host())) {
                    b.setAddress6(address6.address());
                }
                m.granted().stream().filter(g -> !m.certificate().hosts().contains(g))
                        .forEach(g -> b.addSubnets(g.toString()));
            } else {
                p.allowedIps().forEach(g -> b.addSubnets(g.toString()));
            }
            out.add(b.build());
        }
        out.sort(Comparator.comparing(PeerInfo::getName));
        return out;
    }

    private List<RouteInfo> routes() {
        List<RouteInfo> out = new ArrayList<>();
        Certificate cert = node.certificate();
        cert.hosts().forEach(h -> out.add(RouteInfo.newBuilder().setPrefix(h.toString()).setVia("local").build()));
        cert.subnets().forEach(p -> out.add(RouteInfo.newBuilder().setPrefix(p.toString()).setVia("local").build()));
        for (Map.Entry<IpPrefix, Peer> e : node.device().routes().snapshot()) {
            out.add(RouteInfo.newBuilder().setPrefix(e.getKey().toString()).setVia(e.getValue().name()).build());
        }
        node.refusedRoutes().forEach((prefix, why) ->
                out.add(RouteInfo.newBuilder().setPrefix(prefix.toString()).setVia("refused (" + why + ")").build()));
        out.sort(Comparator.comparing(RouteInfo::getPrefix));
        return out;
    }

    /** `skein reload`: the configuration file again, applied in place; a refused one changes nothing. */
    private Response reload() {
        try {
            return Response.newBuilder().setMessage(node.reloadConfigFile()).build();
        } catch (dev.skein.node.NodeException e) {
            return Response.newBuilder().setError("reload refused: " + e.getMessage()).build();
        }
    }

    /** `skein revocations push`: adopt and spread a CA-signed revocation list; refused ones change nothing. */
    private Response pushRevocations(byte[] list) {
        Membership m = node.membership();
        if (m == null) {
            return Response.newBuilder().setError("the node is not up yet").build();
        }
        try {
            String outcome = m.pushRevocations(list, "skein revocations push")
                    .get(10, java.util.concurrent.TimeUnit.SECONDS);
            return outcome.startsWith("refused")
                    ? Response.newBuilder().setError("revocation list " + outcome).build()
                    : Response.newBuilder().setMessage(outcome).build();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return Response.newBuilder().setError("the node did not take the list: " + e).build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Response.newBuilder().setError("interrupted").build();
        }
    }

    /** Pings a member (by name) or an address over the mesh with ICMP echo, timing each reply. */
    private Response ping(PingRequest req) {
        String target = req.getTarget().trim();
        Peer peer = null;
        byte[] address = null;
        for (Membership.MemberView m : membership().members()) {
            if (m.name().equals(target)) {
                address = m.certificate().address().ip();
                peer = node.device().routes().lookup(address);
            }
        }
        if (address == null) {
            try {
                address = IpPrefix.parseAddress(target);
            } catch (IllegalArgumentException e) {
                return Response.newBuilder().setError("'" + target + "' is neither a member's name nor an address")
                        .build();
            }
            peer = node.device().routes().lookup(address);
        }
        if (peer == null) {
            return Response.newBuilder().setError("no route to " + target + ": no member owns that address").build();
        }
        int count = Math.max(1, Math.min(100, req.getCount() == 0 ? 4 : req.getCount()));
        int timeout = Math.max(100, Math.min(10_000, req.getTimeoutMs() == 0 ? 2000 : req.getTimeoutMs()));
        int interval = Math.min(5_000, req.getIntervalMs() == 0 ? 1000 : req.getIntervalMs());
        PingResult.Builder result = PingResult.newBuilder().setName(peer.name())
                .setAddress(IpPrefix.formatAddress(address)).setPath(peer.path());
        try {
            InetAddress to = InetAddress.getByAddress(address);
            for (int seq = 1; seq <= count; seq++) {
                long start = System.nanoTime();
                boolean ok = to.isReachable(timeout); // ICMP echo: the node runs as root
                long rtt = System.nanoTime() - start;
                if (ok) {
                    peer.recordRtt(rtt);
                }
                PingReply.Builder reply = PingReply.newBuilder().setSeq(seq).setOk(ok).setPath(peer.path());
                if (ok) {
                    reply.setRttUs(rtt / 1000);
                }
                result.addReplies(reply);
                if (seq < count && interval > 0) {
                    Thread.sleep(Math.max(0, interval - (ok ? rtt / 1_000_000 : timeout)));
                }
            }
        } catch (IOException e) {
            return Response.newBuilder().setError("ping " + target + ": " + e.getMessage()).build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Response.newBuilder().setPing(result).build();
    }

    private static String format(InetSocketAddress e) {
        return dev.skein.protocol.addr.AddressText.endpoint(e);
    }
}
