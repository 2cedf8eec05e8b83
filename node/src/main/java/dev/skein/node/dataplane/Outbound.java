package dev.skein.node.dataplane;

import dev.skein.node.offload.TcpSegmenter;
import dev.skein.node.offload.VirtioNetHeader;
import dev.skein.node.peer.Keypair;
import dev.skein.node.peer.Peer;
import dev.skein.node.io.DatagramTooBig;
import dev.skein.protocol.path.RelayHeader;
import dev.skein.protocol.transport.TransportMessage;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything that leaves the data plane for the underlay (wireguard-go's send.go), shared by the three threads:
 * transport data sealed with the peer's current session into the thread's {@link SendBatch} (staged, with a
 * handshake started, when there is none), TCP super-packets cut and sealed segment by segment, keepalives,
 * handshake initiations, and other datagrams. Each goes straight to the peer's endpoint or, when its path is a
 * relay, to the relay behind a {@link RelayHeader}.
 */
final class Outbound {
    private static final Logger log = LoggerFactory.getLogger(Outbound.class);

    private final Device device;

    Outbound(Device device) {
        this.device = device;
    }

    /** Seals and sends one packet (its remaining bytes) to {@code peer}, or stages it and starts a handshake. */
    void sendPacket(Peer peer, ByteBuffer packet, Scratch scratch) {
        enqueue(peer, packet, scratch);
        scratch.batch.flush();
    }

    /**
     * Seals one packet (its remaining bytes) for {@code peer} into the thread's {@link SendBatch}, which sends
     * it with the datagrams before and after it for the same destination; or stages it and starts a handshake
     * when there is no usable session. The caller flushes the batch.
     */
    void enqueue(Peer peer, ByteBuffer packet, Scratch scratch) {
        if (peer.hasStaged()) {
            flushStaged(peer, scratch); // the packets that waited for the session go first
        }
        enqueueAfterStaged(peer, packet, scratch);
    }

    private void enqueueAfterStaged(Peer peer, ByteBuffer packet, Scratch scratch) {
        long now = System.nanoTime();
        Keypair kp = usableKeypair(peer, now);
        if (kp == null) {
            if (packet.hasRemaining()) {
                peer.stage(packet);
            }
            initiate(peer, now);
            return;
        }
        long counter = seal(peer, kp, packet, scratch, now);
        rekeyIfDue(peer, kp, counter, now);
    }

    /** The peer's current keypair if it may still send, else null. */
    private Keypair usableKeypair(Peer peer, long now) {
        Keypair kp = peer.current();
        return kp != null && kp.ageNanos(now) < device.tuning.rejectAfterTime().toNanos() ? kp : null;
    }

    /**
     * Pads and seals {@code packet} into the batch as one datagram for {@code peer} (behind a relay header if it
     * goes through a relay). Returns the counter used, or -1 when the keypair is used up (nothing sealed).
     */
    private long seal(Peer peer, Keypair kp, ByteBuffer packet, Scratch scratch, long now) {
        Peer via = peer.relay();
        InetSocketAddress to = via == null ? peer.endpoint() : via.endpoint();
        if (to == null) {
            return 0; // nowhere to send it; as a failed send, the timers will find a path
        }
        long counter = kp.nextCounter();
        if (counter < 0) {
            return -1;
        }
        int length = packet.remaining();
        int datagram = relayPrefix(via) + TransportMessage.sealedSize(length, device.mtu);
        TransportMessage.pad(packet, device.mtu);
        SendBatch batch = scratch.batch;
        batch.buffer.position(startDatagram(peer, via, to, datagram, batch));
        TransportMessage.seal(scratch.aead(), kp.sendKey(), kp.remoteIndex(), counter, packet, batch.buffer);
        batch.add(datagram);
        peer.recordSent(length, now);
        return counter;
    }

    /** The relay header's length before a datagram that goes through {@code via}; 0 when it goes straight. */
    private static int relayPrefix(Peer via) {
        return via == null ? 0 : RelayHeader.SIZE;
    }

    /**
     * Makes room in the batch for a datagram of {@code datagram} bytes to {@code to}, writes the relay header first
     * when it goes through {@code via}, and returns where its transport message goes.
     */
    private int startDatagram(Peer peer, Peer via, InetSocketAddress to, int datagram, SendBatch batch) {
        int at = batch.start(to, datagram);
        if (via != null) {
            RelayHeader.write(batch.buffer, at, peer.keyId(), device.ownId);
        }
        return at + relayPrefix(via);
    }

    /** The initiator of a session starts the next one when it is old or has sent many messages. */
    private void rekeyIfDue(Peer peer, Keypair kp, long counter, long now) {
        if (counter < 0 || kp.initiator() && (kp.ageNanos(now) > device.tuning.rekeyAfterTime().toNanos()
                || Long.compareUnsigned(counter, device.tuning.rekeyAfterMessages()) > 0)) {
            initiate(peer, now);
        }
    }

    /**
     * Sends a TCP super-packet from the TUN device (TSO): reserves each segment's room in the thread's
     * {@link SendBatch} and its counter, in order, then has the thread's {@link CipherWorkers} cut and seal them all
     * ({@link SegmentSeals}), so that they leave in one or two UDP GSO sends. Without a usable session the segments
     * are staged one by one, as {@link #enqueue} would. The caller flushes the batch.
     */
    void sendSegmented(Peer peer, ByteBuffer superPacket, VirtioNetHeader header, Scratch scratch) {
        TcpSegmenter segmenter = scratch.segmenter;
        int count = segmenter.begin(superPacket, header, peer.tcpChecksumOptional());
        if (count < 0) {
            device.counters.garbage.incrementAndGet();
            return;
        }
        if (peer.hasStaged()) {
            flushStaged(peer, scratch); // the packets that waited for the session go first
        }
        long now = System.nanoTime();
        Keypair kp = usableKeypair(peer, now);
        if (kp == null) {
            for (int i = 0; i < count; i++) {
                ByteBuffer packet = scratch.packet.clear();
                segmenter.segment(i, packet);
                peer.stage(packet.flip());
            }
            initiate(peer, now);
            return;
        }
        Peer via = peer.relay();
        InetSocketAddress to = via == null ? peer.endpoint() : via.endpoint();
        if (to == null) {
            rekeyIfDue(peer, kp, 0, now); // nowhere to send it; as a failed send, the timers will find a path
            return;
        }
        SendBatch batch = scratch.batch;
        SegmentSeals seals = scratch.seals;
        seals.begin(segmenter, kp.sendKey(), kp.remoteIndex());
        long counter = 0;
        int bytes = 0;
        for (int i = 0; i < count; i++) {
            counter = kp.nextCounter();
            if (counter < 0) {
                break; // the session is used up: the rekey below starts the next one
            }
            int length = segmenter.segmentLength(i);
            int datagram = relayPrefix(via) + TransportMessage.sealedSize(length, device.mtu);
            seals.reserve(i, startDatagram(peer, via, to, datagram, batch), counter);
            batch.add(datagram);
            bytes += length;
        }
        seals.complete(); // the super-packet's buffer is the caller's again once this returns
        if (bytes > 0) {
            peer.recordSent(bytes, now);
        }
        rekeyIfDue(peer, kp, counter, now);
    }

    /** Sends datagrams laid end to end, cut every {@code segmentSize} bytes (0: one datagram). */
    void sendSegments(ByteBuffer datagrams, int segmentSize, InetSocketAddress to) {
        try {
            device.udp.sendSegments(datagrams, segmentSize, to);
        } catch (DatagramTooBig e) {
            // The path got smaller (an ICMP taught the kernel): these are lost, the next packets are fitted to it.
            device.pathMtu.recheck(to, System.nanoTime());
        } catch (IOException e) {
            // An ICMP error from an earlier send, or a full buffer: the timers retry what matters.
            if (device.logLimiter.allow("send " + to.getAddress(), System.nanoTime())) {
                log.warn("cannot send to {}: {}", to, e.toString());
            }
        }
    }

    /** An empty transport message: proves we are alive and keeps NAT mappings open. */
    void sendKeepalive(Peer peer, Scratch scratch) {
        if (peer.current() != null) {
            scratch.packet.clear().flip();
            sendPacket(peer, scratch.packet, scratch);
        }
    }

    /**
     * Sends the packets staged while the session was being set up, oldest first; true if any were sent. One thread
     * at a time per peer, and each packet stays staged until it is sent, so that a new packet waits its turn.
     */
    boolean flushStaged(Peer peer, Scratch scratch) {
        boolean any = false;
        synchronized (peer.stagedFlush()) {
            // Only while the session may send: a packet it could not take would be staged again, behind the rest.
            for (byte[] p; usableKeypair(peer, System.nanoTime()) != null && (p = peer.oldestStaged()) != null; ) {
                if (p.length <= scratch.staged.capacity()) { // (a staged packet is never longer than the MTU)
                    enqueueAfterStaged(peer, scratch.staged.clear().put(p).flip(), scratch);
                    scratch.batch.flush();
                }
                peer.unstaged(p);
                any = true;
            }
        }
        return any;
    }

    /** Sends a handshake initiation unless one went out less than Rekey-Timeout ago. */
    void initiate(Peer peer, long now) {
        if (peer.endpoint() == null && peer.relay() == null) {
            return; // nowhere to send it: wait for the peer to reach us
        }
        byte[] msg = device.sessions.createInitiation(peer, now, device.tuning.rekeyTimeout().toNanos());
        if (msg != null) {
            datagram(msg, peer);
            log.debug("handshake initiation to {} at {} ({})", peer.name(), peer.endpoint(), peer.path());
        }
    }

    /** Sends one datagram to a peer the way its packets go now: straight, or through its relay. */
    boolean datagram(byte[] datagram, Peer peer) {
        return datagram(datagram, peer, peer.relay());
    }

    /** Sends one datagram to a peer through the relay {@code via}, or straight when it is null. */
    boolean datagram(byte[] datagram, Peer peer, Peer via) {
        if (via != null) {
            return send(ByteBuffer.wrap(RelayHeader.wrap(datagram, peer.keyId(), device.ownId)), via.endpoint(), false);
        }
        return send(ByteBuffer.wrap(datagram), peer.endpoint(), false);
    }

    /** Sends one datagram that crosses at most {@code hops} routers (see {@link dev.skein.node.io.UnderlaySocket}). */
    void sendHopLimited(ByteBuffer datagram, InetSocketAddress to, int hops) {
        try {
            device.udp.sendHopLimited(datagram, to, hops);
        } catch (IOException e) {
            log.debug("hop-limited datagram to {} not sent: {}", to, e.toString());
        }
    }

    /**
     * Sends one datagram; false if it could not be sent. {@code probe}: a path probe to a candidate endpoint,
     * which is often unreachable from here (another site's LAN address): a failure is expected, not a warning.
     */
    boolean send(ByteBuffer datagram, InetSocketAddress to, boolean probe) {
        if (to == null) {
            return false;
        }
        try {
            device.udp.send(datagram, to);
            return true;
        } catch (IOException e) {
            // An ICMP error from an earlier send, or a full buffer: the timers retry what matters.
            if (probe) {
                log.debug("probe to {} not sent: {}", to, e.toString());
            } else if (device.logLimiter.allow("send " + to.getAddress(), System.nanoTime())) {
                log.warn("cannot send to {}: {}", to, e.toString());
            }
            return false;
        }
    }
}
