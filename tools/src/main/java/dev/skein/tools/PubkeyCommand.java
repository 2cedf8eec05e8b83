package dev.skein.tools;

import dev.skein.protocol.crypto.Curve25519;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "pubkey", mixinStandardHelpOptions = true,
        description = "Read a base64 private key on standard input, print its public key (as `wg pubkey`).",
        footer = {"", "Example:", "  skein keygen | skein pubkey"})
final class PubkeyCommand implements Callable<Integer> {
    @Override
    public Integer call() throws IOException {
        String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII)).readLine();
        if (line == null) {
            throw new UserError("no private key on standard input");
        }
        byte[] key;
        try {
            key = Curve25519.decodeBase64(line);
        } catch (IllegalArgumentException e) {
            throw new UserError("standard input: " + e.getMessage());
        }
        System.out.println(Curve25519.encodeBase64(Curve25519.publicKey(key)));
        return 0;
    }
}
