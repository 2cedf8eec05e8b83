package dev.skein.node.dataplane;

import dev.skein.node.Constants;
import dev.skein.node.offload.PartialChecksum;
import dev.skein.node.offload.TcpCoalescer;
import dev.skein.node.offload.VirtioNetHeader;
import dev.skein.node.peer.IndexTable;
import dev.skein.node.peer.Keypair;
import dev.skein.node.peer.Peer;
import dev.skein.node.peer.Sessions;
import dev.skein.protocol.cookie.CookieReply;
import dev.skein.protocol.crypto.Curve25519;
import dev.skein.protocol.noise.Layout;
import dev.skein.protocol.path.RelayHeader;
import dev.skein.protocol.transport.TransportMessage;
import dev.skein.protocol.wire.Bytes;
import dev.skein.protocol.wire.MessageType;
import dev.skein.protocol.wire.WireException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receive path, UDP to TUN, one thread:
 * <ol>
 *   <li>receive a datagram, or with UDP GRO several of one sender at once, each handled in turn; anything
 *       that is not a well-formed WireGuard message is counted and dropped;</li>
 *   <li>handshake messages: check MAC1 (and under load MAC2, answering with a cookie), then answer an
 *       initiation or complete our handshake with a response;</li>
 *   <li>transport data: find the session by receiver index, decrypt, check the replay window, confirm a new
 *       session, follow the peer to its new address (roaming);</li>
 *   <li>write the packet to the TUN device if its source address is one the peer may use and the firewall lets
 *       it in; consecutive TCP
 *       segments of one flow are first merged into one super-packet ({@link TcpCoalescer}), written when the
 *       batch ends or another packet comes between.</li>
 * </ol>
 * Skein's own messages come the same way: joins go to membership, path probes to {@link Paths}, and relay
 * messages are either forwarded (we are the relay between two members) or unwrapped (we are their destination)
 * and handled like any other datagram, remembering that they came through a relay.
 * Nothing a datagram contains can stop this loop: every refusal is a counter and, rate-limited, a log line.
 */
