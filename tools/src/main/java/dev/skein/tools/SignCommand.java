package dev.skein.tools;

import dev.skein.node.pki.PkiFileException;
import dev.skein.node.pki.PkiFiles;
import dev.skein.protocol.addr.IpPrefix;
import dev.skein.protocol.cert.Certificate;
import dev.skein.protocol.cert.CertificateAuthority;
import dev.skein.protocol.cert.CertificateRequest;
import dev.skein.protocol.crypto.Curve25519;
import dev.skein.protocol.crypto.Ed25519Keys;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "sign", mixinStandardHelpOptions = true,
        description = "Issue a node certificate: DIR/NAME.crt, and DIR/NAME.key with freshly generated keys.",
        footer = {"", "Example:",
                "  skein sign --ca pki/ --name office --address 100.64.0.2/16 --subnets 100.96.1.0/24 --out pki/",
                "  skein sign --ca pki/ --name home --address 100.64.0.3/16 --address fd00:64::3/64 --out pki/"
                        + "   (dual stack: the CA needs --network6)"})
final class SignCommand implements Callable<Integer> {
    @Option(names = "--ca", required = true, description = "directory holding ca.crt and ca.key")
    Path caDir;

    @Option(names = "--name", required = true, description = "the node's name (must match its configuration)")
    String name;

    @Option(names = "--address", required = true, split = ",", description = "overlay address with the mesh prefix, "
            + "e.g. 100.64.0.7/16; for dual stack give an IPv6 one too (fd00:64::7/64), again or after a comma")
    List<String> address;

    @Option(names = "--subnets", split = ",", description = "subnets the node routes for, comma-separated")
    List<String> subnets = new ArrayList<>();

    @Option(names = "--groups", split = ",", description = "groups, comma-separated")
    List<String> groups = new ArrayList<>();

    @Option(names = "--days", defaultValue = "365", description = "validity in days (default: ${DEFAULT-VALUE})")
    int days;

    @Option(names = "--public-key", description = "the node's X25519 public key (base64); with --signing-key, no key file is written")
    String publicKey;

    @Option(names = "--signing-key", description = "the node's Ed25519 public key (base64)")
    String signingKey;

    @Option(names = "--out", required = true, description = "directory for NAME.crt and NAME.key")
    Path out;

    @Override
    public Integer call() throws PkiFileException {
        CertificateAuthority ca = Args.loadCa(caDir);
        List<IpPrefix> addresses = Args.prefixes("--address", address);
        IpPrefix addr = addresses.stream().filter(IpPrefix::isIpv4).findFirst()
                .orElseThrow(() -> new UserError("--address: an IPv4 overlay address is needed (gossip runs on it)"));
        List<IpPrefix> v6 = addresses.stream().filter(p -> !p.isIpv4()).toList();
        if (addresses.size() - v6.size() > 1 || v6.size() > 1) {
            throw new UserError("--address: at most one IPv4 and one IPv6 address, not " + String.join(", ", address));
        }
        IpPrefix addr6 = v6.isEmpty() ? null : v6.get(0);
        if (days < 1) {
            throw new UserError("--days must be at least 1");
        }
        if ((publicKey == null) != (signingKey == null)) {
            throw new UserError("--public-key and --signing-key go together");
        }
        SecureRandom random = new SecureRandom();
        PkiFiles.Keys keys = null;
        byte[] x25519Public;
        byte[] ed25519Public;
        if (publicKey == null) {
            keys = new PkiFiles.Keys(Curve25519.generatePrivateKey(random), Ed25519Keys.generatePrivateKey(random));
            x25519Public = Curve25519.publicKey(keys.x25519PrivateKey());
            ed25519Public = Ed25519Keys.publicKey(keys.ed25519PrivateKey());
        } else {
            x25519Public = key("--public-key", publicKey);
            ed25519Public = key("--signing-key", signingKey);
        }
        Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Instant until = now.plus(Duration.ofDays(days));
        if (until.isAfter(ca.certificate().notAfter())) {
            until = ca.certificate().notAfter();
        }
        Certificate cert;
        try {
            cert = ca.sign(new CertificateRequest(name, addr, addr6, Args.prefixes("--subnets", subnets), groups,
                    x25519Public, ed25519Public, now.minusSeconds(60), until));
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
        Path crt = out.resolve(name + ".crt");
        Path key = out.resolve(name + ".key");
        Args.refuseExisting(crt, key);
        PkiFiles.writeCertificate(crt, cert);
        if (keys != null) {
            PkiFiles.writeKeys(key, keys);
        }
        System.out.printf("%s: %s%s, valid until %s%n  %s%n%s", name, addr6 == null ? addr : addr + " and " + addr6,
                subnets.isEmpty() ? "" : ", routes " + String.join(", ", subnets), until, crt,
                keys != null ? "  " + key + "  (keep on the node only)\n" : "");
        if (cert.subnets().stream().anyMatch(p -> p.bits() == 0)) {
            System.out.println("note: a default route makes " + name + " an exit node; no member routes its "
                    + "traffic there unless its own configuration says so");
        }
        return 0;
    }

    private static byte[] key(String option, String text) {
        try {
            return Curve25519.decodeBase64(text);
        } catch (IllegalArgumentException e) {
            throw new UserError(option + ": " + e.getMessage());
        }
    }
}
