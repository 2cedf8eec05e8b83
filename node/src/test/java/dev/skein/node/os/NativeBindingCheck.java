package dev.skein.node.os;

import dev.skein.protocol.transport.TransportAead;
import dev.skein.protocol.transport.TransportAeads;
import java.nio.ByteBuffer;
import java.util.Random;

/**
 * Run in a JVM of its own by {@link NativeAeadTest} on the newest JDK present, with a native provider's name
 * ("sodium" or "openssl"): prints the binding it got there and whether 200 random packets sealed through it equal
 * the pure-Java provider's and open again.
 */
public final class NativeBindingCheck {
    public static void main(String[] args) {
        boolean sodiumAsked = args[0].equals("sodium");
        TransportAead aead = sodiumAsked ? new SodiumAead() : new OpenSslAead();
        TransportAead split = TransportAeads.create("split");
        Random random = new Random(11);
        int agreed = 0;
        for (int i = 0; i < 200; i++) {
            byte[] key = new byte[32];
            random.nextBytes(key);
            byte[] plain = new byte[random.nextInt(2000)];
            random.nextBytes(plain);
            long counter = random.nextLong();
            ByteBuffer a = ByteBuffer.allocateDirect(plain.length + 16);
            ByteBuffer b = ByteBuffer.allocateDirect(plain.length + 16);
            aead.seal(key, counter, ByteBuffer.wrap(plain), a);
            split.seal(key, counter, ByteBuffer.wrap(plain), b);
            ByteBuffer opened = ByteBuffer.allocateDirect(plain.length);
            if (a.flip().equals(b.flip()) && aead.open(key, counter, a, opened) == plain.length
                    && opened.flip().equals(ByteBuffer.wrap(plain))) {
                agreed++;
            }
        }
        System.out.println(args[0] + ": binding " + (sodiumAsked ? SodiumAead.binding() : OpenSslAead.binding())
                + ", agreed " + agreed + " of 200");
    }
}
