#!/usr/bin/env python3
"""Derives WireGuard known-answer vectors independently of Skein's Java code.

A second implementation of the WireGuard paper's handshake (section 5.4), transport and cookie messages,
written from the paper with Python's hashlib/hmac and the `cryptography` package (Debian: python3-cryptography,
OpenSSL underneath), so that the Java code (Bouncy Castle underneath) is checked against another crypto stack.
All inputs are fixed, so the output is reproducible:

    python3 protocol/src/test/vectors/wireguard_vectors.py > protocol/src/test/resources/vectors/wireguard.txt
"""
import hashlib
import hmac
import struct

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives import serialization

CONSTRUCTION = b"Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s"
IDENTIFIER = b"WireGuard v1 zx2c4 Jason@zx2c4.com"
LABEL_MAC1 = b"mac1----"
LABEL_COOKIE = b"cookie--"


def HASH(*parts):
    return hashlib.blake2s(b"".join(parts)).digest()


def MAC(key, data):
    return hashlib.blake2s(data, key=key, digest_size=16).digest()


def HMAC(key, data):
    return hmac.new(key, data, hashlib.blake2s).digest()


def KDF(n, key, data):
    t0 = HMAC(key, data)
    out, prev = [], b""
    for i in range(1, n + 1):
        prev = HMAC(t0, prev + bytes([i]))
        out.append(prev)
    return out


def pub(priv):
    raw = X25519PrivateKey.from_private_bytes(priv).public_key()
    return raw.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def DH(priv, pub_):
    return X25519PrivateKey.from_private_bytes(priv).exchange(X25519PublicKey.from_public_bytes(pub_))


def AEAD(key, counter, plain, aad):
    return ChaCha20Poly1305(key).encrypt(b"\x00" * 4 + struct.pack("<Q", counter), plain, aad)


def rotl(v, c):
    return ((v << c) & 0xffffffff) | (v >> (32 - c))


def quarter(s, a, b, c, d):
    s[a] = (s[a] + s[b]) & 0xffffffff; s[d] = rotl(s[d] ^ s[a], 16)
    s[c] = (s[c] + s[d]) & 0xffffffff; s[b] = rotl(s[b] ^ s[c], 12)
    s[a] = (s[a] + s[b]) & 0xffffffff; s[d] = rotl(s[d] ^ s[a], 8)
    s[c] = (s[c] + s[d]) & 0xffffffff; s[b] = rotl(s[b] ^ s[c], 7)


def hchacha20(key, nonce16):
    s = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]
    s += list(struct.unpack("<8I", key)) + list(struct.unpack("<4I", nonce16))
    for _ in range(10):
        quarter(s, 0, 4, 8, 12); quarter(s, 1, 5, 9, 13); quarter(s, 2, 6, 10, 14); quarter(s, 3, 7, 11, 15)
        quarter(s, 0, 5, 10, 15); quarter(s, 1, 6, 11, 12); quarter(s, 2, 7, 8, 13); quarter(s, 3, 4, 9, 14)
    return struct.pack("<8I", *(s[0:4] + s[12:16]))


def XAEAD(key, nonce24, plain, aad):
    return ChaCha20Poly1305(hchacha20(key, nonce24[:16])).encrypt(b"\x00" * 4 + nonce24[16:], plain, aad)


def fixed(label):
    """32 reproducible bytes per label (not secret: test inputs)."""
    return HASH(b"skein test vector " + label)


def emit(name, value):
    print(f"{name}={value.hex() if isinstance(value, bytes) else value}")


# --- inputs
s_i, s_r = fixed(b"initiator static"), fixed(b"responder static")
e_i, e_r = fixed(b"initiator ephemeral"), fixed(b"responder ephemeral")
psk = fixed(b"preshared key")
timestamp = struct.pack(">QI", 0x400000000000000a + 1_700_000_000, 0)
sender_i, sender_r = 0x11223344, 0x55667788
S_i, S_r, E_i, E_r = pub(s_i), pub(s_r), pub(e_i), pub(e_r)

