package dev.skein.tools;

import com.google.protobuf.ByteString;
import dev.skein.protocol.proto.Request;
import dev.skein.protocol.proto.Response;
import dev.skein.protocol.proto.RevocationsPush;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "revocations", mixinStandardHelpOptions = true, subcommands = {RevocationsCommand.Push.class},
        description = "Hand a CA-signed revocation list to the mesh.")
final class RevocationsCommand {

    @Command(name = "push", mixinStandardHelpOptions = true,
            description = "Give the running node a revocation list (from `skein ca revoke`): it checks the CA's "
                    + "signature, adopts it if newer than its own, and passes it to every member within seconds.",
            footer = {"", "Example:", "  sudo skein revocations push pki/revocations --config /etc/skein/home.yaml"})
    static final class Push implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "the revocation list")
        Path file;

        @Mixin
        NodeQuery node;

        @Override
        public Integer call() {
            byte[] list;
            try {
                list = Files.readAllBytes(file);
            } catch (IOException e) {
                throw new UserError(file + ": cannot read: " + e.getMessage());
            }
            Response r = node.ask(Request.newBuilder()
                    .setRevocationsPush(RevocationsPush.newBuilder().setList(ByteString.copyFrom(list))).build());
            System.out.println(r.getMessage());
            return 0;
        }
    }
}
