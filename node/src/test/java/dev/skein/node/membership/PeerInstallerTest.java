package dev.skein.node.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skein.protocol.addr.IpPrefix;
import dev.skein.protocol.cert.Certificate;
import dev.skein.protocol.cert.CertificateAuthority;
import dev.skein.protocol.cert.CertificateRequest;
import dev.skein.protocol.cert.CertificateVerifier;
import dev.skein.protocol.crypto.Curve25519;
import dev.skein.protocol.crypto.Ed25519Keys;
import dev.skein.protocol.member.MemberRecord;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Installing peers, without the gossip layer: new members are installed and greeted, an unchanged one is not
 * installed again, a changed one is, a subnet two claim goes to one of them, and a member gone is removed.
 */
class PeerInstallerTest {
    private static final Instant NOW = Instant.now();
    private final SecureRandom random = new SecureRandom();
    private final CertificateAuthority ca = CertificateAuthority.create("acme", IpPrefix.parse("100.64.0.0/10"),
            NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(10)), random);
    private final List<String> calls = new ArrayList<>();

    private Certificate cert(String name, String address, List<String> subnets, byte[] ed25519) {
        return ca.sign(new CertificateRequest(name, IpPrefix.parse(address), subnets.stream().map(IpPrefix::parse).toList(),
                List.of(), Curve25519.publicKey(Curve25519.generatePrivateKey(random)), Ed25519Keys.publicKey(ed25519),
                NOW.minusSeconds(60), NOW.plus(Duration.ofDays(1))));
    }

    private static MemberRecord record(Certificate c, long version) {
        return new MemberRecord(c, version, 1, List.of(new InetSocketAddress("198.18.0.9", 51820)), 7946, false, false);
    }

    /** Records what membership asks of the data plane. */
    private final MemberPeers peers = new MemberPeers() {
        @Override
        public void install(String name, Certificate certificate, List<InetSocketAddress> endpoints,
                            List<IpPrefix> granted, boolean relay, boolean restarted, int gossipPort) {
            calls.add("install " + name + " " + granted);
        }

        @Override
        public void uninstall(String name) {
            calls.add("uninstall " + name);
        }

        @Override
        public long lastHeardNanos(String name) {
            return Long.MIN_VALUE / 2;
        }

        @Override
        public boolean sendDatagram(byte[] datagram, InetSocketAddress to) {
            return true;
        }

        @Override
        public boolean sendDatagram(byte[] datagram, String member) {
            calls.add("greet " + member);
            return true;
        }

        @Override
        public void handshake(String name) {
        }
    };

    @Test
    void installsGreetsReinstallsOnlyWhatChangedAndRemovesWhatIsGone() throws Exception {
        byte[] ourKey = Ed25519Keys.generatePrivateKey(random);
        Membership.Settings settings = new Membership.Settings(cert("home", "100.64.0.2/16", List.of(), ourKey), ourKey,
                new CertificateVerifier(ca.certificate()), 7946, List.of(), false, List::of);
        MemberTable table = new MemberTable("home");
        OwnRecord own = new OwnRecord(() -> settings, NOW.toEpochMilli());
        Joins joins = new Joins(() -> settings, own, peers, new Refusals(new dev.skein.node.dataplane.LogLimiter(1)));
        PeerInstaller installer = new PeerInstaller(() -> settings, peers, table, joins);
        byte[] k = Ed25519Keys.generatePrivateKey(random);
        MemberRecord office = record(cert("office", "100.64.0.3/16", List.of("100.96.1.0/24"), k), 1);
        MemberRecord lab = record(cert("lab", "100.64.0.4/16", List.of("100.96.1.0/24"), k), 1);
        long now = 1_000_000_000L;

        installer.apply(List.of(office), now, NOW);
        assertEquals(List.of("install office [100.64.0.3/32, 100.96.1.0/24]", "greet office"), calls);
        assertEquals(List.of("office"), installer.views().stream().map(Membership.MemberView::name).toList());

        calls.clear();
        installer.apply(List.of(office), now, NOW);
        assertEquals(List.of(), calls, "the same records: nothing to do");

        calls.clear();
        installer.apply(List.of(office, lab), now, NOW);
        // Both certificates issued at once: the smaller name keeps the subnet (Claims), office loses it.
        assertEquals(List.of("install office [100.64.0.3/32]", "install lab [100.64.0.4/32, 100.96.1.0/24]",
                "greet lab"), calls);
        assertEquals(1, installer.conflicts().size(), installer.conflicts().toString());

        calls.clear();
        MemberRecord officeMoved = record(office.certificate(), 2);
        installer.apply(List.of(officeMoved, lab), now, NOW);
        assertEquals(List.of("install office [100.64.0.3/32]"), calls,
                "a new version is installed again, not greeted again");

        calls.clear();
        installer.apply(List.of(lab), now, NOW);
        assertEquals(List.of("uninstall office"), calls);
        assertEquals(List.of(), installer.conflicts());

        calls.clear();
        installer.reinstallAll();
        installer.apply(List.of(lab), now, NOW);
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
