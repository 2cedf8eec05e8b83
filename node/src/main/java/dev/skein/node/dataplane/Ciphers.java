package dev.skein.node.dataplane;

import dev.skein.node.os.SodiumAead;
import dev.skein.protocol.transport.TransportAead;
import dev.skein.protocol.transport.TransportAeads;

/** Which transport cipher the data plane uses, chosen when each thread starts. */
final class Ciphers {
    private Ciphers() {}

    /**
     * The transport cipher for one thread: libsodium's where it is installed (twice as fast as the best pure-Java
     * one here), else the pure-Java default; {@code -Dskein.aead=sodium|split|jdk|bouncycastle} forces one.
     */
    static TransportAead newAead() {
        String forced = System.getProperty(TransportAeads.PROPERTY);
        if ("sodium".equals(forced) || forced == null && SodiumAead.available()) {
            return new SodiumAead();
        }
        return TransportAeads.create();
    }

    /** The transport cipher's name, with how libsodium is called when it is libsodium's. */
    static String name() {
        String name = newAead().name();
        return name.equals("sodium") ? name + " (" + SodiumAead.binding() + ")" : name;
    }
}
