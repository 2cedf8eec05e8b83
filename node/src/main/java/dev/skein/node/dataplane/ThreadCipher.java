package dev.skein.node.dataplane;

import dev.skein.protocol.transport.TransportAead;

/**
 * One thread's instance of the transport cipher: a cipher object is not thread-safe, so each data-plane thread
 * and each {@link CipherWorkers} lane seals and opens with its own. It follows {@link Ciphers}' choice: a new
 * instance when the choice has changed (one volatile read per packet).
 */
final class ThreadCipher {
    private Ciphers.Choice choice;
    private TransportAead aead;

    TransportAead get() {
        Ciphers.Choice now = Ciphers.current();
        if (now != choice) {
            aead = now.factory().get();
            choice = now;
        }
        return aead;
    }
}
