package dev.skein.protocol.path;

import dev.skein.protocol.crypto.Blake2s;
import dev.skein.protocol.noise.StaticIdentity;
import dev.skein.protocol.wire.Bytes;
import dev.skein.protocol.wire.MessageType;
import dev.skein.protocol.wire.WireException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/**
 * A path probe between two members, sent outside any session so that it can test a path no session uses yet:
 * <ul>
 *   <li><b>ping</b>: "can you hear me at this address?";</li>
 *   <li><b>pong</b>: the answer, echoing the ping's transaction id and telling the pinger the source address the
 *       ping arrived from (its public endpoint, as a NAT rewrote it: endpoint discovery);</li>
 *   <li><b>call-me-maybe</b>: sent over a path that works (a relay), it offers a hole punch: both ends are to ping
 *       each other's candidates at one moment, so that each NAT has opened its mapping before the other's ping
 *       reaches it (a ping that reaches a router first can spoil the mapping for a while). It names our freshest
 *       observed endpoint, which the peer may not have from gossip yet;</li>
 *   <li><b>punch-accept</b>: the answer, echoing the offer's transaction id and naming the answerer's observed
 *       endpoint. The answerer pings {@code PUNCH_LEAD} after it got the offer, the offerer {@code PUNCH_LEAD}
 *       after it sent the offer plus half the offer's round trip: the same moment, without trusting either
 *       clock.</li>
 * </ul>
 * Each is MACed with a key derived from the two members' static X25519 keys, so no third party can forge one;
 * the MAC is all the protection needed against forgery, since a probe carries nothing secret. Against replay, each
 * carries the sender's stamp, a clock in microseconds that never repeats ({@link PathStamps} refuses one seen
 * before, too old, or too far from the receiver's clock): a captured ping replayed from a spoofed source would
 * otherwise make the receiver send pongs wherever the replayer chooses.
 *
 * <pre>
 *   0      type 6, reserved (3 zero bytes)
 *   4      kind (1 ping, 2 pong, 3 call-me-maybe, 4 punch-accept)
 *   5      address length (0, 4 or 16)
 *   6..7   port, big-endian
 *   8..15  sender id: the first 8 bytes of the sender's static public key
 *   16..23 transaction id
 *   24..31 stamp: the sender's clock, microseconds since the epoch, strictly increasing
 *   32..47 address (IPv4 in the first 4 bytes, the rest zero)
 *   48..63 MAC: keyed BLAKE2s-128 of bytes 0..47 under the pair's path key
 * </pre>
 */
public record PathMessage(Kind kind, long senderId, long tx, long stamp, InetSocketAddress address) {
    public static final int SIZE = 64;
    private static final int KIND = 4;
    private static final int ADDRESS_LENGTH = 5;
    private static final int PORT = 6;
    private static final int SENDER = 8;
    private static final int TX = 16;
    private static final int STAMP = 24;
    private static final int ADDRESS = 32;
    private static final int MAC = 48;
    private static final byte[] LABEL = "skein path v1".getBytes(StandardCharsets.US_ASCII);

    /** What a probe asks or answers. */
    public enum Kind {
        PING(1), PONG(2), CALL_ME_MAYBE(3), PUNCH_ACCEPT(4);

        final int code;

        Kind(int code) {
            this.code = code;
        }

        /** values() copies its array on every call, and this runs for every path message. */
        private static final Kind[] ALL = values();

        static Kind of(int code) {
            for (Kind k : ALL) {
                if (k.code == code) {
                    return k;
                }
            }
            return null;
        }
    }

    /** The 8-byte id of a static public key, as path and relay messages name their ends. */
    public static long keyId(byte[] publicKey) {
        return Bytes.getLongLE(publicKey, 0);
    }

    /** The MAC key two members share: HASH("skein path v1" || X25519(ours, theirs)), the same on both sides. */
    public static byte[] pathKey(StaticIdentity self, byte[] peerPublicKey) {
        return Blake2s.hash(LABEL, self.agree(peerPublicKey));
    }

    public byte[] encode(byte[] pathKey) {
        byte[] m = new byte[SIZE];
        m[0] = (byte) MessageType.PATH.code();
        m[KIND] = (byte) kind.code;
        Bytes.putLongLE(m, SENDER, senderId);
        Bytes.putLongLE(m, TX, tx);
        Bytes.putLongLE(m, STAMP, stamp);
        if (address != null) {
            byte[] ip = address.getAddress().getAddress();
            m[ADDRESS_LENGTH] = (byte) ip.length;
            m[PORT] = (byte) (address.getPort() >>> 8);
            m[PORT + 1] = (byte) address.getPort();
            System.arraycopy(ip, 0, m, ADDRESS, ip.length);
        }
        System.arraycopy(Blake2s.mac(pathKey, m, 0, MAC), 0, m, MAC, Blake2s.MAC_SIZE);
        return m;
    }

    /** The sender id of a path message, to find the key that opens it. */
    public static long senderId(byte[] msg) throws WireException {
        if (msg.length != SIZE || msg[0] != MessageType.PATH.code()) {
            throw new WireException(WireException.Reason.MALFORMED, "not a path message");
        }
        return Bytes.getLongLE(msg, SENDER);
    }

    /** Checks the MAC and reads the message; anything wrong is a {@link WireException} naming the rule. */
    public static PathMessage open(byte[] msg, byte[] pathKey) throws WireException {
        long sender = senderId(msg);
        byte[] mac = Blake2s.mac(pathKey, msg, 0, MAC);
        if (!Bytes.constantTimeEquals(mac, 0, msg, MAC, Blake2s.MAC_SIZE)) {
            throw new WireException(WireException.Reason.BAD_MAC1, "path message MAC does not match");
        }
        Kind kind = Kind.of(msg[KIND]);
        int len = msg[ADDRESS_LENGTH];
        if (kind == null || (len != 0 && len != 4 && len != 16) || msg[1] != 0 || msg[2] != 0 || msg[3] != 0) {
            throw new WireException(WireException.Reason.MALFORMED, "bad path message fields");
        }
        InetSocketAddress address = null;
        if (len > 0) {
            int port = (msg[PORT] & 0xff) << 8 | (msg[PORT + 1] & 0xff);
            try {
                address = new InetSocketAddress(InetAddress.getByAddress(Bytes.slice(msg, ADDRESS, len)), port);
            } catch (UnknownHostException e) {
                throw new WireException(WireException.Reason.MALFORMED, "bad address");
            }
        }
        return new PathMessage(kind, sender, Bytes.getLongLE(msg, TX), Bytes.getLongLE(msg, STAMP), address);
    }
}
