package dev.skein.node.dataplane;

import dev.skein.node.Constants;
import dev.skein.node.config.Tuning;
import dev.skein.node.peer.Keypair;
import dev.skein.node.peer.Peer;
import dev.skein.node.peer.Sessions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WireGuard timers (paper §6), checked for every peer ten times a second:
 * <ul>
 *   <li>retransmit an unanswered initiation after Rekey-Timeout; give up after Rekey-Attempt-Time and drop
 *       the staged packets;</li>
 *   <li>passive keepalive: data arrived but we sent nothing for Keepalive-Timeout;</li>
 *   <li>new handshake: we sent data but heard nothing for Keepalive-Timeout + Rekey-Timeout;</li>
 *   <li>persistent keepalive, when configured (keeps NAT mappings open);</li>
 *   <li>forget keypairs older than 3 x Reject-After-Time;</li>
 *   <li>and Skein's own: probe and choose each member's path ({@link Paths}), follow each path's MTU
 *       ({@link PathMtu}), forget idle firewall flows.</li>
 * </ul>
 */
final class Timers implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Timers.class);

    private final Device device;
    private final Sessions sessions;
    /** The timers of the moment: a reload may change them (read once per peer and tick). */
    private Tuning t;

    Timers(Device device) {
        this.device = device;
        this.sessions = device.sessions;
        this.t = device.tuning;
    }

    @Override
    public void run() {
        Scratch scratch = new Scratch(device.outbound, device.mtu);
        while (device.running()) {
            try {
                Thread.sleep(Constants.TIMER_TICK.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            device.paths.beginTick(System.nanoTime());
            device.firewall.sweep(System.nanoTime());
            t = device.tuning;
            for (Peer peer : device.peers()) {
                try {
                    device.paths.tick(peer, System.nanoTime());
                    device.pathMtu.check(peer, System.nanoTime());
                    tick(peer, System.nanoTime(), scratch);
                } catch (RuntimeException e) {
                    if (device.logLimiter.allow("timer bug " + peer.name(), System.nanoTime())) {
                        log.error("timer for {} failed", peer.name(), e);
                    }
                }
            }
        }
    }

    private void tick(Peer peer, long now, Scratch scratch) {
        long keepalive = t.keepaliveTimeout().toNanos();
        long handshakeAge = sessions.handshakeAgeNanos(peer, now);
        if (handshakeAge > t.rekeyAttemptTime().toNanos()) {
            sessions.abandonHandshake(peer);
            peer.clearStaged();
            log.info("no handshake answer from {} at {} for {} s; giving up until there is traffic", peer.name(),
                    peer.endpoint(), t.rekeyAttemptTime().toSeconds());
        } else if (handshakeAge >= 0) {
            device.outbound.initiate(peer, now); // retransmits once Rekey-Timeout has passed
        }
        Keypair kp = peer.current();
        boolean usable = kp != null && kp.ageNanos(now) < t.rejectAfterTime().toNanos();
        if (usable && peer.hasStaged()) {
            device.outbound.flushStaged(peer, scratch);
        } else if (!usable && peer.hasStaged()) {
            device.outbound.initiate(peer, now);
        }
        if (usable && peer.lastDataReceivedNanos() > peer.lastSentNanos()
                && now - peer.lastDataReceivedNanos() >= keepalive) {
            device.outbound.sendKeepalive(peer, scratch);
        }
        if (peer.lastDataSentNanos() > peer.lastReceivedNanos() && handshakeAge < 0
                && now - peer.lastDataSentNanos() >= keepalive + t.rekeyTimeout().toNanos()
                && now - peer.lastReceivedNanos() >= keepalive + t.rekeyTimeout().toNanos()) {
            device.outbound.initiate(peer, now);
        }
        long persistent = peer.persistentKeepaliveSeconds() * 1_000_000_000L;
        if (persistent > 0 && now - peer.lastSentNanos() >= persistent) {
            if (usable) {
                device.outbound.sendKeepalive(peer, scratch);
            } else {
                device.outbound.initiate(peer, now);
            }
        }
        sessions.expire(peer, now, 3 * t.rejectAfterTime().toNanos());
    }
}
