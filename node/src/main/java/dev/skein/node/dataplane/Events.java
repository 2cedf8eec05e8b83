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

    /**
     * Whether the key is a member's that is no peer of ours now but whose record says it runs: one removed on
     * its silence, or not added yet. An initiation from such a key is authenticated in full, and if it is fresh
     * the member is alive ({@link #onFormerPeerAlive}). Without membership, none.
     */
    default boolean formerPeer(String publicKeyBase64) {
        return false;
    }

    /** An authenticated initiation, newer than any before it, from a key {@link #formerPeer} named. */
    default void onFormerPeerAlive(String publicKeyBase64, InetSocketAddress from) {
    }

    /** Our own public endpoint as a member saw it (the source address of our ping, in its pong). */
    void onObserved(InetSocketAddress endpoint, String byMember);

    /**
     * The data plane cannot go on: a thread died, the TUN device disappeared, the UDP socket keeps failing.
     * Called once; the node should clean up and exit for its supervisor to restart it (not from this thread:
     * it must not close the device here).
     */
    void onFailure(String cause);
}
