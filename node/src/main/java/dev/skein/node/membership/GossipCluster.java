package dev.skein.node.membership;

import io.atomix.cluster.AtomixCluster;
import io.atomix.cluster.AtomixClusterBuilder;
import io.atomix.cluster.ClusterConfig;
import io.atomix.cluster.messaging.ManagedMessagingService;
import io.atomix.cluster.messaging.ManagedUnicastService;
import io.atomix.cluster.protocol.GroupMembershipProtocol;
import java.util.concurrent.CompletableFuture;

/**
 * An Atomix cluster whose messaging sends each message on a connection of its own ({@link OneShotMessaging}),
 * whose unicast reads every datagram whole ({@link WholeDatagrams}), both passing through a {@link GossipTransport},
 * and whose SWIM probes go as datagrams on that unicast ({@link DatagramProbes}). Atomix's cluster event service
 * is never started (see {@link #startServices}).
 */
final class GossipCluster extends AtomixCluster {
    private GossipCluster(ClusterConfig config, Transports transports) {
        super(config, null, transports.messaging(), transports.unicast(), buildBroadcastService(config));
    }

    /**
     * Atomix's services in Atomix's order, all but its cluster event service. Skein does not use that service (its
     * messages go through the communication service), yet once started it sends its subscriptions to one random
     * member every second, a TCP connection each ({@link OneShotMessaging}) through the overlay: at 32 nodes
     * forming on two cores, Atomix's TCP messaging threads were the second user of CPU after the JIT. Stopping a
     * service that never started does nothing, so Atomix's own stop is kept. An older member's subscriptions
     * sent to us find no handler, which its event service takes without a word.
     */
    @Override
    protected CompletableFuture<Void> startServices() {
        return messagingService.start()
                .thenCompose(m -> unicastService.start())
                .thenCompose(u -> broadcastService.start())
                .thenCompose(b -> membershipService.start())
                .thenCompose(ms -> communicationService.start())
                .thenApply(c -> null);
    }

    /** The membership protocol the cluster built and runs (SWIM). */
    GroupMembershipProtocol protocol() {
        return membershipProtocol;
    }

    /** The messaging and unicast services of one cluster, built in Atomix's order (messaging first). */
    private record Transports(ManagedMessagingService messaging, ManagedUnicastService unicast) {
        static Transports of(ClusterConfig config, GossipTransport transport) {
            ManagedMessagingService tcp = transport.messaging(new OneShotMessaging(buildMessagingService(config)));
            ManagedUnicastService udp = transport.unicast(new WholeDatagrams(buildUnicastService(config)));
            return new Transports(new DatagramProbes(tcp, udp), udp);
        }
    }

    /** Atomix's builder, building a {@link GossipCluster}. */
    static final class Builder extends AtomixClusterBuilder {
        private final GossipTransport transport;

        Builder(GossipTransport transport) {
            super(new ClusterConfig());
            this.transport = transport;
        }

        @Override
        public AtomixCluster build() {
            return new GossipCluster(config, Transports.of(config, transport));
        }
    }
}
