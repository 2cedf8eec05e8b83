package dev.skein.node.membership;

import io.atomix.cluster.AtomixCluster;
import io.atomix.cluster.AtomixClusterBuilder;
import io.atomix.cluster.ClusterConfig;

/**
 * An Atomix cluster whose messaging sends each message on a connection of its own ({@link OneShotMessaging}) and
 * whose unicast reads every datagram whole ({@link WholeDatagrams}), both passing through a {@link GossipTransport}.
 */
final class GossipCluster extends AtomixCluster {
    private GossipCluster(ClusterConfig config, GossipTransport transport) {
        super(config, null, transport.messaging(new OneShotMessaging(buildMessagingService(config))),
                transport.unicast(new WholeDatagrams(buildUnicastService(config))), buildBroadcastService(config));
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
            return new GossipCluster(config, transport);
        }
    }
}