final class Receive implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Receive.class);

    private final Device device;
    private final Sessions sessions;
    private final Scratch scratch;
    private final TcpCoalescer coalescer = new TcpCoalescer();
    /** An initiation's sender: a peer, or a former member whose initiation proves it alive (asked rarely). */
    private final Sessions.Senders senders;
    private final Admission admission;
    private int consecutiveErrors;
    /** While a relayed datagram is handled: the key id of the member the relay forwarded it for; else 0. */
    private long relaySource;

    Receive(Device device) {
        this.device = device;
        this.sessions = device.sessions;
        this.senders = new Sessions.Senders() {
            @Override
            public Peer peer(byte[] publicKey) {
                return device.peer(publicKey);
            }

            @Override
            public boolean formerPeer(byte[] publicKey) {
                return device.events.formerPeer(Curve25519.encodeBase64(publicKey));
            }
        };
        this.scratch = new Scratch(device.outbound, device.mtu);
        this.admission = new Admission(device.cookieChecker, device::knownSource);
    }

    @Override
    public void run() {
        ByteBuffer in = ByteBuffer.allocateDirect(Constants.BUFFER_SIZE);
        ByteBuffer plain = ByteBuffer.allocateDirect(Constants.BUFFER_SIZE);
        DatagramOpens opens = new DatagramOpens(device.openWorkers, in);
        while (device.running()) {
            in.clear();
            int n;
            try {
                n = device.udp.receive(in);
            } catch (IOException e) {
                if (++consecutiveErrors >= Constants.MAX_CONSECUTIVE_RECEIVE_ERRORS) {
                    device.fail("the UDP socket failed " + consecutiveErrors + " times in a row: " + e.getMessage());
                    return;
                }
                if (device.logLimiter.allow("receive", System.nanoTime())) {
                    log.warn("receiving: {}", e.getMessage());
                }
                continue;
            }
            consecutiveErrors = 0;
            if (n < 0) {
                return;
            }
            InetSocketAddress from = device.udp.source();
            // With GRO one receive may hold several datagrams of one sender, laid end to end.
            int size = Math.max(1, device.udp.segmentSize());
            if (opens.worthIt((n + size - 1) / size)) {
                try {
                    openAhead(in, n, size, opens);
                } catch (RuntimeException e) {
                    opens.clear(); // the loop below opens each datagram itself, and says what failed
                }
            }
            for (int at = 0, i = 0; at < n; at += size, i++) {
                in.limit(Math.min(n, at + size)).position(at);
                try {
                    if (opens.opened(i)) {
                        opened(opens.keypair(i), opens.counter(i), opens.plaintext(i), from, false, System.nanoTime());
                    } else {
                        handle(in, from, false, plain);
                    }
                } catch (RuntimeException e) {
                    // A bug, not an attack we foresaw: say it, drop the datagram, keep serving.
                    device.counters.garbage.incrementAndGet();
                    if (device.logLimiter.allow("bug", System.nanoTime())) {
                        log.error("dropped a datagram from {} after an unexpected error", from, e);
                    }
                }
            }
            opens.clear();
            flushCoalesced();
        }
    }

    /**
     * Opens the transport messages of a GRO receive at once on the {@link CipherWorkers}, ahead of the loop that
     * takes the datagrams in order. A datagram with no session, or one its replay window refuses already, is left
     * to the loop, which counts it.
     */
    private void openAhead(ByteBuffer in, int n, int size, DatagramOpens opens) {
        long now = System.nanoTime();
        for (int at = 0, i = 0; at < n; at += size, i++) {
            in.limit(Math.min(n, at + size)).position(at);
            if (MessageType.of(in) == MessageType.TRANSPORT) {
                Keypair kp = session(in, now, false);
                if (kp != null) {
                    opens.reserve(i, at, in.remaining(), kp.receiveKey(), TransportMessage.counter(in), kp);
                }
            }
        }
        opens.complete();
    }

    /**
     * Hands a decrypted packet (between position and limit, with {@link VirtioNetHeader#SIZE} bytes free before
     * it) to the TUN device: merged with its neighbours into one super-packet when the device takes them.
     */
    private void deliver(ByteBuffer packet) {
        if (!device.tun.segmentationOffload()) {
            writeAlone(packet);
            return;
        }
        if (coalescer.add(packet)) {
            return;
        }
        flushCoalesced();
        if (!coalescer.add(packet)) {
            writeAlone(packet);
        }
    }

    /**
     * Writes one packet; a TCP packet with its checksum left to the kernel when the device takes virtio headers
     * ({@link PartialChecksum}), as our record promises senders (the coalescer does the same for its batches).
     */
    private void writeAlone(ByteBuffer packet) {
        int at = packet.position();
        if (!device.tun.vnetHeader() || !PartialChecksum.leaveToKernel(packet, scratch.header)) {
            written(device.tun.write(packet));
            return;
        }
        scratch.header.write(packet, at - VirtioNetHeader.SIZE);
        written(device.tun.writeFramed(packet.position(at - VirtioNetHeader.SIZE)));
        packet.position(at);
    }

    private void flushCoalesced() {
        if (coalescer.pending()) {
            written(device.tun.writeFramed(coalescer.finish()));
        }
    }

    /** A refused TUN write loses the packet: counted for `skein status` (the send thread notices a lost device). */
    private void written(boolean ok) {
        if (!ok) {
            device.counters.tunWriteErrors.incrementAndGet();
        }
    }

    /** {@code relayed}: the datagram came through the relay member at {@code from}. */
    private void handle(ByteBuffer in, InetSocketAddress from, boolean relayed, ByteBuffer plain) {
        MessageType type = MessageType.of(in);
        if (type == null) {
            device.counters.garbage.incrementAndGet();
            return;
        }
        if (type == MessageType.TRANSPORT) {
            transport(in, from, relayed, plain);
            return;
        }
        if (type == MessageType.RELAY) {
            relay(in, from, relayed, plain);
            return;
        }
        byte[] msg = new byte[in.remaining()];
        in.get(msg);
        long now = System.nanoTime();
        switch (type) {
            case INITIATION -> initiation(msg, from, relayed, now);
            case RESPONSE -> response(msg, from, relayed, now);
            case COOKIE_REPLY -> cookieReply(msg);
            case JOIN -> join(msg, from, relayed, now);
            case PATH -> device.paths.onPathMessage(msg, from, relayed, now);
            default -> device.counters.garbage.incrementAndGet();
        }
    }

    /**
     * A relay message. For us: strip the header and handle what it carries. For another member: forward it
     * unchanged, if we are a relay and both ends are members we reach directly, the sender at the very address
     * its authenticated packets come from (so nobody can use us to send to members in someone else's name).
     */
    private void relay(ByteBuffer in, InetSocketAddress from, boolean relayed, ByteBuffer plain) {
        if (relayed) {
            device.counters.garbage.incrementAndGet(); // no relay through a relay
            return;
        }
        long destination = RelayHeader.destination(in);
        if (destination == device.ownId) {
            long source = RelayHeader.source(in);
            in.position(in.position() + RelayHeader.SIZE);
            relaySource = source == 0 ? 1 : source;
            try {
                handle(in, from, true, plain);
            } finally {
                relaySource = 0;
            }
            return;
        }
        Peer source = device.peerById(RelayHeader.source(in));
        Peer target = device.peerById(destination);
        if (!device.relayEnabled() || source == null || target == null || source == target
                || source.relay() != null || target.relay() != null || target.endpoint() == null
                || !from.equals(source.endpoint())) {
            device.counters.refusedRelay.incrementAndGet();
            return;
        }
        int n = in.remaining();
        if (device.outbound.send(in, target.endpoint(), false)) {
            device.counters.relayedPackets.incrementAndGet();
            device.counters.relayedBytes.addAndGet(n);
        }
    }

    /** Sends a handshake answer back the way the message came: straight, or through the same relay. */
    private void answer(byte[] reply, Peer peer, InetSocketAddress from, boolean relayed) {
        byte[] datagram = relayed ? RelayHeader.wrap(reply, peer.keyId(), device.ownId) : reply;
        device.outbound.send(ByteBuffer.wrap(datagram), from, false);
    }

    /**
     * True when the handshake message may cost its Diffie-Hellman work ({@link Admission}); false when it was
     * dropped (counted) or answered with a cookie.
     */
    private boolean admit(byte[] msg, InetSocketAddress from, boolean relayed, long now) {
        switch (admission.handshake(msg, from, relaySource, now)) {
            case ADMIT:
                return true;
            case BAD_MAC:
                device.counters.badMac.incrementAndGet();
                return false;
            case SEND_COOKIE:
                device.counters.cookieReplies.incrementAndGet();
                if (!relayed) { // a cookie binds the sender's address, which a relay hides
                    device.outbound.send(ByteBuffer.wrap(admission.cookieReply(msg, from, now)), from, false);
                }
                return false;
            default:
                device.counters.rateLimited.incrementAndGet();
                return false;
        }
    }

    private void initiation(byte[] msg, InetSocketAddress from, boolean relayed, long now) {
        if (!admit(msg, from, relayed, now)) {
            return;
        }
        try {
            Sessions.Initiated initiated = sessions.consumeInitiation(msg, senders, now);
            if (initiated instanceof Sessions.FormerPeerAlive alive) {
                // A member we removed is alive after all: membership takes it back and answers with a handshake
                // of its own.
                device.events.onFormerPeerAlive(alive.publicKeyBase64(), from);
                return;
            }
            Sessions.Answer answer = (Sessions.Answer) initiated;
            arrived(answer.peer(), from, relayed, now);
            answer(answer.response(), answer.peer(), from, relayed);
            log.debug("answered a handshake from {} at {}", answer.peer().name(), from);
        } catch (WireException e) {
            if (e.reason() == WireException.Reason.UNKNOWN_PEER) {
                // Often a member whose record is on its way: membership decides whether it is worth a warning.
                device.counters.refusedHandshake.incrementAndGet();
                device.events.onUnknownPeer(e.detail(), from);
                return;
            }
            refused("handshake initiation", from, e, now);
        }
    }

    /**
     * An authenticated, fresh handshake message from {@code peer} (a response to our initiation, or an initiation
     * newer than any before): the member is alive now, whatever path it came on, and what it says about the path.
     */
    private void arrived(Peer peer, InetSocketAddress from, boolean relayed, long now) {
        // Membership keeps a member its gossip layer lost while the data plane heard from it lately. A member
        // installed a moment ago has often sent nothing else yet: in a 32-node start a member whose session had
        // just been made (a second before) was removed as "nothing heard for 2 s".
        peer.recordHeard(now);
        if (relayed) {
            device.paths.heardRelayed(peer, from, now);
        } else {
            device.paths.heardDirect(peer, from, now);
        }
    }

    private void response(byte[] msg, InetSocketAddress from, boolean relayed, long now) {
        if (!admit(msg, from, relayed, now)) {
            return;
        }
        IndexTable.Entry entry = device.indices.get(Bytes.getIntLE(msg, Layout.RESPONSE_RECEIVER));
        if (entry == null) {
            device.counters.unknownIndex.incrementAndGet();
            return;
        }
        try {
            Keypair kp = sessions.consumeResponse(entry, msg, now);
            Peer peer = kp.peer();
            arrived(peer, from, relayed, now);
            device.counters.sessionsEstablished.incrementAndGet();
            log.info("session with {} established ({})", peer.name(), peer.path());
            if (!device.outbound.flushStaged(peer, scratch)) {
                device.outbound.sendKeepalive(peer, scratch); // lets the responder confirm the session at once
            }
        } catch (WireException e) {
            refused("handshake response", from, e, now);
        }
    }

    private void join(byte[] msg, InetSocketAddress from, boolean relayed, long now) {
        if (!admission.join(from, relaySource, now)) {
            device.counters.refusedJoin.incrementAndGet();
            return;
        }
        device.events.onJoin(msg, from, relayed);
    }

    private void cookieReply(byte[] msg) {
        IndexTable.Entry entry = device.indices.get(Bytes.getIntLE(msg, CookieReply.RECEIVER));
        if (entry == null) {
            device.counters.unknownIndex.incrementAndGet();
            return;
        }
        long now = System.nanoTime();
        if (!entry.peer().consumeCookieReply(msg, now)) {
            device.counters.badMac.incrementAndGet();
            return;
        }
        // The responder is under load and dropped our initiation: send it again now, with the cookie, rather
        // than after Rekey-Timeout. At most once per Rekey-Timeout, so cookie replies cannot drive a storm.
        if (entry.keypair() == null
                && sessions.retryAfterCookie(entry.peer(), now, device.tuning.rekeyTimeout().toNanos())) {
            device.outbound.initiate(entry.peer(), now);
        }
    }

    /**
     * The session a transport message (between position and limit) names by its receiver index, if it may still
     * receive and its replay window may take the counter; else null, counted when {@code count}.
     */
    private Keypair session(ByteBuffer in, long now, boolean count) {
        IndexTable.Entry entry = device.indices.get(TransportMessage.receiverIndex(in));
        if (entry == null || entry.keypair() == null) {
            if (count) {
                device.counters.unknownIndex.incrementAndGet();
            }
            return null;
        }
        Keypair kp = entry.keypair();
        if (kp.ageNanos(now) > device.rejectAfterNanos || !kp.mayAccept(TransportMessage.counter(in))) {
            if (count) {
                device.counters.replayed.incrementAndGet();
            }
            return null;
        }
        return kp;
    }

    private void transport(ByteBuffer in, InetSocketAddress from, boolean relayed, ByteBuffer plain) {
        long now = System.nanoTime();
        Keypair kp = session(in, now, true);
        if (kp == null) {
            return;
        }
        long counter = TransportMessage.counter(in);
        plain.clear().position(VirtioNetHeader.SIZE); // room for the TUN device's header
        int n = TransportMessage.open(scratch.aead(), kp.receiveKey(), in, plain);
        opened(kp, counter, n < 0 ? null : plain.flip().position(VirtioNetHeader.SIZE), from, relayed, now);
    }

    /**
     * A transport message of {@code kp} with {@code counter} decrypted to {@code plain} (between position and
     * limit, with room for the TUN device's header before it), or null when it did not authenticate: through the
     * replay window, the session's confirmation and the source check to the TUN device.
     */
    private void opened(Keypair kp, long counter, ByteBuffer plain, InetSocketAddress from, boolean relayed,
                        long now) {
        if (plain == null) {
            device.counters.badTransport.incrementAndGet();
            return;
        }
        if (!kp.accept(counter)) {
            device.counters.replayed.incrementAndGet();
            return;
        }
        Peer peer = kp.peer();
        if (!relayed) {
            device.paths.heardDirect(peer, from, now); // roaming: follow the peer to its new address
        }
        if (sessions.confirm(kp)) {
            device.counters.sessionsEstablished.incrementAndGet();
            log.info("session with {} established ({})", peer.name(), peer.path());
            device.outbound.flushStaged(peer, scratch);
        }
        int n = plain.remaining();
        if (kp.initiator() && kp.ageNanos(now) > device.rekeyOnReceiveNanos) {
            device.outbound.initiate(peer, now);
        }
        if (n == 0) {
            peer.recordReceived(0, now);
            return;
        }
        int length = IpPacket.length(plain, n);
        if (length < 0) {
            device.counters.badTransport.incrementAndGet();
            return;
        }
        plain.limit(plain.position() + length);
        // Cryptokey routing: the packet's source must be an address whose route leads back to this very peer
        // (longest-prefix match), not merely inside one of its prefixes: a member granted 100.96.0.0/16 cannot
        // send as a host of another member's 100.96.1.0/24, nor a 0.0.0.0/0 peer as any member.
        Peer owner = IpPacket.version(plain) == 4 ? device.peers.routes.lookup4(IpPacket.source4(plain))
                : device.peers.routes.lookup(IpPacket.address(plain, true));
        if (owner != peer) {
            device.counters.forbiddenSource.incrementAndGet();
            return;
        }
        if (!device.firewall.allows(plain, peer.identity(), true, scratch.probe, now)) {
            return; // counted by the firewall
        }
        peer.recordReceived(length, now);
        deliver(plain);
    }

    private void refused(String what, InetSocketAddress from, WireException e, long now) {
        device.counters.refusedHandshake.incrementAndGet();
        if (e.reason() == WireException.Reason.REPLAYED || e.reason() == WireException.Reason.UNEXPECTED) {
            // Usually two initiations of a peer within one timestamp tick (both ends started at once, or a path
            // change resent one), or a response whose handshake is already done (one answer came by the relay
            // and one direct, or came late on a loaded machine after the session was made the other way):
            // harmless, and counted. Only a message with a valid MAC1 naming one of our live indices gets here.
            log.debug("{} from {} refused: {}", what, from, e.getMessage());
        } else if (device.logLimiter.allow(what + from.getAddress() + e.reason(), now)) {
            log.warn("{} from {} refused: {}", what, from, e.getMessage());
        }
    }
}
