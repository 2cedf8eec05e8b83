package dev.skein.protocol.transport;

import java.security.GeneralSecurityException;

/** Chooses and creates {@link TransportAead} providers. */
public final class TransportAeads {
    /** System property that forces a provider: {@code jdk} or {@code bouncycastle}. */
    public static final String PROPERTY = "skein.aead";

    private TransportAeads() {}

    /** A new instance of the named provider ("jdk" or "bouncycastle"). */
    public static TransportAead create(String name) {
        switch (name) {
            case "jdk":
                try {
                    return new JdkAead();
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException("this JDK has no ChaCha20-Poly1305 cipher: " + e.getMessage(), e);
                }
            case "bouncycastle":
                return new BouncyCastleAead();
            default:
                throw new IllegalArgumentException("unknown AEAD provider '" + name + "' (jdk or bouncycastle)");
        }
    }

    /**
     * A new instance of the default provider: the one named by {@value #PROPERTY}, else the JDK's (faster than
     * Bouncy Castle on every JDK measured here, ~3x on JDK 21+), else Bouncy Castle if the JDK lacks it.
     */
    public static TransportAead create() {
        String forced = System.getProperty(PROPERTY);
        if (forced != null) {
            return create(forced);
        }
        try {
            return new JdkAead();
        } catch (GeneralSecurityException e) {
            return new BouncyCastleAead();
        }
    }
}
