package dev.skein.tools;

import dev.skein.node.pki.PkiFileException;
import dev.skein.node.pki.PkiFiles;
import dev.skein.protocol.addr.IpPrefix;
import dev.skein.protocol.cert.CertificateAuthority;
import dev.skein.protocol.cert.CertificateRejected;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Turns command-line text into values, with errors that name the option. */
final class Args {
    private Args() {}

    static IpPrefix prefix(String option, String text) {
        try {
            return IpPrefix.parse(text);
        } catch (IllegalArgumentException e) {
            throw new UserError(option + ": " + e.getMessage());
        }
    }

    static List<IpPrefix> prefixes(String option, List<String> texts) {
        List<IpPrefix> out = new ArrayList<>();
        for (String t : texts) {
            out.add(prefix(option, t));
        }
        return out;
    }

    static void refuseExisting(Path... files) {
        for (Path f : files) {
            if (Files.exists(f)) {
                throw new UserError(f + " already exists (refusing to overwrite)");
            }
        }
    }

    static CertificateAuthority loadCa(Path dir) throws PkiFileException {
        try {
            return CertificateAuthority.load(PkiFiles.readCertificate(dir.resolve("ca.crt")),
                    PkiFiles.readKeys(dir.resolve("ca.key")).ed25519PrivateKey());
        } catch (CertificateRejected e) {
            throw new UserError(dir + ": " + e.getMessage());
        }
    }
}
