package dev.skein.node;

import java.time.Duration;

/**
 * The data plane's fixed times and bounds in one place, as wireguard-go's {@code device/constants.go}. The
 * WireGuard paper's own timers are {@link dev.skein.protocol.transport.SessionLimits} (the wire protocol's) and
 * {@link dev.skein.node.config.Tuning} (which the configuration may shorten); what is here no configuration
 * changes. Membership keeps its gossip timers beside the class each one paces ({@code Gossip}, {@code MemberTable},
 * {@code Joins}), all as {@link Duration}s as well.
 */
public final class Constants {
    /**
     * "Never happened", for a monotonic time in nanos: far enough in the past that {@code now - NEVER} exceeds any
     * interval, near enough that the subtraction cannot overflow.
     */
    public static final long NEVER = Long.MIN_VALUE / 2;

    // handshakes
    /** An initiation from the same peer sooner than this after the last one is dropped (handshake flood). */
    public static final Duration MIN_INITIATION_INTERVAL = Duration.ofMillis(20);
    /** Static keys whose last accepted initiation timestamp is kept (only authenticated peers' keys are added). */
    public static final int MAX_REMEMBERED_KEYS = 65536;
    /** Packets held per peer while a handshake completes; older ones are dropped first beyond this. */
    public static final int MAX_STAGED_PACKETS = 128;

    // timers
    /** How often every peer's timers are checked. */
    public static final Duration TIMER_TICK = Duration.ofMillis(100);
    /**
     * How often each peer's underlay path MTU is asked of the kernel (a socket, a connect, a getsockopt: a few
     * microseconds). The kernel learns a lower MTU from an ICMP "fragmentation needed" at once; until this asks,
     * the tunnel's bigger datagrams are fragmented on the way.
     */
    public static final Duration PATH_MTU_CHECK = Duration.ofSeconds(2);

    // paths between members (Paths)
    /** A direct path that carried nothing authenticated for this long is broken: relay until a probe answers. */
    public static final Duration DIRECT_PATH_TIMEOUT = Duration.ofSeconds(3);
    /**
     * Sooner than that when the relay proves it: a direct path silent this long, while a ping through the relay
     * was answered after its last packet, is broken (the member is alive; its direct path is not). Shorter than
     * membership's silence (2 s), so that a path change never looks like a death.
     */
    public static final Duration DIRECT_PATH_OUTRUN = Duration.ofMillis(1500);
    /** Ping a direct path when nothing came from it for this long, */
    public static final Duration PING_WHEN_SILENT = Duration.ofSeconds(1);
    /**
     * or this long while we are sending it data (silence is then news: a path that broke under traffic is found
     * sooner, at the cost of a ping per this interval while a one-way flow gets no answers);
     */
    public static final Duration PING_WHEN_SILENT_SENDING = Duration.ofMillis(250);
    /**
     * and a direct path that carried nothing back for this long while we sent on it, and while a ping through the
     * relay was answered after its last packet, is broken at once: the traffic moves to the relay.
     */
    public static final Duration DIRECT_PATH_OUTRUN_SENDING = Duration.ofMillis(500);
    /** and at least this often, so that our observed endpoint stays fresh. */
    public static final Duration PING_REFRESH = Duration.ofSeconds(5);
    /**
     * A member's pongs say where our pings came from; the same address from the same member is passed to
     * membership at most this often (a new one at once). Every pong did: a hop to the membership thread and a
     * scan of every member's report, 14 times a second per node in an idle 32-node mesh. Membership keeps a report
     * for 30 s ({@code ObservedEndpoints.TTL_NANOS}).
     */
    public static final Duration OBSERVED_REPORT_INTERVAL = Duration.ofSeconds(5);
    /**
     * With no relay to coordinate through, a member without a direct path has all its candidate endpoints probed
     * this often; an unanswered punch offer is made again after this; and a direct path that worked lately (see
     * {@link #DIRECT_PATH_RECALL}) is pinged this often while it is silent.
     */
    public static final Duration PATH_PROBE_INTERVAL = Duration.ofSeconds(2);
    /**
     * A coordinated hole punch: both ends ping this long after the offer crossed (the answerer from when it got
     * the offer, the offerer from half a round trip after it sent it). Covers a relay round trip up to twice this.
     */
    public static final Duration PUNCH_LEAD = Duration.ofMillis(300);
    /**
     * Before a punch is agreed, each end primes its own router: a ping with this IP TTL (hop limit) passes the
     * router next to us, which then holds the mapping toward the other end, and dies at the next one, before it
     * could reach the far router. Once primed, neither router takes the other's pings for itself however far
     * apart the two ends' pings leave (the agreed moment is only as good as two busy machines' timers).
     */
    public static final int PUNCH_PRIME_HOPS = 2;
    /** The second round of a punch's pings follows the first by this, in case one was lost. */
    public static final Duration PUNCH_REPEAT = Duration.ofMillis(60);
    /**
     * And a third this long after the first, in case both were lost to one stall (of a machine, of the line):
     * the primed mappings still stand, and a punch that fails waits {@link #PUNCH_BACKOFF}.
     */
    public static final Duration PUNCH_LAST_ROUND = Duration.ofMillis(1000);
    /**
     * After a punch that did not make a direct path, the next waits this long: longer than the 30 s a Linux
     * router keeps an unanswered UDP entry (nf_conntrack_udp_timeout). A ping that reached the far router before
     * its host had pinged us leaves such an entry there, and while any ping keeps it alive the far host's own
     * pings to us leave under another port, which our router does not let in: punching again sooner could never
     * work. Also the pace at which a relayed member is tried again, so that a path that becomes possible is found
     * within a minute.
     */
    public static final Duration PUNCH_BACKOFF = Duration.ofSeconds(35);
    /** Sooner than that when there is something new to try (a new candidate, our own endpoint moved), but no sooner than this. */
    public static final Duration PUNCH_MIN_GAP = Duration.ofSeconds(2);
    /**
     * A direct path that broke within this long, while our own public endpoint stayed the same, is pinged again
     * every {@link #PATH_PROBE_INTERVAL} without waiting for a punch: both routers still hold the answered entries
     * of that path (120 s for UDP that was answered), so a ping of ours cannot spoil theirs.
     */
    public static final Duration DIRECT_PATH_RECALL = Duration.ofSeconds(90);
    /** Addresses learned from a member's authenticated pings (peer-reflexive candidates), kept per member. */
    public static final int MAX_LEARNED_CANDIDATES = 4;
    /**
     * A ping from a member we have no direct path to is answered with a ping of ours to the address it came from,
     * unless one to that address left this lately.
     */
    public static final Duration PING_BACK_GAP = Duration.ofMillis(100);
    /** Unanswered pings kept per member: older ones are forgotten beyond this. */
    public static final int MAX_OUTSTANDING_PINGS = 64;
    /** Members whose path stamps are kept; beyond, the least recently heard is forgotten. */
    public static final int MAX_PATH_SENDERS = 4096;

