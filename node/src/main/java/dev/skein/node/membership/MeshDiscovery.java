package dev.skein.node.membership;

import io.atomix.cluster.BootstrapService;
import io.atomix.cluster.Node;
import io.atomix.cluster.discovery.NodeDiscoveryConfig;
import io.atomix.cluster.discovery.NodeDiscoveryEvent;
import io.atomix.cluster.discovery.NodeDiscoveryEventListener;
import io.atomix.cluster.discovery.NodeDiscoveryProvider;
import io.atomix.utils.net.Address;
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
 * count as a member yet, which is how a node that restarted finds its way back.
 */
final class MeshDiscovery implements NodeDiscoveryProvider {
    private final Map<String, Node> nodes = new ConcurrentHashMap<>();
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
        Node old = nodes.put(name, node);
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
        Node node = nodes.remove(name);
        if (node != null) {
            NodeDiscoveryEvent event = new NodeDiscoveryEvent(NodeDiscoveryEvent.Type.LEAVE, node);
            listeners.forEach(l -> l.event(event));
        }
    }

    boolean lists(String name) {
        return nodes.containsKey(name);
    }

    @Override
    public Set<Node> getNodes() {
        return Set.copyOf(nodes.values());
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
