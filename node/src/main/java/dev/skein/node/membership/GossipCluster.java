package dev.skein.node.membership;

import io.atomix.cluster.AtomixCluster;
import io.atomix.cluster.AtomixClusterBuilder;
import io.atomix.cluster.ClusterConfig;
import io.atomix.cluster.messaging.ManagedMessagingService;
import io.atomix.cluster.messaging.ManagedUnicastService;

/**
 * An Atomix cluster whose messaging sends each message on a connection of its own ({@link OneShotMessaging}),
 * whose unicast reads every datagram whole ({@link WholeDatagrams}), both passing through a {@link GossipTransport},
 * and whose SWIM probes go as datagrams on that unicast ({@link DatagramProbes}).
 */
final class GossipCluster extends AtomixCluster {
    private GossipCluster(ClusterConfig config, Transports transports) {
        super(config, null, transports.messaging(), transports.unicast(), buildBroadcastService(config));
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
