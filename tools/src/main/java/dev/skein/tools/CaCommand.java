package dev.skein.tools;

import dev.skein.node.pki.PkiFileException;
import dev.skein.node.pki.PkiFiles;
import dev.skein.protocol.addr.IpPrefix;
import dev.skein.protocol.cert.CertificateAuthority;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import dev.skein.protocol.cert.Certificate;
import dev.skein.protocol.cert.RevocationList;
import java.nio.file.Files;

@Command(name = "ca", description = "Manage the mesh's certificate authority.",
        subcommands = {CaCommand.Init.class, CaCommand.Revoke.class}, mixinStandardHelpOptions = true)
final class CaCommand {

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = "Create a CA: DIR/ca.crt (give to every node) and DIR/ca.key (keep offline).",
            footer = {"", "Examples:", "  skein ca init --name acme --out pki/",
                    "  skein ca init --name acme --network6 fd00:64::/48 --out pki/   (dual stack)"})
    static final class Init implements Callable<Integer> {
        @Option(names = "--name", required = true, description = "the mesh's name")
        String name;

        @Option(names = "--out", required = true, description = "directory for ca.crt and ca.key")
        Path out;

        @Option(names = "--network", defaultValue = "100.64.0.0/10",
                description = "the mesh's address range; node addresses must lie inside (default: ${DEFAULT-VALUE})")
        String network;

        @Option(names = "--network6", description = "the mesh's IPv6 range, e.g. a unique local fd00::/8 prefix; "
                + "nodes may then carry an IPv6 address inside it (default: none, IPv4 only)")
        String network6;

        @Option(names = "--days", defaultValue = "3650", description = "validity in days (default: ${DEFAULT-VALUE})")
        int days;

        @Override
        public Integer call() throws PkiFileException {
            IpPrefix net = Args.prefix("--network", network);
            IpPrefix net6 = network6 == null ? null : Args.prefix("--network6", network6);
            if (days < 1) {
                throw new UserError("--days must be at least 1");
            }
            Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            CertificateAuthority ca;
            try {
                ca = CertificateAuthority.create(name, net, net6, now.minusSeconds(60),
                        now.plus(Duration.ofDays(days)), new SecureRandom());
            } catch (IllegalArgumentException e) {
                throw new UserError(e.getMessage());
            }
            Path crt = out.resolve("ca.crt");
            Path key = out.resolve("ca.key");
            Args.refuseExisting(crt, key);
            PkiFiles.writeCertificate(crt, ca.certificate());
            PkiFiles.writeKeys(key, new PkiFiles.Keys(new byte[0], ca.signingKey()));
            System.out.printf("CA '%s' for %s, valid until %s%n  %s  (give to every node)%n  %s  (keep offline)%n",
                    name, net6 == null ? net.network() : net.network() + " and " + net6.network(),
                    ca.certificate().notAfter(), crt, key);
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Revoke a node certificate: adds it to the CA's signed revocation list (DIR/revocations, "
                    + "next version). Then hand the list to any node with `skein revocations push FILE`.",
            footer = {"", "Example:", "  skein ca revoke --ca pki/ --cert pki/laptop.crt --reason stolen"})
    static final class Revoke implements Callable<Integer> {
        @Option(names = "--ca", required = true, description = "directory holding ca.crt and ca.key")
        Path caDir;

        @Option(names = "--cert", description = "the certificate to revoke")
        Path cert;

        @Option(names = "--fingerprint", description = "or its fingerprint (hex, as `skein cert show` prints it)")
        String fingerprint;

        @Option(names = "--reason", defaultValue = "", description = "why, for the people reading the list")
        String reason;

        @Option(names = "--out", description = "the list to extend and write (default: DIR/revocations)")
        Path out;

        @Override
        public Integer call() throws PkiFileException {
            if ((cert == null) == (fingerprint == null)) {
                throw new UserError("give --cert FILE or --fingerprint HEX");
            }
            CertificateAuthority ca = Args.loadCa(caDir);
            RevocationList.Entry entry;
            if (cert != null) {
                Certificate c = PkiFiles.readCertificate(cert);
                entry = new RevocationList.Entry(c.fingerprint(), c.name(), reason);
            } else {
                byte[] fp;
                try {
                    fp = java.util.HexFormat.of().parseHex(fingerprint.trim().toLowerCase());
                } catch (IllegalArgumentException e) {
                    throw new UserError("--fingerprint: not hex: " + fingerprint);
                }
                if (fp.length != 32) {
                    throw new UserError("--fingerprint: " + fp.length + " bytes, a fingerprint has 32");
                }
                entry = new RevocationList.Entry(fp, "", reason);
            }
            Path file = out != null ? out : caDir.resolve("revocations");
            Instant now = Instant.now();
            RevocationList list;
            try {
                list = Files.exists(file)
                        ? RevocationList.verify(Files.readAllBytes(file), ca.certificate()).plus(ca, entry, now)
                        : RevocationList.sign(ca, 1, now, java.util.List.of(entry));
                Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
                Files.write(tmp, list.encoded());
                Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (java.io.IOException e) {
                throw new UserError(file + ": " + e.getMessage());
            } catch (dev.skein.protocol.cert.CertificateRejected e) {
                throw new UserError(file + ": " + e.getMessage());
            }
            System.out.printf("revoked %s (%s)%n  %s: version %d, %d revoked%n  next: skein revocations push %s%n",
                    entry.name().isEmpty() ? "certificate" : entry.name(), entry.fingerprintHex(), file,
                    list.version(), list.entries().size(), file);
            return 0;
        }
    }
}