# --- initiation (paper 5.4.2)
C = HASH(CONSTRUCTION)
H = HASH(C, IDENTIFIER)
H = HASH(H, S_r)
C = KDF(1, C, E_i)[0]
H = HASH(H, E_i)
C, k = KDF(2, C, DH(e_i, S_r))
enc_static = AEAD(k, 0, S_i, H)
H = HASH(H, enc_static)
C, k = KDF(2, C, DH(s_i, S_r))
enc_time = AEAD(k, 0, timestamp, H)
H = HASH(H, enc_time)
init = struct.pack("<I", 1) + struct.pack("<I", sender_i) + E_i + enc_static + enc_time
init_mac1 = MAC(HASH(LABEL_MAC1, S_r), init)
initiation = init + init_mac1 + b"\x00" * 16

# --- response (paper 5.4.3)
C = KDF(1, C, E_r)[0]
H = HASH(H, E_r)
C = KDF(1, C, DH(e_r, E_i))[0]
C = KDF(1, C, DH(e_r, S_i))[0]
C, tau, k = KDF(3, C, psk)
H = HASH(H, tau)
enc_empty = AEAD(k, 0, b"", H)
H = HASH(H, enc_empty)
resp = struct.pack("<I", 2) + struct.pack("<I", sender_r) + struct.pack("<I", sender_i) + E_r + enc_empty
response = resp + MAC(HASH(LABEL_MAC1, S_i), resp) + b"\x00" * 16

# --- transport keys (paper 5.4.5) and one transport message (5.4.6), counter 7, padded to 16
t_send_i, t_recv_i = KDF(2, C, b"")
packet = bytes.fromhex("4500001c000000004001f9d86440000164400002") + b"\x08\x00\xf7\xff\x00\x00\x00\x00"
padded = packet + b"\x00" * (-len(packet) % 16)
transport = struct.pack("<I", 4) + struct.pack("<I", sender_r) + struct.pack("<Q", 7) + AEAD(t_send_i, 7, padded, b"")

# --- cookie reply (5.4.7) answering the initiation, and the initiation re-sent with MAC2
cookie_secret = fixed(b"cookie secret")
source = bytes([198, 18, 0, 1]) + struct.pack(">H", 51820)
cookie = MAC(cookie_secret, source)
cookie_nonce = fixed(b"cookie nonce")[:24]
cookie_reply = (struct.pack("<I", 3) + struct.pack("<I", sender_i) + cookie_nonce
                + XAEAD(HASH(LABEL_COOKIE, S_r), cookie_nonce, cookie, init_mac1))
initiation_mac2 = initiation[:132] + MAC(cookie, initiation[:132])

print("# WireGuard known-answer vectors, derived by protocol/src/test/vectors/wireguard_vectors.py")
for name, value in [
    ("initiator_static_private", s_i), ("responder_static_private", s_r),
    ("initiator_ephemeral_private", e_i), ("responder_ephemeral_private", e_r),
    ("preshared_key", psk), ("timestamp", timestamp),
    ("initiator_index", f"{sender_i}"), ("responder_index", f"{sender_r}"),
    ("initiation", initiation), ("response", response),
    ("initiator_send_key", t_send_i), ("initiator_receive_key", t_recv_i),
    ("transport_plaintext", packet), ("transport_counter", "7"), ("transport", transport),
    ("cookie_source", source), ("cookie", cookie), ("cookie_reply", cookie_reply),
    ("initiation_with_mac2", initiation_mac2),
    # draft-irtf-cfrg-xchacha section 2.2.1 inputs, computed here
    ("hchacha20_key", bytes(range(32))),
    ("hchacha20_nonce", bytes.fromhex("000000090000004a0000000031415927")),
    ("hchacha20_out", hchacha20(bytes(range(32)), bytes.fromhex("000000090000004a0000000031415927"))),
    # RFC 8439 section 2.8.2 AEAD inputs, computed here (its tag is 1ae10b594f09e26a7e902ecbd0600691)
    ("rfc8439_key", bytes(range(0x80, 0xa0))),
    ("rfc8439_nonce", bytes.fromhex("070000004041424344454647")),
    ("rfc8439_aad", bytes.fromhex("50515253c0c1c2c3c4c5c6c7")),
    ("rfc8439_plaintext", b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it."),
    ("rfc8439_sealed", ChaCha20Poly1305(bytes(range(0x80, 0xa0))).encrypt(
        bytes.fromhex("070000004041424344454647"),
        b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
        bytes.fromhex("50515253c0c1c2c3c4c5c6c7"))),
]:
    emit(name, value)
