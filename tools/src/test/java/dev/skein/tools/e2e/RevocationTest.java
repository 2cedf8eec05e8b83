package dev.skein.tools.e2e;

import static org.junit.jupiter.api.Assertions.*;

import dev.skein.node.pki.PkiFiles;
import dev.skein.protocol.addr.IpPrefix;
import dev.skein.protocol.cert.CertificateAuthority;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * A stolen laptop revoked from any node: `skein ca revoke` signs the list, `skein revocations push` hands it to
 * one member, and gossip takes it to all. Five nodes on one bridge; n1 is the seed, n4 the stolen laptop.
 *
 * <pre>
 *   [n1] 198.18.0.1 ... [n5] 198.18.0.5  --  br0 [bridge]
 * </pre>
 */
class RevocationTest extends BridgeTest {


    private SkeinProcess start(String ns, int i) throws Exception {
        return SkeinProcess.up(netns, ns, pki.config("n" + i, i == 1 ? "[]" : "[198.18.0.1:51820]", "ca.crt",
                "state-dir: state-n" + i + "\n"));
    }

    private String peers(String ns, int i) {
        return SkeinProcess.cliIn(ns, "peers", "--json", "--socket", pki.socket("n" + i).toString()).output();
    }

    @Test
    void aRevokedMemberIsRemovedEverywhereWithinSecondsAndCannotComeBack() throws Exception {
        String[] ns = new String[6];
        SkeinProcess[] node = new SkeinProcess[6];
        for (int i = 1; i <= 4; i++) {
            ns[i] = host(i);
            pki.issue("n" + i, "100.64.0." + i + "/16");
            node[i] = start(ns[i], i);
        }
        for (int i = 1; i <= 3; i++) {
            node[i].awaitLog("n4 added", 30);
        }
        assertTrue(Netns.reaches(ns[4], "100.64.0.1"), "n4 is not a member yet");
        String fingerprint = java.util.HexFormat.of().formatHex(PkiFiles.readCertificate(dir.resolve("n4.crt"))
                .fingerprint());
        assertTrue(peers(ns[1], 1).contains(fingerprint), "skein peers --json names each member's fingerprint");
        assertTrue(SkeinProcess.cli("cert", "show", dir.resolve("n4.crt").toString()).output()
                .contains("fingerprint:  " + fingerprint), "skein cert show prints it");

        // A list signed by another CA's key (the same name): refused, nothing changes.
        Path forgedCa = Files.createDirectories(dir.resolve("forged"));
        Instant now = Instant.now();
        CertificateAuthority other = CertificateAuthority.create("mesh", IpPrefix.parse("100.64.0.0/10"),
                now.minusSeconds(3600), now.plus(Duration.ofDays(1)), new SecureRandom());
        PkiFiles.writeCertificate(forgedCa.resolve("ca.crt"), other.certificate());
        PkiFiles.writeKeys(forgedCa.resolve("ca.key"), new PkiFiles.Keys(new byte[0], other.signingKey()));
        assertEquals(0, SkeinProcess.cli("ca", "revoke", "--ca", forgedCa.toString(),
                "--cert", dir.resolve("n4.crt").toString()).exit());
        Netns.Result forged = SkeinProcess.cliIn(ns[2], "revocations", "push", forgedCa.resolve("revocations").toString(),
                "--socket", pki.socket("n2").toString());
        assertNotEquals(0, forged.exit(), forged.output());
        assertTrue(forged.output().contains("revocation list of a CA that is not ours"), forged.output());

        // The real one, pushed to n2 only.
        Netns.Result revoke = SkeinProcess.cli("ca", "revoke", "--ca", dir.toString(),
                "--cert", dir.resolve("n4.crt").toString(), "--reason", "stolen");
        assertEquals(0, revoke.exit(), revoke.output());
        long start = System.nanoTime();
        Netns.Result push = SkeinProcess.cliIn(ns[2], "revocations", "push", dir.resolve("revocations").toString(),
                "--socket", pki.socket("n2").toString());
        assertEquals(0, push.exit(), push.output());
        assertTrue(push.output().contains("adopted version 1"), push.output());
        double slowest = 0;
        for (int i : new int[] {2, 1, 3}) {
            node[i].awaitLog("n4 removed: its certificate is revoked", 10);
            slowest = Math.max(slowest, (System.nanoTime() - start) / 1e9);
        }
        System.out.printf("revocation: removed from all three members %.2f s after the push%n", slowest);
        assertTrue(slowest <= 10, "took " + slowest + " s");
        for (int i = 1; i <= 3; i++) {
            assertFalse(peers(ns[i], i).contains("\"n4\""), "n4 is still a peer of n" + i);
            assertTrue(SkeinProcess.statusJson(ns[i], pki.socket("n" + i)).contains("\"revocationsVersion\": 1,"));
        }
        assertNotEquals(0, Netns.exec(ns[4], "ping -c 2 -i 0.3 -W 1 100.64.0.1", 10).exit(), "n4's traffic flows");

        // The thief restarts n4 without the list it may have received: no member takes it back.
        assertEquals(0, node[4].stop());
        // An honest n4 given the list refuses to start.
        Path withList = dir.resolve("n4-listed.yaml");
        Files.writeString(withList, Files.readString(dir.resolve("n4.yaml"))
                .replace("key: n4.key}", "key: n4.key, revocations: revocations}"));
        Netns.Result refused = SkeinProcess.cliIn(ns[4], "up", "--config",
                withList.toString());
        assertEquals(1, refused.exit(), refused.output());
        assertTrue(refused.output().contains("certificate revoked by the CA"), refused.output());
        Path n4State = dir.resolve("state-n4");
        if (Files.isDirectory(n4State)) {
            try (var files = Files.list(n4State)) {
                for (Path f : files.filter(f -> f.toString().endsWith(".revocations")).toList()) {
                    Files.delete(f);
                }
            }
        }
        node[4] = start(ns[4], 4);
        // And a node that joins later, and a member that restarts, refuse it too.
        ns[5] = host(5);
        pki.issue("n5", "100.64.0.5/16");
        node[5] = start(ns[5], 5);
        assertEquals(0, node[3].stop());
        node[3] = start(ns[3], 3);
        node[5].awaitLog("n1 added", 30);
        node[3].awaitLog("n1 added", 30);
        Thread.sleep(8000);
        assertEquals(1, node[1].count("n4 added"), node[1].log());
        assertEquals(1, node[2].count("n4 added"), node[2].log());
        assertEquals(0, node[3].count("n4 added"), "n3 forgot the revocation when it restarted:\n" + node[3].log());
        assertEquals(0, node[5].count("n4 added"), "a newcomer took the revoked member:\n" + node[5].log());
        assertNotEquals(0, Netns.exec(ns[4], "ping -c 2 -i 0.3 -W 1 100.64.0.1", 10).exit());
        assertTrue(Netns.reaches(ns[5], "100.64.0.2"), "the rest of the mesh works");
    }
}
