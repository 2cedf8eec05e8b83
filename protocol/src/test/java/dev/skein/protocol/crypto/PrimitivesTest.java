package dev.skein.protocol.crypto;

import static dev.skein.protocol.Vectors.hex;
import static org.junit.jupiter.api.Assertions.*;

import dev.skein.protocol.Vectors;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Known answers for the primitives, from published vectors and from the independent Python derivation. */
class PrimitivesTest {

    /** wireguard-go device/kdf_test.go: KDF3 over HMAC-BLAKE2s, keys of 8, 9 and 0 bytes. */
    @Test
    void kdfMatchesWireguardGoVectors() {
        String[][] cases = {
            {"746573742d6b6579", "746573742d696e707574",
             "6f0e5ad38daba1bea8a0d213688736f19763239305e0f58aba697f9ffc41c633",
             "df1194df20802a4fe594cde27e92991c8cae66c366e8106aaa937a55fa371e8a",
             "fac6e2745a325f5dc5d11a5b165aad08b0ada28e7b4e666b7c077934a4d76c24"},
            {"776972656775617264", "776972656775617264",
             "491d43bbfdaa8750aaf535e334ecbfe5129967cd64635101c566d4caefda96e8",
             "1e71a379baefd8a79aa4662212fcafe19a23e2b609a3db7d6bcba8f560e3d25f",
             "31e1ae48bddfbe5de38f295e5452b1909a1b4e38e183926af3780b0c1e1f0160"},
            {"", "",
             "8387b46bf43eccfcf349552a095d8315c4055beb90208fb1be23b894bc2ed5d0",
             "58a0e5f6faefccf4807bff1f05fa8a9217945762040bcec2f4b4a62bdfe0e86e",
             "0ce6ea98ec548f8e281e93e32db65621c45eb18dc6f0a7ad94178610a2f7338e"},
        };
        for (String[] c : cases) {
            byte[][] t = Blake2s.kdf(3, hex(c[0]), hex(c[1]));
            assertArrayEquals(hex(c[2]), t[0]);
            assertArrayEquals(hex(c[3]), t[1]);
            assertArrayEquals(hex(c[4]), t[2]);
            assertArrayEquals(t[0], Blake2s.kdf(1, hex(c[0]), hex(c[1]))[0], "KDF1 is the first block of KDF3");
        }
    }

    @Test
    void constructionHashIsWireGuards() {
        assertArrayEquals(hex("60e26daef327efc02ec335e2a025d2d016eb4206f87277f52d38d1988b78cd36"),
                Blake2s.hash("Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s".getBytes(StandardCharsets.US_ASCII)));
    }

    /** RFC 7748 section 6.1. */
    @Test
    void x25519MatchesRfc7748() {
        byte[] alice = hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        byte[] bob = hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
        assertArrayEquals(hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"),
                Curve25519.publicKey(alice));
        assertArrayEquals(hex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"),
                Curve25519.publicKey(bob));
        byte[] shared = hex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
        assertArrayEquals(shared, Curve25519.sharedSecret(alice, Curve25519.publicKey(bob)));
        assertArrayEquals(shared, Curve25519.sharedSecret(bob, Curve25519.publicKey(alice)));
    }

    @Test
    void lowOrderPointGivesNoSharedSecret() {
        byte[] zeroPoint = new byte[32];
        assertNull(Curve25519.sharedSecret(hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"), zeroPoint));
    }

    /** RFC 8439 section 2.8.2: the tag is printed in the RFC; the ciphertext was computed with OpenSSL. */
    @Test
    void chachaPolyMatchesRfc8439() throws Exception {
        Vectors v = Vectors.wireguard();
        byte[] sealed = v.bytes("rfc8439_sealed");
        assertArrayEquals(hex("1ae10b594f09e26a7e902ecbd0600691"),
                Arrays.copyOfRange(sealed, sealed.length - 16, sealed.length));
        // ChaChaPoly builds the WireGuard nonce from a counter; RFC 8439's nonce is 07000000 || 4041424344454647.
        org.bouncycastle.crypto.modes.ChaCha20Poly1305 raw = ChaChaPoly.init(true, v.bytes("rfc8439_key"),
                v.bytes("rfc8439_nonce"), v.bytes("rfc8439_aad"));
        byte[] plain = v.bytes("rfc8439_plaintext");
        byte[] out = new byte[plain.length + 16];
        raw.doFinal(out, raw.processBytes(plain, 0, plain.length, out, 0));
        assertArrayEquals(sealed, out);
    }

    /** draft-irtf-cfrg-xchacha section 2.2.1. */
    @Test
    void hChaCha20MatchesDraft() throws Exception {
        byte[] nonce = new byte[24];
        System.arraycopy(hex("000000090000004a0000000031415927"), 0, nonce, 0, 16);
        assertArrayEquals(hex("82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc"),
                XChaChaPoly.hChaCha20(hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"), nonce));
    }

    @Test
    void xChaChaPolyRoundTripsAndRejectsTampering() {
        byte[] key = Blake2s.hash(new byte[] {1});
        byte[] nonce = Arrays.copyOf(Blake2s.hash(new byte[] {2}), 24);
        byte[] sealed = XChaChaPoly.seal(key, nonce, "cookie".getBytes(StandardCharsets.US_ASCII), new byte[] {9});
        assertArrayEquals("cookie".getBytes(StandardCharsets.US_ASCII), XChaChaPoly.open(key, nonce, sealed, new byte[] {9}));
        assertNull(XChaChaPoly.open(key, nonce, sealed, new byte[] {8}), "other associated data");
        sealed[0] ^= 1;
        assertNull(XChaChaPoly.open(key, nonce, sealed, new byte[] {9}), "tampered ciphertext");
        assertNull(XChaChaPoly.open(key, nonce, new byte[5], new byte[] {9}), "shorter than a tag");
    }

    @Test
    void ed25519SignsAndRefusesForgeries() {
        byte[] key = Ed25519Keys.generatePrivateKey(new java.security.SecureRandom());
        byte[] pub = Ed25519Keys.publicKey(key);
        byte[] msg = "record".getBytes(StandardCharsets.US_ASCII);
        byte[] sig = Ed25519Keys.sign(key, msg);
        assertTrue(Ed25519Keys.verify(pub, msg, sig));
        sig[10] ^= 1;
        assertFalse(Ed25519Keys.verify(pub, msg, sig));
        assertFalse(Ed25519Keys.verify(new byte[3], msg, sig), "a short key is refused, not thrown");
        assertFalse(Ed25519Keys.verify(pub, msg, new byte[63]), "a short signature is refused, not thrown");
    }

    @Test
    void base64KeysRoundTripAndNameTheirProblem() {
        byte[] key = Curve25519.generatePrivateKey(new java.security.SecureRandom());
        assertArrayEquals(key, Curve25519.decodeBase64(Curve25519.encodeBase64(key)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Curve25519.decodeBase64("AAAA"));
        assertTrue(e.getMessage().contains("32 bytes"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Curve25519.decodeBase64("not base64!"));
    }
}
