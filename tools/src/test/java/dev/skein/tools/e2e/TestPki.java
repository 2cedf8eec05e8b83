package dev.skein.tools.e2e;

import dev.skein.node.pki.PkiFiles;
import dev.skein.protocol.addr.IpPrefix;
import dev.skein.protocol.cert.Certificate;
import dev.skein.protocol.cert.CertificateAuthority;
import dev.skein.protocol.cert.CertificateRequest;
import dev.skein.protocol.crypto.Curve25519;
import dev.skein.protocol.crypto.Ed25519Keys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A test mesh's CA, node certificates and configuration files, all in one directory: what `skein ca init`,
 * `skein sign` and a hand-written YAML file would give a user. The CA outlives every node certificate.
 */
final class TestPki {
    private static final SecureRandom RANDOM = new SecureRandom();
    final Path dir;
    final CertificateAuthority ca;

    TestPki(Path dir) throws Exception {
        this(dir, null);
    }

    /** A mesh whose CA has the IPv6 network {@code network6} too (null: none), for dual-stack certificates. */
    TestPki(Path dir, String network6) throws Exception {
        this.dir = dir;
        Instant now = Instant.now();
        ca = CertificateAuthority.create("mesh", IpPrefix.parse("100.64.0.0/10"),
                network6 == null ? null : IpPrefix.parse(network6), now.minusSeconds(3600),
                now.plus(Duration.ofDays(30)), RANDOM);
        PkiFiles.writeCertificate(dir.resolve("ca.crt"), ca.certificate());
        PkiFiles.writeKeys(dir.resolve("ca.key"), new PkiFiles.Keys(new byte[0], ca.signingKey())); // for `skein ca`
    }

    /** Issues NAME.crt and NAME.key (replacing earlier ones: a renewal) with {@code issuer}. */
    Certificate issue(CertificateAuthority issuer, String name, String address, List<String> subnets, Instant from,
                      Instant until) throws Exception {
        return issue(issuer, name, address, subnets, List.of(), from, until);
    }

    /**
     * Issues NAME.crt and NAME.key with {@code groups} in the certificate. {@code address}: the IPv4 overlay
     * address, or "IPV4,IPV6" for a dual-stack node.
     */
    Certificate issue(CertificateAuthority issuer, String name, String address, List<String> subnets,
                      List<String> groups, Instant from, Instant until) throws Exception {
        byte[] x = Curve25519.generatePrivateKey(RANDOM);
        byte[] ed = Ed25519Keys.generatePrivateKey(RANDOM);
        String[] addresses = address.split(",");
        Certificate cert = issuer.sign(new CertificateRequest(name, IpPrefix.parse(addresses[0]),
                addresses.length > 1 ? IpPrefix.parse(addresses[1]) : null, subnets.stream().map(IpPrefix::parse).toList(), groups, Curve25519.publicKey(x),
                Ed25519Keys.publicKey(ed), from, until));
        Files.deleteIfExists(dir.resolve(name + ".crt"));
        PkiFiles.writeCertificate(dir.resolve(name + ".crt"), cert);
        Files.deleteIfExists(dir.resolve(name + ".key"));
        PkiFiles.writeKeys(dir.resolve(name + ".key"), new PkiFiles.Keys(x, ed));
        return cert;
    }

    /** Renews NAME.crt with the keys of NAME.key: a new certificate for the same keys, as an expiry renewal. */
    Certificate renew(String name, String address, Instant from, Instant until) throws Exception {
        PkiFiles.Keys keys = PkiFiles.readKeys(dir.resolve(name + ".key"));
        Certificate cert = ca.sign(new CertificateRequest(name, IpPrefix.parse(address), List.of(), List.of(),
                Curve25519.publicKey(keys.x25519PrivateKey()), Ed25519Keys.publicKey(keys.ed25519PrivateKey()),
                from, until));
        Path tmp = dir.resolve(name + ".crt.new");
        Files.deleteIfExists(tmp);
        PkiFiles.writeCertificate(tmp, cert);
        Files.move(tmp, dir.resolve(name + ".crt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return cert;
    }

    /** Issues a two-hour certificate from this mesh's CA. */
    Certificate issue(String name, String address) throws Exception {
        return issue(name, address, List.of());
    }

    /** Issues a two-hour certificate from this mesh's CA, with {@code groups}. */
    Certificate issue(String name, String address, List<String> groups) throws Exception {
        Instant now = Instant.now();
        return issue(ca, name, address, List.of(), groups, now.minusSeconds(60), now.plus(Duration.ofHours(2)));
    }

    /** Writes NAME.yaml: data port 51820, gossip port 7946, the given seeds and CA file, then {@code extra}. */
    Path config(String name, String seeds, String caFile, String extra) throws Exception {
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, "name: " + name + "\ninterface: skein0\nlisten-port: 51820\ngossip-port: 7946\n"
                + "seeds: " + seeds + "\npki: {ca: " + caFile + ", cert: " + name + ".crt, key: " + name + ".key}\n"
                + "control-socket: " + socket(name) + "\n" + extra);
        return file;
    }

    Path socket(String name) {
        return dir.resolve(name + ".sock");
    }
}
