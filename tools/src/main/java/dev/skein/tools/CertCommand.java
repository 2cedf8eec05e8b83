package dev.skein.tools;

import dev.skein.protocol.cert.Certificate;
import dev.skein.node.pki.PkiFileException;
import dev.skein.node.pki.PkiFiles;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "cert", description = "Inspect certificates.", subcommands = {CertCommand.Show.class},
        mixinStandardHelpOptions = true)
final class CertCommand {

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Print a certificate in plain words.",
            footer = {"", "Example:", "  skein cert show pki/office.crt", "  skein cert show --json pki/office.crt"})
    static final class Show implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "a .crt file")
        Path file;

        @Option(names = "--json", description = "print JSON (for scripts)")
        boolean json;

        @Override
        public Integer call() throws PkiFileException {
            Certificate c = PkiFiles.readCertificate(file);
            System.out.print(json ? JsonOutput.certificate(c) + "\n" : c.describe());
            return 0;
        }
    }
}
