package dev.skein.node.membership;

import static dev.skein.node.membership.TestMesh.NOW;
import static dev.skein.node.membership.TestMesh.SECOND;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.skein.node.dataplane.LogLimiter;
import dev.skein.protocol.member.MemberRecord;
import java.net.InetSocketAddress;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every way a record reaches us, checked before it counts: a member speaks only for itself and from its
 * certificate's address; a forged, foreign or garbled record is refused with a reason; a goodbye must be one.
 */
class RecordChecksTest {
    private static final InetSocketAddress ENDPOINT = new InetSocketAddress("198.18.0.9", 51820);

    private final TestMesh mesh = new TestMesh();
    private final TestMesh.Member home = mesh.member("home", "100.64.0.2/16");
    private final TestMesh.Member office = mesh.member("office", "100.64.0.3/16");
    private final Membership.Settings settings = mesh.settings(home, List.of(), List.of());
    private final MemberTable table = new MemberTable("home");
    private final MeshDiscovery discovery = new MeshDiscovery();
    private final Refusals refusals = new Refusals(new LogLimiter(1));
    private final RecordChecks checks = new RecordChecks(() -> settings, table, discovery, refusals);

    private static Gossip.Listed listed(String name, String host, byte[] signed) {
        return new Gossip.Listed(name, host, Base64.getEncoder().encodeToString(signed));
    }

    @Test
    void aMembersOwnRecordFromItsAddressCountsAndIsCheckedOnceWhileUnchanged() {
        byte[] signed = office.signed(office.record(1, ENDPOINT));
        Gossip.Listed m = listed("office", "100.64.0.3", signed);
        assertTrue(checks.fromGossip(m, SECOND, NOW));
        assertEquals(1, table.record("office").version());
        assertArrayEquals(signed, checks.signed("office"), "kept as signed, for our record sets");
        assertTrue(discovery.lists("office"), "the gossip layer may reach it now");
        assertFalse(checks.fromGossip(m, 2 * SECOND, NOW), "the same text is not checked again");
        assertEquals(List.of(), refusals.list());

        checks.listed(Set.of());
        assertTrue(checks.fromGossip(m, 3 * SECOND, NOW), "once the gossip layer dropped it, it is news again");
    }

    @Test
    void aRecordOfAnotherMemberFromAnotherAddressForeignOrGarbledIsRefusedWithItsReason() {
        TestMesh.Member lab = mesh.member("lab", "100.64.0.4/16");
        byte[] labs = lab.signed(lab.record(1, ENDPOINT));
        checks.fromGossip(listed("office", "100.64.0.3", labs), SECOND, NOW);
        checks.fromGossip(listed("lab", "100.64.0.3", labs), SECOND, NOW);
        TestMesh.Member mallory = new TestMesh("evil").member("mallory", "100.64.0.66/16");
        checks.fromGossip(listed("mallory", "100.64.0.66", mallory.signed(mallory.record(1, ENDPOINT))), SECOND, NOW);
        checks.fromGossip(new Gossip.Listed("junk", "100.64.0.5", "not base64 at all!"), SECOND, NOW);
        byte[] forged = office.signed(office.record(5, ENDPOINT));
        forged[forged.length - 3] ^= 1;
        checks.fromGossip(listed("forged", "100.64.0.3", forged), SECOND, NOW);

        List<String> said = refusals.list();
        assertEquals(5, said.size(), said.toString());
        assertTrue(said.get(0).contains("carries the record of 'lab': a node may speak only for itself"), said.get(0));
        assertTrue(said.get(1).contains("gossips from 100.64.0.3, not from its certificate's address 100.64.0.4"),
                said.get(1));
        assertTrue(said.get(3).endsWith("malformed record"), said.get(3));
        for (String name : List.of("office", "lab", "mallory", "junk")) {
            assertNull(table.record(name), name + " must not count");
            assertFalse(discovery.lists(name));
        }
    }

    @Test
    void aRecordSetCountsItsGoodRecordsAndRefusesTheRestOneByOne() {
        TestMesh.Member lab = mesh.member("lab", "100.64.0.4/16");
        byte[] forged = lab.signed(lab.record(2, ENDPOINT));
        forged[forged.length - 3] ^= 1;
        checks.fromSet(List.of(ByteString.copyFrom(office.signed(office.record(1, ENDPOINT))),
                ByteString.copyFrom(forged)), SECOND, NOW);
        assertEquals(1, table.record("office").version());
        assertNull(table.record("lab"));
        assertEquals(1, refusals.list().size(), refusals.list().toString());
        assertTrue(refusals.list().get(0).startsWith("a synced record: "), refusals.list().toString());
    }

    @Test
    void onlyASignedLeavingRecordIsAGoodbyeAndItEndsTheMembersListing() {
        MemberRecord r = office.record(1, ENDPOINT);
        checks.fromSet(List.of(ByteString.copyFrom(office.signed(r))), SECOND, NOW);
        assertTrue(discovery.lists("office"));
        assertFalse(checks.goodbye(office.signed(office.record(2, ENDPOINT)), 2 * SECOND, NOW),
                "a record that is not leaving is no goodbye");
        byte[] goodbye = office.signed(r.leavingAt(3));
        byte[] forged = goodbye.clone();
        forged[forged.length - 3] ^= 1;
        assertFalse(checks.goodbye(forged, 2 * SECOND, NOW), "a forged goodbye removes no one");
        assertTrue(discovery.lists("office"));
        assertTrue(checks.goodbye(goodbye, 2 * SECOND, NOW));
        assertTrue(table.record("office").leaving());
        assertFalse(discovery.lists("office"), "the gossip layer stops reaching it");

        checks.forgetAllBut(Set.of());
        assertNull(checks.signed("office"), "forgotten with the table's entry");
    }
}
