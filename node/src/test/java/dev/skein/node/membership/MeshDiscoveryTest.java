package dev.skein.node.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.atomix.cluster.Node;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * SWIM is handed only the verified nodes its gossip layer does not list yet, each again once dropped, and those
 * only at one probe in four.
 */
class MeshDiscoveryTest {
    private static Set<String> handed(MeshDiscovery d) {
        return d.unlistedNodes().stream().map(n -> n.id().id() + "@" + n.address()).collect(Collectors.toSet());
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
        Set<Node> same = d.unlistedNodes();
        assertEquals(same, d.unlistedNodes());

        d.gossipLists(Set.of("b"));
        assertEquals(Set.of("a@100.64.0.9:7946"), handed(d), "dropped by the gossip layer: handed again, as it moved");
        d.forget("a");
        assertEquals(Set.of(), handed(d), "forgotten: not handed at all");
        d.gossipLists(Set.of());
        assertEquals(Set.of("b@100.64.0.2:7946"), handed(d));
    }

    @Test
    void swimIsHandedThemAtOneProbeInFour() {
        MeshDiscovery d = new MeshDiscovery();
        d.offer("a", "100.64.0.1", 7946);
        d.offer("b", "100.64.0.2", 7946);
        d.gossipLists(Set.of("a")); // b died: remembered for a healed partition, but probed only now and then
        assertEquals(Set.of("b"), names(d.getNodes()), "the first ask (SWIM's sync at its start) gets them");
        int handed = 0;
        for (int ask = 1; ask < 4 * 50; ask++) {
            Set<Node> nodes = d.getNodes();
            if (!nodes.isEmpty()) {
                assertEquals(Set.of("b"), names(nodes));
                handed++;
            }
        }
        assertEquals(49, handed, "one ask in " + MeshDiscovery.UNLISTED_PROBE_SHARE);
        d.gossipLists(Set.of("a", "b"));
        for (int ask = 0; ask < 8; ask++) {
            assertEquals(Set.of(), d.getNodes(), "all listed: nothing to hand");
        }
    }

    private static Set<String> names(Set<Node> nodes) {
        return nodes.stream().map(n -> n.id().id()).collect(Collectors.toSet());
    }
}
