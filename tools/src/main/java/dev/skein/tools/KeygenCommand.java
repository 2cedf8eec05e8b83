package dev.skein.tools;

import dev.skein.protocol.crypto.Curve25519;
import java.security.SecureRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "keygen", mixinStandardHelpOptions = true,
        description = "Print a new X25519 private key in base64, as `wg genkey` does (for plain WireGuard peers).",
        footer = {"", "Example:", "  skein keygen | tee phone.key | skein pubkey"})
final class KeygenCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.out.println(Curve25519.encodeBase64(Curve25519.generatePrivateKey(new SecureRandom())));
        return 0;
    }
}
