package dev.skein.node;

import dev.skein.node.config.NodeConfig;
import dev.skein.protocol.cert.CertificateRejected;
import dev.skein.protocol.cert.CertificateVerifier;
import dev.skein.protocol.cert.RevocationList;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's revocation list on disk: the newest it adopted, in {@code state-dir/NAME-CA.revocations}, so that a restart
 * does not forget a revocation (and a revoked member cannot rejoin a node that just restarted), plus the one the
 * configuration names ({@code pki.revocations}). At start the newer of the two is held.
 */
final class RevocationStore {
    private static final Logger log = LoggerFactory.getLogger(RevocationStore.class);

    private RevocationStore() {}

    /** One file per CA of the bundle (each CA has its own list). */
    private static Path stateFile(NodeConfig config, byte[] caFingerprint) {
        return config.stateDir().resolve(config.name() + "-" + java.util.HexFormat.of().formatHex(caFingerprint, 0, 6)
                + ".revocations");
    }

    /** Gives {@code verifier} the newest valid list; a configured list that does not verify stops the start. */
    static void load(NodeConfig config, CertificateVerifier verifier) throws NodeException {
        if (config.revocationsFile() != null) {
            try {
                verifier.adopt(verifier.verifyRevocations(Files.readAllBytes(config.revocationsFile())));
            } catch (IOException e) {
                throw new NodeException(config.revocationsFile() + ": cannot read: " + e.getMessage());
            } catch (CertificateRejected e) {
                throw new NodeException(config.revocationsFile() + ": " + e.getMessage());
            }
        }
        for (dev.skein.protocol.cert.Certificate ca : verifier.cas()) {
            Path state = stateFile(config, ca.fingerprint());
            if (Files.exists(state)) {
                try {
                    verifier.adopt(verifier.verifyRevocations(Files.readAllBytes(state)));
                } catch (IOException | CertificateRejected e) {
                    log.warn("{}: ignored: {}", state, e.getMessage());
                }
            }
        }
    }

    /** Keeps {@code list} for the next start; written whole or not at all. */
    static void save(NodeConfig config, RevocationList list) {
        Path state = stateFile(config, list.issuer());
        try {
            Files.createDirectories(config.stateDir());
            Path tmp = state.resolveSibling(state.getFileName() + ".tmp");
            Files.write(tmp, list.encoded());
            Files.move(tmp, state, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            log.warn("cannot keep the revocation list in {}: {}", state, e.getMessage());
        }
    }
}
