package dev.skein.node.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.atomix.cluster.Node;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** SWIM is handed only the verified nodes its gossip layer does not list yet, and each again once dropped. */
class MeshDiscoveryTest {
    private static Set<String> handed(MeshDiscovery d) {
        return d.getNodes().stream().map(n -> n.id().id() + "@" + n.address()).collect(Collectors.toSet());
    }

    @Test
    void handsSwimOnlyTheNodesItDoesNotListYet() {
        MeshDiscovery d = new MeshDiscovery();
        d.offer("a", "100.64.0.1", 7946);
        d.offer("b", "100.64.0.2", 7946);
        assertEquals(Set.of("a@100.64.0.1:7946", "b@100.64.0.2:7946"), handed(d));

        d.gossipLists(Set.of("a"));
        assertEquals(Set.of("b@100.64.0.2:7946"), handed(d), "a is a member already: probing it is SWIM's round");
        d.offer("a", "100.64.0.9", 7946);
        assertEquals(Set.of("b@100.64.0.2:7946"), handed(d), "a listed member that moved is still listed");

        d.gossipLists(Set.of("a", "b"));
        assertEquals(Set.of(), handed(d));
        Set<Node> same = d.getNodes();
        assertEquals(same, d.getNodes());

        d.gossipLists(Set.of("b"));
        assertEquals(Set.of("a@100.64.0.9:7946"), handed(d), "dropped by the gossip layer: handed again, as it moved");
        d.forget("a");
        assertEquals(Set.of(), handed(d), "forgotten: not handed at all");
        d.gossipLists(Set.of());
        assertEquals(Set.of("b@100.64.0.2:7946"), handed(d));
    }
}
