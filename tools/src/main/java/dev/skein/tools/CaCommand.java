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

@Command(name = "ca", description = "Manage the mesh's certificate authority.",
        subcommands = {CaCommand.Init.class}, mixinStandardHelpOptions = true)
final class CaCommand {

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = "Create a CA: DIR/ca.crt (give to every node) and DIR/ca.key (keep offline).",
            footer = {"", "Example:", "  skein ca init --name acme --out pki/"})
    static final class Init implements Callable<Integer> {
        @Option(names = "--name", required = true, description = "the mesh's name")
        String name;

        @Option(names = "--out", required = true, description = "directory for ca.crt and ca.key")
        Path out;

        @Option(names = "--network", defaultValue = "100.64.0.0/10",
                description = "the mesh's address range; node addresses must lie inside (default: ${DEFAULT-VALUE})")
        String network;

        @Option(names = "--days", defaultValue = "3650", description = "validity in days (default: ${DEFAULT-VALUE})")
        int days;

        @Override
        public Integer call() throws PkiFileException {
            IpPrefix net = Args.prefix("--network", network);
            if (days < 1) {
                throw new UserError("--days must be at least 1");
            }
            Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            CertificateAuthority ca;
            try {
                ca = CertificateAuthority.create(name, net, now.minusSeconds(60), now.plus(Duration.ofDays(days)),
                        new SecureRandom());
            } catch (IllegalArgumentException e) {
                throw new UserError(e.getMessage());
            }
            Path crt = out.resolve("ca.crt");
            Path key = out.resolve("ca.key");
            Args.refuseExisting(crt, key);
            PkiFiles.writeCertificate(crt, ca.certificate());
            PkiFiles.writeKeys(key, new PkiFiles.Keys(new byte[0], ca.signingKey()));
            System.out.printf("CA '%s' for %s, valid until %s%n  %s  (give to every node)%n  %s  (keep offline)%n",
                    name, net.network(), ca.certificate().notAfter(), crt, key);
            return 0;
        }
    }
}
