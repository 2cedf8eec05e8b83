package dev.skein.node.dataplane;

import java.net.InetSocketAddress;

/**
 * What the data plane tells the rest of the node, given at construction so that nothing it hears before the
 * node is fully up is lost: join messages (membership's), handshakes from unknown keys, our public endpoint as a
 * member saw it, and that it cannot go on. Called on the data-plane threads: each must be quick and not throw.
 */
public interface Events {
    /**
     * A join message (type 5). {@code relayed}: it came through a relay, so {@code from} is the relay's
     * address, not the sender's.
     */
    void onJoin(byte[] datagram, InetSocketAddress from, boolean relayed);

    /** A handshake initiation refused because its static key belongs to no peer. */
    void onUnknownPeer(String publicKeyBase64, InetSocketAddress from);

    /** Our own public endpoint as a member saw it (the source address of our ping, in its pong). */
    void onObserved(InetSocketAddress endpoint, String byMember);

    /**
     * The data plane cannot go on: a thread died, the TUN device disappeared, the UDP socket keeps failing.
     * Called once; the node should clean up and exit for its supervisor to restart it (not from this thread:
     * it must not close the device here).
     */
    void onFailure(String cause);
}
