package dev.skein.protocol.transport;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The two transport AEAD providers agree byte for byte and refuse the same forgeries. */
class TransportAeadTest {
    private final Random random = new Random(42);

    private ByteBuffer buffer(boolean direct, int capacity) {
        return direct ? ByteBuffer.allocateDirect(capacity) : ByteBuffer.allocate(capacity);
    }

    @Test
    void providersAgreeByteForByte() {
        TransportAead jdk = TransportAeads.create("jdk");
        TransportAead bc = TransportAeads.create("bouncycastle");
        TransportAead split = TransportAeads.create("split");
        byte[] key = new byte[32];
        for (int i = 0; i < 200; i++) {
            random.nextBytes(key);
            int len = i < 100 ? i : random.nextInt(65536);
            byte[] plain = new byte[len];
            random.nextBytes(plain);
            long counter = random.nextLong();
            ByteBuffer a = buffer(i % 2 == 0, len + 16);
            ByteBuffer b = buffer(i % 3 == 0, len + 16);
            assertEquals(len + 16, jdk.seal(key, counter, ByteBuffer.wrap(plain), a));
            assertEquals(len + 16, bc.seal(key, counter, ByteBuffer.wrap(plain), b));
            assertEquals(a.flip(), b.flip(), "ciphertexts differ at length " + len);

            ByteBuffer outJdk = buffer(i % 5 == 0, len);
            ByteBuffer outBc = buffer(i % 7 == 0, len);
            assertEquals(len, jdk.open(key, counter, b.duplicate(), outJdk));
            assertEquals(len, bc.open(key, counter, a.duplicate(), outBc));
            assertEquals(ByteBuffer.wrap(plain), outJdk.flip());
            assertEquals(ByteBuffer.wrap(plain), outBc.flip());

            // The split provider (JDK ChaCha20 + Bouncy Castle Poly1305) seals the same bytes and opens both.
            ByteBuffer c = buffer(i % 4 == 0, len + 16);
            assertEquals(len + 16, split.seal(key, counter, ByteBuffer.wrap(plain), c));
            assertEquals(a, c.flip(), "split ciphertext differs at length " + len);
            ByteBuffer outSplit = buffer(i % 6 == 0, len);
            assertEquals(len, split.open(key, counter, a.duplicate(), outSplit));
            assertEquals(ByteBuffer.wrap(plain), outSplit.flip());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "split", "bouncycastle"})
    void forgeriesAreRefusedWithoutMovingBuffers(String provider) {
        TransportAead aead = TransportAeads.create(provider);
        byte[] key = new byte[32];
        random.nextBytes(key);
        byte[] plain = new byte[100];
        random.nextBytes(plain);
        ByteBuffer sealed = ByteBuffer.allocate(116);
        aead.seal(key, 5, ByteBuffer.wrap(plain), sealed);
        byte[] good = sealed.array();
        ByteBuffer out = ByteBuffer.allocate(116);
        for (int i = 0; i < good.length; i++) {
            byte[] bad = good.clone();
            bad[i] ^= 1;
            ByteBuffer src = ByteBuffer.wrap(bad);
            assertEquals(-1, aead.open(key, 5, src, out), "byte " + i);
            assertEquals(0, src.position());
            assertEquals(0, out.position());
        }
        assertEquals(-1, aead.open(key, 6, ByteBuffer.wrap(good), out), "wrong counter");
        assertEquals(-1, aead.open(key, 5, ByteBuffer.wrap(good, 0, 15), out), "shorter than a tag");
        assertEquals(100, aead.open(key, 5, ByteBuffer.wrap(good), out));
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "split"})
    void sealingTwiceWithOneNonceIsRefusedNotHidden(String provider) {
        TransportAead aead = TransportAeads.create(provider);
        byte[] key = new byte[32];
        aead.seal(key, 7, ByteBuffer.allocate(10), ByteBuffer.allocate(26));
        assertThrows(IllegalStateException.class,
                () -> aead.seal(key, 7, ByteBuffer.allocate(10), ByteBuffer.allocate(26)));
    }

    @Test
    void unknownProviderIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TransportAeads.create("rot13"));
        assertTrue(e.getMessage().contains("rot13"));
    }

    @Test
    void transportMessagesPadAndRefuseTruncation() {
        assertEquals(16, TransportMessage.paddedLength(1, 1420));
        assertEquals(0, TransportMessage.paddedLength(0, 1420), "a keepalive stays empty");
        assertEquals(1420, TransportMessage.paddedLength(1419, 1420), "never past the MTU");
        assertEquals(1420, TransportMessage.paddedLength(1420, 1420));

        TransportAead aead = TransportAeads.create();
        byte[] key = new byte[32];
        ByteBuffer out = ByteBuffer.allocate(64);
        int n = TransportMessage.seal(aead, key, 0x01020304, 9, ByteBuffer.allocate(0), out);
        assertEquals(TransportMessage.MIN_SIZE, n, "keepalive: header and tag");
        out.flip();
        assertEquals(0x01020304, TransportMessage.receiverIndex(out));
        assertEquals(9, TransportMessage.counter(out));
        for (int len = 0; len < TransportMessage.MIN_SIZE; len++) {
            ByteBuffer cut = ByteBuffer.wrap(out.array(), 0, len);
            assertEquals(-1, TransportMessage.open(aead, key, cut, ByteBuffer.allocate(64)), "length " + len);
        }
        assertEquals(0, TransportMessage.open(aead, key, out, ByteBuffer.allocate(64)));
    }
}
