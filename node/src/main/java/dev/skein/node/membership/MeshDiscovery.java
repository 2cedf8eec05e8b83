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

/**
 * Atomix's entry points into the mesh: every member whose record or join message we verified, each under its
 * real name and overlay gossip address. Atomix's own bootstrap
 * provider needs its list at build time, but a seed's name and overlay address are known only once it has
 * answered; this provider learns them as the answers come. SWIM probes every node listed here that it does not
 * count as a member yet, which is how a node that restarted finds its way back; so those are all it is handed.
 */
final class MeshDiscovery implements NodeDiscoveryProvider {
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

    /** The nodes we verified that the gossip layer did not list when membership last read it. */
    @Override
    public Set<Node> getNodes() {
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
