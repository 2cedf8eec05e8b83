package dev.skein.node.membership;

import dev.skein.protocol.cert.Certificate;
import dev.skein.protocol.member.MemberRecord;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Our own membership record: the endpoints it publishes (our public ones as members saw them, confirmed by
 * {@link ObservedEndpoints}, then our local ones), its version, its signature, and the expiry warnings of our
 * certificate. Republished through gossip whenever any of it changes. Membership thread only; times passed in.
 */
final class OwnRecord {
    private static final Logger log = LoggerFactory.getLogger(Membership.class);
    /** How often our local endpoints are looked up again (interfaces come and go). */
    static final Duration ENDPOINT_CHECK = Duration.ofSeconds(5);

    private final Supplier<Membership.Settings> settings;
    private final ObservedEndpoints observed = new ObservedEndpoints();
    private Consumer<String> publish = signed -> { };
    private List<InetSocketAddress> localEndpoints;
    private MemberRecord record;
    private byte[] signed;
    private long lastEndpointCheckNanos;
    /** Which expiry warnings the log has had for our certificate: 0 none, 1 the 14-day one, 2 the 1-day one. */
    private int expiryWarned;

    /** Our first record of this run: its version and incarnation are the time it starts. */
    OwnRecord(Supplier<Membership.Settings> settings, long wallMillis) {
        this.settings = settings;
        Membership.Settings s = settings.get();
        this.localEndpoints = s.localEndpoints().get();
        this.record = new MemberRecord(s.self(), wallMillis, wallMillis, candidates(), s.gossipPort(), s.relay(),
                false, s.tcpChecksumOptional());
        sign();
    }

    /** Where a new version goes: the gossip layer, once it runs. */
    void publishTo(Consumer<String> publish) {
        this.publish = publish;
    }

    MemberRecord record() {
        return record;
    }

    /** The record as signed last, as members receive it. */
    byte[] signed() {
        return signed;
    }

    String signedBase64() {
        return Base64.getEncoder().encodeToString(signed);
    }

    List<InetSocketAddress> localEndpoints() {
        return localEndpoints;
    }

    /** Our endpoints as the mesh confirmed them. */
    List<InetSocketAddress> published() {
        return observed.published();
    }

    /** A reload: our renewed certificate and relay flag, published at once. True if the certificate changed. */
    boolean renew(Certificate cert, boolean relay, long wallMillis) {
        boolean renewed = !cert.sameAs(record.certificate());
        record = new MemberRecord(cert, nextVersion(wallMillis), record.incarnation(), candidates(),
                record.gossipPort(), relay, false, record.tcpChecksumOptional());
        publish();
        if (renewed) {
            expiryWarned = 0;
        }
        return renewed;
    }

    /** Looks up our local endpoints again every {@link #ENDPOINT_CHECK}; republishes if they or ours seen changed. */
    void refreshEndpoints(long now, long wallMillis) {
        if (now - lastEndpointCheckNanos < ENDPOINT_CHECK.toNanos()) {
            return;
        }
        lastEndpointCheckNanos = now;
        List<InetSocketAddress> fresh = settings.get().localEndpoints().get();
        boolean expired = observed.expire(now);
        if (!fresh.equals(localEndpoints) || expired) {
            localEndpoints = fresh;
            republish(wallMillis);
        }
    }

    /**
     * Our endpoint as {@code member} saw it ({@code bySeed}: a seed we joined through). Published once it is
     * confirmed, first in our record: after a NAT reboot or a move it is the one that works. Without NAT it is one
     * of our local endpoints: `skein status` still shows it, as how the mesh sees us.
     */
    void observe(InetSocketAddress endpoint, String member, boolean bySeed, long now, long wallMillis) {
        if (observed.report(endpoint, member, bySeed, now)) {
            log.info("our endpoint as the mesh sees it: {}", endpoint);
            republish(wallMillis);
        }
    }

    /** Says in the log, once each, that our certificate expires within 14 days and within 1 day. */
    void warnOfExpiry(Instant wall) {
        Certificate self = settings.get().self();
        Duration left = Duration.between(wall, self.notAfter());
        int due = left.compareTo(Duration.ofDays(1)) < 0 ? 2 : left.compareTo(Duration.ofDays(14)) < 0 ? 1 : 0;
        if (due > expiryWarned) {
            expiryWarned = due;
            log.warn("our certificate expires in {} h ({}): renew it (skein sign) and run skein reload",
                    Math.max(0, left.toHours()), self.notAfter());
        }
    }

    /** Our goodbye: the record marked leaving, published and returned signed, for the members told directly. */
    byte[] leave(long wallMillis) {
        record = record.leavingAt(nextVersion(wallMillis));
        publish();
        return signed;
    }

    /**
     * What we publish: the endpoints the mesh saw us at, then each of their addresses at our own port, then our
     * local endpoints. Why the guess: a router that keeps ports where it can gives us another port toward a
     * destination whose entry clashed with one it already held (a member that pinged it before we sent anything
     * there), so one member may see us at some other port while every other destination still sees ours. A
     * member that knew only the odd port would prime its router toward it alone, and our punch pings, from our
     * own port, would spoil its router. The address is one the mesh already confirmed, so the guess names no
     * host that is not ours.
     */
    private List<InetSocketAddress> candidates() {
        List<InetSocketAddress> c = new ArrayList<>(observed.published());
        if (!localEndpoints.isEmpty()) {
            int ownPort = localEndpoints.get(0).getPort();
            for (InetSocketAddress seen : observed.published()) {
                InetSocketAddress samePort = new InetSocketAddress(seen.getAddress(), ownPort);
                if (!c.contains(samePort)) {
                    c.add(samePort);
                }
            }
        }
        for (InetSocketAddress e : localEndpoints) {
            if (!c.contains(e)) {
                c.add(e);
            }
        }
        return c.size() > MemberRecord.MAX_ENDPOINTS ? c.subList(0, MemberRecord.MAX_ENDPOINTS) : c;
    }

    private void republish(long wallMillis) {
        record = new MemberRecord(record.certificate(), nextVersion(wallMillis), record.incarnation(), candidates(),
                record.gossipPort(), record.relay(), false, record.tcpChecksumOptional());
        publish();
    }

    private long nextVersion(long wallMillis) {
        return Math.max(wallMillis, record.version() + 1);
    }

    private void sign() {
        signed = record.sign(settings.get().signingKey());
    }

    private void publish() {
        sign();
        publish.accept(signedBase64());
    }
}
