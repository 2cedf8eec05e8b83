package dev.skein.node.membership;

import io.atomix.cluster.messaging.ManagedMessagingService;
import io.atomix.cluster.messaging.ManagedUnicastService;

/**
 * The seam between the gossip layer and its transport: a node uses Atomix's own TCP messaging and UDP unicast
 * as they are ({@link #DIRECT}); a simulation wraps them to drop, delay or cut messages between chosen members
 * while everything above (SWIM, records, membership) runs unchanged.
 */
public interface GossipTransport {
    GossipTransport DIRECT = new GossipTransport() {
        @Override
        public ManagedMessagingService messaging(ManagedMessagingService real) {
            return real;
        }

        @Override
        public ManagedUnicastService unicast(ManagedUnicastService real) {
            return real;
        }
    };

    /** The TCP messaging (probes, record pushes, goodbyes) the gossip layer will use. */
    ManagedMessagingService messaging(ManagedMessagingService real);

    /** The UDP unicast (SWIM's gossip) the gossip layer will use. */
    ManagedUnicastService unicast(ManagedUnicastService real);
}
