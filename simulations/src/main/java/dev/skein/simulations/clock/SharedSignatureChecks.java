package dev.skein.simulations.clock;

import dev.skein.protocol.crypto.Ed25519Keys;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ed25519 signature checks shared by every simulated node: each node of a simulated mesh checks every member's
 * record, so at 512 nodes the same signature was checked by hundreds of nodes, and that was 42% of the host's
 * time while the mesh formed (a JFR profile, session 25). A check is a pure function of key, message and
 * signature, so its result is remembered and the simulation's outcome is the same. Time on the virtual clock
 * does not move during a task either way: this only makes the host finish sooner.
 */
public final class SharedSignatureChecks {
    /** A bound on what is remembered; past it the memory starts over. */
    static final int REMEMBERED = 1 << 20;

    private record Check(byte[] key, byte[] message, byte[] signature) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Check c && Arrays.equals(key, c.key) && Arrays.equals(message, c.message)
                    && Arrays.equals(signature, c.signature);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * Arrays.hashCode(key) + Arrays.hashCode(message)) + Arrays.hashCode(signature);
        }
    }

    private static final Map<Check, Boolean> RESULTS = new ConcurrentHashMap<>();

    private SharedSignatureChecks() {
    }

    /** How many results are remembered now. */
    static int remembered() {
        return RESULTS.size();
    }

    /** {@link Ed25519Keys#verify}, remembered. */
    public static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
        if (publicKey == null || message == null || signature == null) {
            return Ed25519Keys.verify(publicKey, message, signature);
        }
        Check check = new Check(publicKey.clone(), message.clone(), signature.clone());
        Boolean known = RESULTS.get(check);
        if (known != null) {
            return known;
        }
        boolean valid = Ed25519Keys.verify(publicKey, message, signature);
        if (RESULTS.size() >= REMEMBERED) {
            RESULTS.clear();
        }
        RESULTS.put(check, valid);
        return valid;
    }
}
