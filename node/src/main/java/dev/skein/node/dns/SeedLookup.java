package dev.skein.node.dns;

import dev.skein.node.config.DurationText;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.Record;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import org.xbill.DNS.hosts.HostsFileParser;

/**
 * Seeds given by name ({@code seed.example.net:51820}) turned into endpoints, asked again each time
 * {@link #resolve} is called (the node does every {@link #INTERVAL}), so a seed that moves is followed. Literal
 * seeds pass through. A name that does not resolve keeps the addresses it last had (a resolver's bad minute
 * must not cost the mesh its seed); it is said once when it fails and once when it works again.
 *
 * <p>Asked through dnsjava with the machine's resolver configuration and hosts file, on the caller's thread and
 * bounded by {@link #TIMEOUT}: the JVM's own resolver is kept to the hosts file ({@code HostsFileOnly}) so that
 * Atomix's reverse lookups never block its event loop.
 */
public final class SeedLookup {
    private static final Logger log = LoggerFactory.getLogger(SeedLookup.class);
    /**
     * Every minute. Test hook: the system property {@code skein.test.seed-interval} (a duration) shortens it, so
     * that an end-to-end test can watch a seed move; a real node never sets it.
     */
    public static final Duration INTERVAL = DurationText.parse(System.getProperty("skein.test.seed-interval", "60s"));
    static final Duration TIMEOUT = Duration.ofSeconds(3);

    /** A name's IPv4 addresses; throws with the reason when there are none. */
    public interface Resolver {
        List<InetAddress> addresses(String host) throws IOException;
    }

    /** The machine's hosts file, then its DNS servers (resolv.conf). */
    public static final Resolver SYSTEM = SeedLookup::lookup;

    private final Resolver resolver;
    private final Map<String, List<InetSocketAddress>> last = new HashMap<>();
    private final Set<String> failing = new java.util.HashSet<>();

    public SeedLookup(Resolver resolver) {
        this.resolver = resolver;
    }

    /** True if any seed is a name (then the node asks again every {@link #INTERVAL}). */
    public static boolean hasNames(List<InetSocketAddress> seeds) {
        return seeds.stream().anyMatch(InetSocketAddress::isUnresolved);
    }

    /** The endpoints of {@code seeds} now: literal ones as they are, each name as every address it has. */
    public synchronized List<InetSocketAddress> resolve(List<InetSocketAddress> seeds) {
        Set<InetSocketAddress> out = new LinkedHashSet<>();
        for (InetSocketAddress seed : seeds) {
            if (!seed.isUnresolved()) {
                out.add(seed);
                continue;
            }
            String key = seed.getHostString() + ":" + seed.getPort();
            try {
                List<InetSocketAddress> now = new ArrayList<>();
                for (InetAddress a : resolver.addresses(seed.getHostString())) {
                    now.add(new InetSocketAddress(a, seed.getPort()));
                }
                if (!now.equals(last.put(key, now)) || failing.remove(key)) {
                    log.info("seed {}: {}", key, now.stream().map(e -> e.getAddress().getHostAddress()).toList());
                }
                out.addAll(now);
            } catch (IOException e) {
                List<InetSocketAddress> kept = last.getOrDefault(key, List.of());
                if (failing.add(key)) {
                    log.warn("seed {}: no address ({}); {}, asked again every {} s", key, e.getMessage(),
                            kept.isEmpty() ? "not used until it resolves" : "its last addresses kept",
                            INTERVAL.toSeconds());
                }
                out.addAll(kept);
            }
        }
        return List.copyOf(out);
    }

    private static List<InetAddress> lookup(String host) throws IOException {
        Lookup lookup;
        try {
            lookup = new Lookup(host, Type.A);
        } catch (TextParseException e) {
            throw new IOException("not a name: " + e.getMessage(), e);
        }
        lookup.setCache(null); // a fresh answer each minute: that is the point of asking again
        lookup.setHostsFileParser(new HostsFileParser()); // and the hosts file read again, not its cached copy
        lookup.setSearchPath((org.xbill.DNS.Name[]) null);
        ExtendedResolver servers = new ExtendedResolver();
        servers.setTimeout(TIMEOUT);
        lookup.setResolver(servers);
        Record[] records = lookup.run();
        if (lookup.getResult() != Lookup.SUCCESSFUL || records == null) {
            throw new IOException(lookup.getErrorString());
        }
        List<InetAddress> out = new ArrayList<>();
        for (Record r : records) {
            if (r instanceof ARecord a) {
                out.add(a.getAddress());
            }
        }
        if (out.isEmpty()) {
            throw new IOException("no IPv4 address");
        }
        return out;
    }
}