    // admission of handshake and join messages (Admission, KnownSources, SourceRateLimiter)
    /** Above this many handshake messages a second from all sources, MAC2 (a cookie) is required. */
    public static final int HANDSHAKES_UNDER_LOAD = 200;
    /** Handshake messages per second per source address (wireguard-go's rate), in bursts of this many: */
    public static final int HANDSHAKES_PER_SOURCE = 20;
    public static final int HANDSHAKE_BURST = 5;
    /** Join messages per second from one address that is no member's: a joiner asks each seed once a second. */
    public static final int JOINS_PER_STRANGER = 5;
    public static final int STRANGER_BURST = 10;
    /** Join messages per second from all strangers together: newcomers, and greetings of members not yet known. */
    public static final int JOINS_FROM_STRANGERS = 200;
    /** Join messages per second from one member's address: greetings and replies of a whole NAT's members. */
    public static final int JOINS_PER_KNOWN_SOURCE = 50;
    /** Sources each limiter tracks at once; beyond, new sources share one bucket. */
    public static final int TRACKED_SOURCES = 4096;
    /** An idle source's bucket is full long before this; it is forgotten at the next sweep. */
    public static final Duration IDLE_SOURCE_EXPIRY = Duration.ofSeconds(1);
    /** The peers' underlay addresses are gathered at most this often (for telling members from strangers). */
    public static final Duration KNOWN_SOURCES_REFRESH = Duration.ofSeconds(1);
    /** How long after our last join message to an address its messages count as expected. */
    public static final Duration CONTACT_EXPECTS_REPLY = Duration.ofSeconds(60);
    public static final int MAX_CONTACTED = 4096;

    // the receive loop and logging
    /** One datagram buffer: the largest UDP payload and room for a virtio header. */
    public static final int BUFFER_SIZE = 65536 + 64;
    /** Receive errors in a row after which the socket is taken for broken (wireguard-go's "death spiral"). */
    public static final int MAX_CONSECUTIVE_RECEIVE_ERRORS = 10;
    /** The same warning (per kind and sender) is logged at most this often; the counters count every case. */
    public static final Duration LOG_REPEAT_INTERVAL = Duration.ofSeconds(10);
    /** Distinct log lines a limiter remembers. */
    public static final int MAX_LOG_KEYS = 4096;

    // sealing and opening on several cores
    /** At most this many lanes per direction seal or open a batch (wireguard-go: one per CPU). */
    public static final int MAX_CIPHER_WORKERS = 4;

    /**
     * Lanes per direction that seal a super-packet's segments or open a batch of datagrams at once, the pipeline's
     * own thread one of them: {@code -Dskein.cipher-workers=N}, else half the cores (the two directions share
     * them) up to {@value #MAX_CIPHER_WORKERS}, and one on a machine of two cores or fewer. On the 2-core machine
     * two lanes made the seal and open stages 1.13x and 1.40x faster alone (JMH), but the tunnel slower end to end
     * (TCP 2.68 against 2.94 Gbit/s, 5.03 CPU s per GB against 4.17): the cores are already busy with the other
     * direction, the kernel and the applications (docs/PERFORMANCE.md, session 22).
     */
    public static int cipherWorkers() {
        String forced = System.getProperty("skein.cipher-workers");
        if (forced != null) {
            try {
                return Math.max(1, Math.min(MAX_CIPHER_WORKERS, Integer.parseInt(forced.trim())));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("skein.cipher-workers must be a number, not '" + forced + "'");
            }
        }
        int cores = Runtime.getRuntime().availableProcessors();
        return cores <= 2 ? 1 : Math.min(MAX_CIPHER_WORKERS, cores / 2);
    }

    private Constants() {}
}
