package dev.skein.node.membership;

import io.atomix.cluster.BootstrapService;
import io.atomix.cluster.Node;
import io.atomix.cluster.discovery.NodeDiscoveryConfig;
import io.atomix.cluster.discovery.NodeDiscoveryEvent;
import io.atomix.cluster.discovery.NodeDiscoveryEventListener;
import io.atomix.cluster.discovery.NodeDiscoveryProvider;
import io.atomix.utils.net.Address;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Atomix's entry points into the mesh: every member whose record or join message we verified, each under its
 * real name and overlay gossip address. Atomix's own bootstrap
 * provider needs its list at build time, but a seed's name and overlay address are known only once it has
 * answered; this provider learns them as the answers come. SWIM probes the nodes listed here that it does not
 * count as members yet, which is how the halves of a healed partition find each other; so those are all it is
 * handed, and only at one probe in {@link #UNLISTED_PROBE_SHARE} ({@link #getNodes}).
 */
final class MeshDiscovery implements NodeDiscoveryProvider {
    /** One probe in this many may go to a node the gossip layer does not list ({@link #getNodes}). */
    static final int UNLISTED_PROBE_SHARE = 4;
    private final Map<String, Node> nodes = new ConcurrentHashMap<>();
    /**
     * The nodes the gossip layer did not list when membership last read it: what {@link #getNodes} hands SWIM,
     * which asks at every probe (8 a second) and only to find the nodes it does not count as members yet. Handing
     * it every node made each probe build and filter hundreds of members (a fifth of a 512-node simulation's host
     * time once formed, in Atomix's {@code probe()} alone). Kept as nodes come and go, made into the set handed
     * out only when SWIM asks after a change. Guarded by this.
     */
    private final Map<String, Node> unlisted = new HashMap<>();
    /** The names the gossip layer listed when membership last read it (never changed in place). Guarded by this. */
    private Set<String> listedByGossip = Set.of();
    private volatile Set<Node> handed = Set.of();
    private volatile boolean changed;
    private final Set<NodeDiscoveryEventListener> listeners = new CopyOnWriteArraySet<>();
    /** SWIM's asks so far ({@link #getNodes}). */
    private final AtomicLong asks = new AtomicLong();
    private final Config config = new Config(this);

    /** Atomix re-creates the provider from its config; this config hands back this very instance. */
    static final class Config extends NodeDiscoveryConfig {
        private final MeshDiscovery provider;

        Config(MeshDiscovery provider) {
            this.provider = provider;
        }

        @Override
        public NodeDiscoveryProvider.Type getType() {
            return new Type();
        }

        final class Type implements NodeDiscoveryProvider.Type<Config> {
            @Override
            public String name() {
                return "skein-mesh";
            }

            @Override
            public Config newConfig() {
                return Config.this;
            }

            @Override
            public NodeDiscoveryProvider newProvider(Config c) {
                return c.provider;
            }
        }
    }

    /** Lists a member we exchanged join messages with. */
    void offer(String name, String overlayAddress, int gossipPort) {
        Node node = Node.builder().withId(name).withAddress(Address.from(overlayAddress, gossipPort)).build();
        Node old;
        synchronized (this) {
            old = nodes.put(name, node);
            if (!listedByGossip.contains(name)) {
                unlisted.put(name, node);
                changed = true;
            }
        }
        if (old == null || !Objects.equals(old.address(), node.address())) {
            NodeDiscoveryEvent event = new NodeDiscoveryEvent(NodeDiscoveryEvent.Type.JOIN, node);
            listeners.forEach(l -> l.event(event));
        }
    }

    /** Tells SWIM of the member again, which makes it probe the member now if it does not count it as one. */
    void nudge(String name) {
        Node node = nodes.get(name);
        if (node != null) {
            NodeDiscoveryEvent event = new NodeDiscoveryEvent(NodeDiscoveryEvent.Type.JOIN, node);
            listeners.forEach(l -> l.event(event));
        }
    }

    /** Stops listing a member (it left, or was forgotten). */
    void forget(String name) {
        Node node;
        synchronized (this) {
            node = nodes.remove(name);
            changed |= unlisted.remove(name) != null;
        }
        if (node != null) {
            NodeDiscoveryEvent event = new NodeDiscoveryEvent(NodeDiscoveryEvent.Type.LEAVE, node);
            listeners.forEach(l -> l.event(event));
        }
    }

    /** The gossip layer lists these members now: SWIM is not handed them again until it drops one. */
    synchronized void gossipLists(Set<String> names) {
        listedByGossip = names;
        unlisted.clear();
        nodes.forEach((name, node) -> {
            if (!names.contains(name)) {
                unlisted.put(name, node);
            }
        });
        changed = true;
    }

    boolean lists(String name) {
        return nodes.containsKey(name);
    }

    /**
     * What SWIM is handed when it asks before a probe: the nodes it does not list ({@link #unlistedNodes}) at one
     * probe in {@link #UNLISTED_PROBE_SHARE}, nothing at the others.
     *
     * <p>Why: SWIM puts the nodes it is handed into its round of probes beside its members, and a member that
     * died stays here for 10 minutes after its removal (so that the halves of a partition find each other again).
     * With D such members beside M live ones, D/(D+M) of all probes went to nodes that cannot answer, each a
     * timeout and a handshake attempt through the overlay, and every live member was probed (D+M)/M times less
     * often: the wait before a newly dead member's first probe, which decides whether it is removed within 3 s,
     * grew by as much (a mesh with half its laptops asleep: twice). A node that joins does not need the round: it
     * is offered, and SWIM probes it at once ({@link #offer}); one that restarts probes us itself, and a believed
     * member left unlisted is asked for again by {@link Rediscovery}. What is left for the round is the slow path,
     * a healed partition, and one probe in four is plenty for it (each dead member is still probed by every node
     * now and then).
     */
    @Override
    public Set<Node> getNodes() {
        return asks.getAndIncrement() % UNLISTED_PROBE_SHARE == 0 ? unlistedNodes() : Set.of();
    }

    /** The nodes we verified that the gossip layer did not list when membership last read it. */
    Set<Node> unlistedNodes() {
        if (changed) {
            synchronized (this) {
                changed = false;
                handed = Set.copyOf(unlisted.values());
            }
        }
        return handed;
    }

    @Override
    public CompletableFuture<Void> join(BootstrapService bootstrap, Node localNode) {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> leave(Node localNode) {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void addListener(NodeDiscoveryEventListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(NodeDiscoveryEventListener listener) {
        listeners.remove(listener);
    }

    @Override
    public Config config() {
        return config;
    }
}
