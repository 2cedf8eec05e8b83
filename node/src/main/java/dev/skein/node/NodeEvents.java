package dev.skein.node;

import dev.skein.node.dataplane.Events;
import dev.skein.node.membership.Membership;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's side of the data plane's {@link Events}, given to the device when it is made: membership starts
 * after the device (it sends through it), so join messages that arrive in between are kept, up to a bound, and
 * handed over when membership is attached instead of being lost.
 */
final class NodeEvents implements Events {
    private static final Logger log = LoggerFactory.getLogger(NodeEvents.class);
    /** Join messages kept until membership is attached; beyond this, the oldest are dropped. */
    private static final int EARLY_JOINS = 64;

    private record Join(byte[] datagram, InetSocketAddress from, boolean relayed) {}

    private final ArrayDeque<Join> early = new ArrayDeque<>();
    private volatile Membership membership;
    /** Set once the node exists, before the device starts (no failure can come earlier). */
    private volatile Consumer<String> failure = cause -> { };

    void failureHandler(Consumer<String> handler) {
        this.failure = handler;
    }

    /** Membership is up: it hears from now on, the join messages kept first. */
    void attach(Membership m) {
        synchronized (early) {
            membership = m;
            for (Join j; (j = early.poll()) != null; ) {
                m.onJoinDatagram(j.datagram(), j.from(), j.relayed());
            }
        }
    }

    @Override
    public void onJoin(byte[] datagram, InetSocketAddress from, boolean relayed) {
        Membership m = membership;
        if (m != null) {
            m.onJoinDatagram(datagram, from, relayed);
            return;
        }
        synchronized (early) {
            if (membership != null) {
                membership.onJoinDatagram(datagram, from, relayed);
                return;
            }
            if (early.size() == EARLY_JOINS) {
                early.poll();
            }
            early.add(new Join(datagram, from, relayed));
        }
    }

    @Override
    public void onUnknownPeer(String publicKeyBase64, InetSocketAddress from) {
        Membership m = membership;
        if (m != null) {
            m.onUnknownPeer(publicKeyBase64, from);
        } else {
            log.debug("handshake initiation from {} before membership started: key {} is not a peer yet", from,
                    publicKeyBase64);
        }
    }

    @Override
    public boolean formerPeer(String publicKeyBase64) {
        Membership m = membership;
        return m != null && m.formerPeer(publicKeyBase64);
    }

    @Override
    public void onFormerPeerAlive(String publicKeyBase64, InetSocketAddress from) {
        Membership m = membership;
        if (m != null) {
            m.onFormerPeerAlive(publicKeyBase64, from);
        }
    }

    @Override
    public void onObserved(InetSocketAddress endpoint, String byMember) {
        Membership m = membership;
        if (m != null) {
            m.onObserved(endpoint, byMember);
        }
    }

    @Override
    public void onFailure(String cause) {
        failure.accept(cause);
    }
}
