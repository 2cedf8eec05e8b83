package dev.skein.node.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.skein.protocol.member.MemberRecord;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Installing peers, without the gossip layer: new members are installed and greeted, an unchanged one is not
 * installed again, a changed one is, a subnet two claim goes to one of them, and a member gone is removed.
 */
class PeerInstallerTest {
    private final TestMesh mesh = new TestMesh();
    private final RecordingPeers peers = new RecordingPeers();
    private final List<String> calls = peers.calls;

    @Test
    void installsGreetsReinstallsOnlyWhatChangedAndRemovesWhatIsGone() throws Exception {
        Membership.Settings settings = mesh.settings(mesh.member("home", "100.64.0.2/16"), List.of(), List.of());
        MemberTable table = new MemberTable("home");
        OwnRecord own = new OwnRecord(() -> settings, TestMesh.NOW.toEpochMilli());
        Joins joins = new Joins(() -> settings, own, peers, new Refusals(new dev.skein.node.dataplane.LogLimiter(1)));
        PeerInstaller installer = new PeerInstaller(() -> settings, peers, table, joins);
        InetSocketAddress endpoint = new InetSocketAddress("198.18.0.9", 51820);
        MemberRecord office = mesh.member("office", "100.64.0.3/16", "100.96.1.0/24").record(1, endpoint);
        MemberRecord lab = mesh.member("lab", "100.64.0.4/16", "100.96.1.0/24").record(1, endpoint);
        long now = 1_000_000_000L;

        installer.apply(List.of(office), now, TestMesh.NOW);
        assertEquals(List.of("install office [100.64.0.3/32, 100.96.1.0/24]", "greet office"), calls);
        assertEquals(List.of("office"), installer.views().stream().map(Membership.MemberView::name).toList());

        calls.clear();
        installer.apply(List.of(office), now, TestMesh.NOW);
        assertEquals(List.of(), calls, "the same records: nothing to do");

        calls.clear();
        installer.apply(List.of(office, lab), now, TestMesh.NOW);
        // Both certificates issued at once: the smaller name keeps the subnet (Claims), office loses it.
        assertEquals(List.of("install office [100.64.0.3/32]", "install lab [100.64.0.4/32, 100.96.1.0/24]",
                "greet lab"), calls);
        assertEquals(1, installer.conflicts().size(), installer.conflicts().toString());

        calls.clear();
        MemberRecord officeMoved = new MemberRecord(office.certificate(), 2, 1, office.endpoints(), 7946, false, false);
        installer.apply(List.of(officeMoved, lab), now, TestMesh.NOW);
        assertEquals(List.of("install office [100.64.0.3/32]"), calls,
                "a new version is installed again, not greeted again");

        calls.clear();
        installer.apply(List.of(lab), now, TestMesh.NOW);
        assertEquals(List.of("uninstall office"), calls);
        assertEquals(List.of(), installer.conflicts());

        calls.clear();
        installer.reinstallAll();
        installer.apply(List.of(lab), now, TestMesh.NOW);
        assertEquals(List.of("install lab [100.64.0.4/32, 100.96.1.0/24]"), calls, "a reload installs every member anew");
    }

    @Test
    void refusalsKeepOneLinePerSenderAndAreBounded() {
        Refusals r = new Refusals(new dev.skein.node.dataplane.LogLimiter(1_000_000_000L));
        r.refuse("join from 198.18.0.9", "bad signature", 0);
        r.refuse("join from 198.18.0.9", "too old", 1);
        assertEquals(List.of("join from 198.18.0.9: too old"), r.list());
        for (int i = 0; i < 100; i++) {
            r.refuse("join from 198.19.0." + i, "bad", i);
        }
        assertEquals(Refusals.MAX, r.list().size());
        assertEquals("join from 198.19.0.99: bad", r.list().get(Refusals.MAX - 1));
    }
}
