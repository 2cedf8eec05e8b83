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
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Moving a mesh to a new CA node by node: `pki.ca` names a bundle of the old and the new CA. n1 and n2 still
 * have certificates of the old CA, n3 one of the new; n4 knows only the old CA. One bridge, n1 the seed.
 */
class CaRotationTest extends BridgeTest {


    @Test
    void aBundleLetsOldAndNewCertificatesMeshAndEachCaRevokesItsOwn() throws Exception {
        Instant now = Instant.now();
        Path nextDir = Files.createDirectories(dir.resolve("ca-2026"));
        CertificateAuthority next = CertificateAuthority.create("mesh-2026", IpPrefix.parse("100.64.0.0/10"),
                now.minusSeconds(3600), now.plus(Duration.ofDays(30)), new SecureRandom());
        PkiFiles.writeCertificate(nextDir.resolve("ca.crt"), next.certificate());
        PkiFiles.writeKeys(nextDir.resolve("ca.key"), new PkiFiles.Keys(new byte[0], next.signingKey()));
        Files.writeString(dir.resolve("bundle.crt"), Files.readString(dir.resolve("ca.crt")) + "\n"
                + Files.readString(nextDir.resolve("ca.crt")));

        String[] ns = new String[5];
        SkeinProcess[] node = new SkeinProcess[5];
        for (int i = 1; i <= 4; i++) {
            ns[i] = host(i);
            pki.issue(i == 3 ? next : pki.ca, "n" + i, "100.64.0." + i + "/16", List.of(), now.minusSeconds(60),
                    now.plus(Duration.ofDays(20)));
            node[i] = SkeinProcess.up(netns, ns[i], pki.config("n" + i, i == 1 ? "[]" : "[198.18.0.1:51820]",
                    i == 4 ? "ca.crt" : "bundle.crt", ""));
        }
        node[1].awaitLog("n3 added", 30);
        node[2].awaitLog("n3 added", 30);
        node[3].awaitLog("n2 added", 30);
        assertTrue(Netns.reaches(ns[1], "100.64.0.3"), "old reaches new");
        assertTrue(Netns.reaches(ns[3], "100.64.0.2"), "new reaches old");
        node[4].awaitLog("n1 added", 30);
        Thread.sleep(3000);
        assertEquals(0, node[4].count("n3 added"), "a node without the new CA took its certificate");
        assertTrue(SkeinProcess.statusJson(ns[4], pki.socket("n4")).contains("is not from CA"),
                "n4 does not say why it refuses n3");

        // The new CA revokes its own member; the old CA's members stay.
        Netns.Result revoke = SkeinProcess.cli("ca", "revoke", "--ca",
                nextDir.toString(), "--cert", dir.resolve("n3.crt").toString());
        assertEquals(0, revoke.exit(), revoke.output());
        Netns.Result push = SkeinProcess.cliIn(ns[1], "revocations", "push",
                nextDir.resolve("revocations").toString(), "--socket", pki.socket("n1").toString());
        assertEquals(0, push.exit(), push.output());
        node[2].awaitLog("n3 removed: its certificate is revoked", 10);
        assertTrue(Netns.reaches(ns[2], "100.64.0.1"));
    }
}
