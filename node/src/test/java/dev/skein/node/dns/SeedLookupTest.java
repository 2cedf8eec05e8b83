package dev.skein.node.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Seeds by name against a resolver the test controls: what resolves, what moves, what fails for a while. */
class SeedLookupTest {
    private final Map<String, List<InetAddress>> zone = new HashMap<>();
    private int asked;
    private final SeedLookup lookup = new SeedLookup(host -> {
        asked++;
        List<InetAddress> a = zone.get(host);
        if (a == null) {
            throw new IOException("NXDOMAIN");
        }
        return a;
    });

    private static InetAddress ip(String s) throws IOException {
        return InetAddress.getByName(s); // literals only: no lookup
    }

    private static InetSocketAddress named(String host) {
        return InetSocketAddress.createUnresolved(host, 51820);
    }

    @Test
    void literalsPassThroughAndANameBecomesEachOfItsAddresses() throws IOException {
        zone.put("seed.test", List.of(ip("198.18.0.1"), ip("198.18.0.7")));
        InetSocketAddress literal = new InetSocketAddress(ip("198.18.0.5"), 51820);
        assertEquals(List.of(literal, new InetSocketAddress(ip("198.18.0.1"), 51820),
                new InetSocketAddress(ip("198.18.0.7"), 51820)), lookup.resolve(List.of(literal, named("seed.test"))));
        assertEquals(List.of(literal), lookup.resolve(List.of(literal)));
        assertEquals(1, asked, "a literal is never asked for");
    }

    @Test
    void aSeedThatMovesIsFollowedAndOneThatStopsResolvingKeepsItsLastAddresses() throws IOException {
        zone.put("seed.test", List.of(ip("198.18.0.1")));
        List<InetSocketAddress> seeds = List.of(named("seed.test"), named("gone.test"));
        assertEquals(List.of(new InetSocketAddress(ip("198.18.0.1"), 51820)), lookup.resolve(seeds),
                "a name that never resolved is left out");
        zone.put("seed.test", List.of(ip("198.18.0.2")));
        assertEquals(List.of(new InetSocketAddress(ip("198.18.0.2"), 51820)), lookup.resolve(seeds), "moved");
        zone.remove("seed.test");
        assertEquals(List.of(new InetSocketAddress(ip("198.18.0.2"), 51820)), lookup.resolve(seeds),
                "a resolver's bad minute does not cost the seed");
        zone.put("gone.test", List.of(ip("198.18.0.3")));
        assertEquals(List.of(new InetSocketAddress(ip("198.18.0.2"), 51820), new InetSocketAddress(ip("198.18.0.3"),
                51820)), lookup.resolve(seeds), "and one that starts resolving is taken");
        assertEquals(true, SeedLookup.hasNames(seeds));
        assertEquals(false, SeedLookup.hasNames(List.of(new InetSocketAddress(ip("198.18.0.5"), 1))));
    }

    @Test
    void theSeedsOfAReloadAreResolvedAtOnce() throws IOException {
        zone.put("a.test", List.of(ip("198.18.0.1")));
        zone.put("b.test", List.of(ip("198.18.0.2")));
        try (SeedNames names = new SeedNames(lookup, List.of(named("a.test")))) {
            assertEquals(List.of(new InetSocketAddress(ip("198.18.0.1"), 51820)), names.current());
            assertEquals(List.of(new InetSocketAddress(ip("198.18.0.2"), 51820)), names.configure(List.of(named("b.test"))));
            assertEquals(names.current(), List.of(new InetSocketAddress(ip("198.18.0.2"), 51820)));
        }
    }

    @Test
    void onlyNamesAreAskedAgainOnATimer() throws IOException {
        zone.put("a.test", List.of(ip("198.18.0.1")));
        InetSocketAddress literal = new InetSocketAddress(ip("198.18.0.9"), 51820);
        try (SeedNames names = new SeedNames(lookup, List.of(literal))) {
            names.follow(seeds -> { });
            assertEquals(false, names.asking(), "literal seeds: no timer, no thread");
            names.configure(List.of(literal, named("a.test")));
            assertEquals(true, names.asking(), "a reload that brings a name starts it");
        }
    }
}
