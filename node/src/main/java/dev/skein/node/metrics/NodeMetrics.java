package dev.skein.node.metrics;

import dev.skein.node.Node;
import dev.skein.node.dns.DnsServer;
import dev.skein.node.membership.Membership;
import dev.skein.node.peer.Peer;
import dev.skein.protocol.cert.RevocationList;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.HashSet;
import java.util.Set;

/**
 * The node's state as Prometheus metrics, read at each scrape from the same sources as `skein status` and
 * `skein peers` (nothing is counted twice, nothing on the packet path waits for a scrape). Names follow the
 * Prometheus conventions: the {@code skein_} prefix, base units (bytes, seconds), {@code _total} on counters
 * (the client adds it), a {@code peer} label naming the peer as `skein peers` does.
 */
public final class NodeMetrics {
    private NodeMetrics() {}

    /** A registry holding every metric of {@code node}. */
    public static PrometheusRegistry registry(Node node) {
        PrometheusRegistry r = new PrometheusRegistry();
        peers(node, r);
        dataPlane(node, r);
        membership(node, r);
        dns(node, r);
        return r;
    }

    private static void dns(Node node, PrometheusRegistry r) {
        CounterWithCallback.builder().name("skein_dns_queries_answered")
                .help("DNS queries for member names answered (NXDOMAIN and REFUSED included)").callback(cb -> {
                    DnsServer.Counts c = node.dnsCounts();
                    if (c != null) {
                        cb.call(c.answered());
                    }
                }).register(r);
        CounterWithCallback.builder().name("skein_dns_queries_dropped")
                .help("DNS queries dropped: over a source's rate, unreadable, every TCP handler busy")
                .labelNames("reason").callback(cb -> {
                    DnsServer.Counts c = node.dnsCounts();
                    if (c != null) {
                        cb.call(c.droppedRate(), "rate");
                        cb.call(c.droppedUnreadable(), "unreadable");
                        cb.call(c.droppedBusy(), "busy");
                    }
                }).register(r);
    }

    private static void peers(Node node, PrometheusRegistry r) {
        CounterWithCallback.builder().name("skein_peer_receive_bytes").unit(Unit.BYTES)
                .help("Packet bytes received from the peer, decrypted").labelNames("peer")
                .callback(cb -> node.device().peers().forEach(p -> cb.call(p.rxBytes(), p.name()))).register(r);
        CounterWithCallback.builder().name("skein_peer_transmit_bytes").unit(Unit.BYTES)
                .help("Packet bytes sent to the peer, before encryption").labelNames("peer")
                .callback(cb -> node.device().peers().forEach(p -> cb.call(p.txBytes(), p.name()))).register(r);
        GaugeWithCallback.builder().name("skein_peer_last_handshake_timestamp_seconds")
                .help("When the last handshake with the peer completed (Unix time); absent before the first")
                .labelNames("peer").callback(cb -> node.device().peers().forEach(p -> {
                    if (p.lastHandshakeMillis() > 0) {
                        cb.call(p.lastHandshakeMillis() / 1000.0, p.name());
                    }
                })).register(r);
        GaugeWithCallback.builder().name("skein_peer_rtt_seconds")
                .help("The last round trip measured to the peer (a handshake we initiated or a skein ping)")
                .labelNames("peer").callback(cb -> node.device().peers().forEach(p -> {
                    if (p.rttNanos() >= 0) {
                        cb.call(p.rttNanos() / 1e9, p.name());
                    }
                })).register(r);
        GaugeWithCallback.builder().name("skein_peer_relayed")
                .help("1 while packets to the peer go through a relay member (named by 'via'), 0 while direct")
                .labelNames("peer", "via").callback(cb -> node.device().peers().forEach(p -> {
                    Peer via = p.relay();
                    cb.call(via == null ? 0 : 1, p.name(), via == null ? "" : via.name());
                })).register(r);
    }

    private static void dataPlane(Node node, PrometheusRegistry r) {
        CounterWithCallback.builder().name("skein_sessions_established")
                .help("Handshakes completed, as initiator or responder")
                .callback(cb -> cb.call(node.device().counters().sessionsEstablished.get())).register(r);
        CounterWithCallback.builder().name("skein_dropped_packets")
                .help("Datagrams and packets the node dropped, by reason (as skein status names them)")
                .labelNames("reason")
                .callback(cb -> node.device().drops().forEach((reason, n) -> cb.call(n, reason))).register(r);
        CounterWithCallback.builder().name("skein_relayed_packets")
                .help("Datagrams forwarded between two other members, as a relay")
                .callback(cb -> cb.call(node.device().counters().relayedPackets.get())).register(r);
        CounterWithCallback.builder().name("skein_relayed_bytes").unit(Unit.BYTES)
                .help("Bytes of the datagrams forwarded as a relay")
                .callback(cb -> cb.call(node.device().counters().relayedBytes.get())).register(r);
        GaugeWithCallback.builder().name("skein_firewall_flows").help("Connections the firewall tracks now")
                .callback(cb -> cb.call(node.device().firewall().flows())).register(r);
    }

    private static void membership(Node node, PrometheusRegistry r) {
        GaugeWithCallback.builder().name("skein_mesh_members")
                .help("Members of the mesh this node holds alive, itself included")
                .callback(cb -> cb.call(snapshot(node).members().size() + 1)).register(r);
        CounterWithCallback.builder().name("skein_members_added").help("Members installed as peers")
                .callback(cb -> cb.call(activity(node).membersAdded())).register(r);
        CounterWithCallback.builder().name("skein_members_removed").help("Members removed: left, expired, revoked, silent")
                .callback(cb -> cb.call(activity(node).membersRemoved())).register(r);
        CounterWithCallback.builder().name("skein_membership_refusals")
                .help("Records, join messages and lists membership refused (forged, foreign, stale, malformed)")
                .callback(cb -> cb.call(activity(node).refusals())).register(r);
        CounterWithCallback.builder().name("skein_gossip_messages_sent")
                .help("Messages sent over the gossip layer, SWIM's probes included")
                .callback(cb -> cb.call(activity(node).gossipMessagesSent())).register(r);
        GaugeWithCallback.builder().name("skein_certificate_expiry_timestamp_seconds")
                .help("When a certificate expires (Unix time): this node's, and each member's")
                .labelNames("member").callback(cb -> {
                    cb.call(node.certificate().notAfter().getEpochSecond(), node.certificate().name());
                    Set<String> seen = new HashSet<>();
                    for (Membership.MemberView m : snapshot(node).members()) {
                        if (seen.add(m.name())) {
                            cb.call(m.certificate().notAfter().getEpochSecond(), m.name());
                        }
                    }
                }).register(r);
        GaugeWithCallback.builder().name("skein_revocation_list_version")
                .help("The newest CA-signed revocation list held (0: none)").callback(cb -> {
                    long v = 0;
                    for (RevocationList l : node.revocations()) {
                        v = Math.max(v, l.version());
                    }
                    cb.call(v);
                }).register(r);
    }

    private static Membership.Snapshot snapshot(Node node) {
        Membership m = node.membership();
        return m == null ? Membership.Snapshot.EMPTY : m.snapshot();
    }

    private static Membership.Activity activity(Node node) {
        Membership m = node.membership();
        return m == null ? new Membership.Activity(0, 0, 0, 0) : m.activity();
    }
}
