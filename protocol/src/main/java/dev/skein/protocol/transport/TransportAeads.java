package dev.skein.protocol.transport;

import java.security.GeneralSecurityException;

/** Chooses and creates {@link TransportAead} providers. */
public final class TransportAeads {
    /** System property that forces a provider: {@code split}, {@code jdk} or {@code bouncycastle}. */
    public static final String PROPERTY = "skein.aead";

    private TransportAeads() {}

    /** A new instance of the named provider ("split", "jdk" or "bouncycastle"). */
    public static TransportAead create(String name) {
        switch (name) {
            case "jdk":
                try {
                    return new JdkAead();
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException("this JDK has no ChaCha20-Poly1305 cipher: " + e.getMessage(), e);
                }
            case "split":
                try {
                    return new SplitAead();
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException("this JDK has no ChaCha20 cipher: " + e.getMessage(), e);
                }
            case "bouncycastle":
                return new BouncyCastleAead();
            default:
                throw new IllegalArgumentException("unknown AEAD provider '" + name + "' (openssl, sodium, jdk, split or bouncycastle)");
        }
    }

    /**
     * A new instance of the default provider: the one named by {@value #PROPERTY}, else the split one (the
     * JDK's ChaCha20, intrinsic on JDK 20+, with Bouncy Castle's Poly1305: about 10% more single-stream
     * throughput than the JDK's whole AEAD on this machine's AVX2 CPUs, see docs/PERFORMANCE.md), else
     * Bouncy Castle's if the JDK lacks ChaCha20.
     */
    public static TransportAead create() {
        String forced = System.getProperty(PROPERTY);
        if (forced != null) {
            return create(forced);
        }
        try {
            return new SplitAead();
        } catch (GeneralSecurityException e) {
            return new BouncyCastleAead();
        }
    }
}
