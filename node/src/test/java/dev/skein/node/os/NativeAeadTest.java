package dev.skein.node.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.skein.protocol.transport.TransportAead;
import dev.skein.protocol.transport.TransportAeads;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The native providers, libsodium's and OpenSSL's ChaCha20-Poly1305, are the same AEAD as the pure-Java ones,
 * byte for byte, through direct and heap buffers at any position, and refuse what they refuse. CI installs
 * libsodium23 (and libssl3 comes with the system), so this runs there.
 */
class NativeAeadTest {
    private final Random random = new Random(7);

    /** A new instance of the native provider {@code name}, failing the test if it is not installed. */
    static TransportAead create(String name) {
        if (name.equals("sodium")) {
            assertTrue(SodiumAead.available(), "libsodium23 is not installed");
            return new SodiumAead();
        }
        assertTrue(OpenSslAead.available(), "OpenSSL's libcrypto is not installed");
        return new OpenSslAead();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sodium", "openssl"})
    void isInstalledAndAgreesWithThePureJavaProvidersByteForByte(String provider) {
        TransportAead aead = create(provider);
        TransportAead split = TransportAeads.create("split");
        for (int i = 0; i < 300; i++) {
            byte[] key = new byte[32]; // a new array per key: the JDK-based providers keep the last key's spec
            random.nextBytes(key);
            int len = i < 100 ? i : random.nextInt(65536);
            byte[] plain = new byte[len];
            random.nextBytes(plain);
            long counter = random.nextLong();
            // The data plane seals at an offset inside a larger buffer: do the same, at varying offsets.
            int offset = random.nextInt(64);
            ByteBuffer src = ByteBuffer.allocateDirect(offset + len).position(offset);
            src.put(plain).position(offset);
            ByteBuffer a = ByteBuffer.allocateDirect(offset + len + 16).position(offset);
            ByteBuffer b = i % 2 == 0 ? ByteBuffer.allocate(len + 16) : ByteBuffer.allocateDirect(len + 16);
            assertEquals(len + 16, aead.seal(key, counter, i % 3 == 0 ? ByteBuffer.wrap(plain) : src, a));
            assertEquals(offset + len + 16, a.position());
            assertEquals(len + 16, split.seal(key, counter, ByteBuffer.wrap(plain), b));
            assertEquals(a.position(offset), b.flip(), "ciphertexts differ at length " + len);

            ByteBuffer out = i % 5 == 0 ? ByteBuffer.allocate(len) : ByteBuffer.allocateDirect(len + 10).position(10);
            int start = out.position();
            assertEquals(len, aead.open(key, counter, b.duplicate(), out));
            assertEquals(ByteBuffer.wrap(plain), out.flip().position(start));
        }
    }

    /** Keys that alternate (two sessions' packets interleaved): each packet under its own key, never the last one's. */
    @ParameterizedTest
    @ValueSource(strings = {"sodium", "openssl"})
    void alternatingKeysAreEachUsedForTheirOwnPackets(String provider) {
        TransportAead aead = create(provider);
        TransportAead split = TransportAeads.create("split");
        byte[][] keys = new byte[2][32];
        random.nextBytes(keys[0]);
        random.nextBytes(keys[1]);
        for (int i = 0; i < 40; i++) {
            byte[] key = keys[(i / 3 + i) % 2];
            ByteBuffer plain = ByteBuffer.allocateDirect(200 + i);
            ByteBuffer a = ByteBuffer.allocateDirect(216 + i);
            ByteBuffer b = ByteBuffer.allocateDirect(216 + i);
            aead.seal(key, i, plain.duplicate(), a);
            split.seal(key, i, plain.duplicate(), b);
            assertEquals(b.flip(), a.flip(), "packet " + i);
            assertEquals(200 + i, aead.open(key, i, a, ByteBuffer.allocateDirect(200 + i)), "packet " + i);
            assertEquals(-1, aead.open(keys[0] == key ? keys[1] : keys[0], i, b, ByteBuffer.allocateDirect(200 + i)),
                    "the other key opens nothing");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sodium", "openssl"})
    void forgeriesAreRefusedWithoutMovingBuffers(String provider) {
        TransportAead aead = create(provider);
        byte[] key = new byte[32];
        random.nextBytes(key);
        ByteBuffer sealed = ByteBuffer.allocateDirect(116);
        aead.seal(key, 5, ByteBuffer.allocateDirect(100), sealed);
        ByteBuffer out = ByteBuffer.allocateDirect(116);
        for (int i = 0; i < 116; i++) {
            ByteBuffer bad = ByteBuffer.allocateDirect(116).put(sealed.flip()).flip();
            bad.put(i, (byte) (bad.get(i) ^ 1));
            assertEquals(-1, aead.open(key, 5, bad, out), "byte " + i);
            assertEquals(0, bad.position());
            assertEquals(0, out.position());
        }
        assertEquals(-1, aead.open(key, 6, sealed.flip(), out), "wrong counter");
        assertEquals(-1, aead.open(key, 5, sealed.flip().limit(15), out), "shorter than a tag");
        assertEquals(100, aead.open(key, 5, sealed.flip().limit(116), out));
    }

    /**
     * Maven runs the tests on the build JDK, where the libraries may be bound through JNA; Skein itself runs on
     * the newest JDK present, where they are bound through the Foreign Function API. Check that binding there.
     */
    @ParameterizedTest
    @ValueSource(strings = {"sodium", "openssl"})
    void onTheNewestJdkItIsCalledThroughTheForeignFunctionApiAndAgrees(String provider) throws Exception {
        Path newest = null;
        int best = 0;
        try (DirectoryStream<Path> jdks = Files.newDirectoryStream(Path.of("/usr/lib/jvm"))) {
            for (Path jdk : jdks) {
                Path release = jdk.resolve("release");
                if (Files.isExecutable(jdk.resolve("bin/java")) && Files.exists(release)) {
                    Matcher m = Pattern.compile("JAVA_VERSION=\"(\\d+)").matcher(Files.readString(release));
                    if (m.find() && Integer.parseInt(m.group(1)) > best) {
                        best = Integer.parseInt(m.group(1));
                        newest = jdk;
                    }
                }
            }
        }
        assumeTrue(best >= 22, "no JDK 22+ under /usr/lib/jvm: Skein binds the libraries through JNA there");
        Process p = new ProcessBuilder(newest.resolve("bin/java").toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), NativeBindingCheck.class.getName(), provider)
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the check did not finish");
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(out.contains(provider + ": binding ffm") && out.contains("agreed 200 of 200"), "JDK " + best + ": " + out);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sodium", "openssl"})
    void sealingTwiceWithOneNonceIsRefused(String provider) {
        TransportAead aead = create(provider);
        byte[] key = new byte[32];
        aead.seal(key, 7, ByteBuffer.allocateDirect(10), ByteBuffer.allocateDirect(26));
        assertThrows(IllegalStateException.class,
                () -> aead.seal(key, 7, ByteBuffer.allocateDirect(10), ByteBuffer.allocateDirect(26)));
        aead.seal(key, 8, ByteBuffer.allocateDirect(10), ByteBuffer.allocateDirect(26));
    }
}
