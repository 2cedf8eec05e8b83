package dev.skein.tools.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 25's NAT matrix: eight members, two behind each kind of router, and a public seed that relays, all
 * started at once; every pair must settle on the path the routers allow, with a ping that never stops for more
 * than a second once it got through, and no member ever removed. The table in docs/NAT.md comes from this test.
 *
 * <pre>
 *                      [seed 198.18.0.2, relay]
 *                                |
 *   [inet]: routes between the sites through the TUN device dl0 ({@link DelayLine}): 20 ms per crossing
 *     198.18.K.1 ---- 198.18.K.2 [router of site K] ---- 198.19.K.0/24 [member at .2]     (K = 1..8)
 *                    or [member at 198.18.K.2] itself, for "none"
 * </pre>
 */
class NatMatrixTest {
    /** One crossing of the internet; hole punching needs the two pings to leave less than this apart. */
    private static final int DELAY_MS = 20;
    /** How long the pings run, from when every member is up; the last path must be reached well within it. */
    private static final int WATCH_SECONDS = 70;

    /** The kinds of router in front of a member. */
    enum Router {
        NONE("none", "no NAT: a public address"),
        FILTERING("filtering", "keeps ports, drops new flows from the WAN (home routers)"),
        BARE("bare", "keeps ports, masquerade only: nothing filters input to the router itself"),
        RANDOM("random", "a new random port per destination (symmetric), filters the WAN");

        final String tag;
        final String what;

        Router(String tag, String what) {
            this.tag = tag;
            this.what = what;
        }
    }

    /** What the routers allow: a symmetric NAT defeats punching unless the other end has no NAT at all. */
    static String expected(Router a, Router b) {
        boolean symmetric = a == Router.RANDOM || b == Router.RANDOM;
        boolean open = a == Router.NONE || b == Router.NONE;
        return symmetric && !open ? "relay:seed" : "direct";
    }

    private record Member(String name, Router router, int site) {
        String overlay() {
            return "100.64.0." + (site + 1);
        }
    }

    @TempDir
    Path dir;
    private Netns netns;
    private TestPki pki;
    private String inet;
    private final Map<String, String> ns = new LinkedHashMap<>();
    /** Each member's router namespace, for those behind one. */
    private final Map<String, String> gateways = new LinkedHashMap<>();
    private final List<Member> members = new ArrayList<>();
    private final Map<String, SkeinProcess> processes = new LinkedHashMap<>();

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(Netns.root(), "needs root to create network namespaces");
        netns = new Netns();
        pki = new TestPki(dir);
    }

    @AfterEach
    void tearDown() {
        if (netns != null) {
            netns.close();
        }
    }

    // ---- the topology

    private void internet() throws Exception {
        inet = netns.add("inet");
        Netns.sh("ip netns exec " + inet + " sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0"
                + " net.ipv4.conf.default.rp_filter=0");
        Path log = dir.resolve("delay-line.log");
        List<String> cmd = List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-Xms32m", "-Xmx32m", "-cp", System.getProperty("java.class.path"),
                DelayLine.class.getName(), "dl0", String.valueOf(DELAY_MS), "600");
        Process line = netns.start(inet, cmd, log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.readString(log).contains("ready")) {
            assertTrue(line.isAlive() && System.nanoTime() < deadline, "the delay line did not start: "
                    + Files.readString(log));
            Thread.sleep(50);
        }
        // Everything forwarded goes through dl0 (table 100); what comes back out of dl0 takes the real routes.
        Netns.sh("ip -n " + inet + " link set dl0 up");
        Netns.sh("ip netns exec " + inet + " sysctl -qw net.ipv4.conf.dl0.rp_filter=0");
        Netns.sh("ip -n " + inet + " route add default dev dl0 table 100");
        Netns.sh("ip -n " + inet + " rule add iif dl0 lookup main pref 100");
        Netns.sh("ip -n " + inet + " rule add lookup 100 pref 200");
    }

    /** Site K's uplink: 198.18.K.1 in inet, 198.18.K.2 on {@code device} in {@code site}. */
    private void uplink(String site, String device, int k) {
        netns.link(inet, "s" + k, "198.18." + k + ".1/24", site, device, "198.18." + k + ".2/24");
        Netns.sh("ip -n " + site + " route add 198.18.0.0/15 via 198.18." + k + ".1");
    }

    private void site(Member m) throws Exception {
        int k = m.site();
        if (m.router() == Router.NONE) {
            String host = netns.add(m.name());
            ns.put(m.name(), host);
            uplink(host, "u0", k);
            return;
        }
        String gw = netns.add(m.name() + "-gw");
        gateways.put(m.name(), gw);
        uplink(gw, "u0", k);
        String host = netns.add(m.name());
        ns.put(m.name(), host);
        netns.link(gw, "l0", "198.19." + k + ".1/24", host, "eth0", "198.19." + k + ".2/24");
        Netns.sh("ip -n " + host + " route add 198.18.0.0/15 via 198.19." + k + ".1");
        Netns.sh("ip netns exec " + gw + " sysctl -qw net.ipv4.ip_forward=1");
        String masquerade = m.router() == Router.RANDOM ? "masquerade random" : "masquerade";
        String input = m.router() == Router.BARE ? ""
                : "  chain input { type filter hook input priority filter; iifname \"u0\" ct state new drop; }\n";
        Path rules = dir.resolve(m.name() + "-gw.nft");
        Files.writeString(rules, "table ip nat {\n"
                + "  chain postrouting { type nat hook postrouting priority srcnat; oifname \"u0\" " + masquerade + "; }\n"
                + "}\n"
                + "table ip firewall {\n" + input
                + "  chain forward { type filter hook forward priority filter; iifname \"u0\" ct state new drop; }\n"
                + "}\n");
        Netns.sh("ip netns exec " + gw + " nft -f " + rules);
    }

    private SkeinProcess start(String name, String overlay, String ns, boolean seed) throws Exception {
        pki.issue(name, overlay + "/16");
        Path cfg = pki.config(name, seed ? "[]" : "[198.18.0.2:51820]", "ca.crt", "relay: " + seed + "\n");
        return SkeinProcess.up(netns, ns, cfg, List.of("-Dlogback.configurationFile=" + punchesLogged()));
    }

    /** The CLI's logging, with each punch's moment and targets (DEBUG in Punches): a failure's reader needs them. */
    private Path punchesLogged() throws Exception {
        Path config = dir.resolve("logback-punches.xml");
        if (!Files.exists(config)) {
            String main = new String(getClass().getResourceAsStream("/logback.xml").readAllBytes(),
                    java.nio.charset.StandardCharsets.UTF_8);
            Files.writeString(config, main.replace("<root ", "<logger name=\"dev.skein.node.dataplane.Punches\""
                    + " level=\"DEBUG\"/>\n  <root "));
        }
        return config;
    }

    // ---- what the nodes say

    private static final Pattern PATH_LINE = Pattern.compile("^(\\d\\d:\\d\\d:\\d\\d\\.\\d+) .*path to (\\S+): (direct|relay:\\S+)");

    /** From {@code m}'s log: each time {@code peer}'s path changed, as {time, what it became}. */
    private List<String[]> pathChanges(Member m, String peer) throws Exception {
        List<String[]> changes = new ArrayList<>();
        for (String line : Files.readAllLines(processes.get(m.name()).log)) {
            Matcher x = PATH_LINE.matcher(line);
            if (x.find() && x.group(2).equals(peer)) {
                changes.add(new String[] {x.group(1), x.group(3)});
            }
        }
        return changes;
    }

    private static final Pattern ADDED_LINE = Pattern.compile("^(\\d\\d:\\d\\d:\\d\\d\\.\\d+) .* (\\S+) added: ");

    /** {@code m}'s log lines that name {@code peer}, each behind {@code m}'s name. */
    private String mentions(Member m, String peer) throws Exception {
        StringBuilder b = new StringBuilder();
        for (String line : Files.readAllLines(processes.get(m.name()).log)) {
            if (line.contains(peer)) {
                b.append(m.name()).append(": ").append(line).append('\n');
            }
        }
        return b.toString();
    }

    /** From {@code m}'s log: when it learned of {@code peer} (membership installed it), as {time}, or null. */
    private String[] addedAt(Member m, String peer) throws Exception {
        for (String line : Files.readAllLines(processes.get(m.name()).log)) {
            Matcher x = ADDED_LINE.matcher(line);
            if (x.find() && x.group(2).equals(peer)) {
                return new String[] {x.group(1)};
            }
        }
        return null;
    }

    private static String[] last(List<String[]> changes) {
        return changes.isEmpty() ? null : changes.get(changes.size() - 1);
    }

    /** The PATH column of every peer in `skein peers` on {@code m}. */
    private Map<String, String> peers(Member m) {
        Netns.Result r = SkeinProcess.cli("peers", "--socket", pki.socket(m.name()).toString());
        Map<String, String> paths = new LinkedHashMap<>();
        for (String line : r.output().lines().toList()) {
            String[] cols = line.trim().split("\\s+");
            if (cols.length > 4) {
                paths.put(cols[0], cols[4]);
            }
        }
        return paths;
    }

    /**
     * From `ping -D` output: seconds from {@code started} to the first reply, the longest silence after it, and
     * every silence longer than {@link #LONG_GAP} as {start, end} (epoch seconds).
     */
    private record PingRun(double firstReply, double longestGap, int replies, List<double[]> longGaps) {}

    /** Pings every 0.2 s, and no more than a second without an answer. */
    private static final double LONG_GAP = 1.2;

    private static PingRun pingRun(Path log, double started) throws Exception {
        double first = -1;
        double previous = -1;
        double gap = 0;
        int replies = 0;
        List<double[]> longGaps = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            Matcher m = Pattern.compile("^\\[(\\d+\\.\\d+)\\].*bytes from").matcher(line);
            if (m.find()) {
                double t = Double.parseDouble(m.group(1));
                replies++;
                if (first < 0) {
                    first = t - started;
                } else {
                    gap = Math.max(gap, t - previous);
                    if (t - previous > LONG_GAP) {
                        longGaps.add(new double[] {previous, t});
                    }
                }
                previous = t;
            }
        }
        return new PingRun(first, gap, replies, longGaps);
    }

    // ---- the matrix

    @Test
    void everyPairOfRoutersSettlesOnThePathItAllowsWithoutLosingAMember() throws Exception {
        int k = 0;
        for (Router r : routers()) {
            for (String suffix : List.of("-a", "-b")) {
                members.add(new Member(r.tag + suffix, r, ++k));
            }
        }
        internet();
        String seedNs = netns.add("seed");
        uplink(seedNs, "u0", 0);
        for (Member m : members) {
            site(m);
        }
        // A control: a plain ping across the same internet, Skein nowhere on its path. When the machine (or the
        // delay line) stalls, every ping stops at once, this one too; such a stall is not a path's failure.
        String probe = netns.add("probe");
        uplink(probe, "u0", 9);
        Path controlLog = dir.resolve("ping-control.log");
        Process control = netns.start(seedNs, List.of("ping", "-D", "-i", "0.2", "-W", "1", "-w", "400",
                "198.18.9.2"), controlLog);
        processes.put("seed", start("seed", "100.64.0.1", seedNs, true));
        // All at once, as a new user's machines would come up (four at a time, for this machine's two cores).
        // Each cell's ping starts as soon as its first member knows the second: before, Skein answers
        // "unreachable" (rightly), and ping gives up at that.
        Map<String, Double> upAt = new java.util.concurrent.ConcurrentHashMap<>();
        Map<String, Future<SkeinProcess>> started = new LinkedHashMap<>();
        Map<String, Path> pingLogs = new LinkedHashMap<>();
        List<Future<Process>> pings = new ArrayList<>();
        ExecutorService starter = Executors.newFixedThreadPool(4);
        ExecutorService pinger = Executors.newCachedThreadPool();
        try {
            for (Member m : members) {
                started.put(m.name(), starter.submit(() -> {
                    SkeinProcess p = start(m.name(), m.overlay(), ns.get(m.name()), false);
                    upAt.put(m.name(), System.currentTimeMillis() / 1000.0);
                    return p;
                }));
            }
            for (Router a : routers()) {
                for (Router b : routers()) {
                    if (a.ordinal() <= b.ordinal()) {
                        Member from = member(a.tag + "-a");
                        Member to = member(b.tag + (a == b ? "-b" : "-a"));
                        Path log = dir.resolve("ping-" + from.name() + "-" + to.name() + ".log");
                        pingLogs.put(from.name() + " " + to.name(), log);
                        pings.add(pinger.submit(() -> {
                            started.get(to.name()).get(90, TimeUnit.SECONDS);
                            started.get(from.name()).get(90, TimeUnit.SECONDS).awaitLog(to.name() + " added", 30);
                            return netns.start(ns.get(from.name()), List.of("ping", "-D", "-i", "0.2", "-W", "1",
                                    "-w", String.valueOf(WATCH_SECONDS), to.overlay()), log);
                        }));
                    }
                }
            }
            for (Member m : members) {
                processes.put(m.name(), started.get(m.name()).get(90, TimeUnit.SECONDS));
            }
            for (Future<Process> p : pings) {
                assertTrue(p.get(60, TimeUnit.SECONDS).waitFor(WATCH_SECONDS + 15, TimeUnit.SECONDS),
                        "a ping did not finish");
            }
        } finally {
            starter.shutdownNow();
            pinger.shutdownNow();
            control.destroy();
        }

        // The settled paths, as `skein peers` shows them, against what the routers allow.
        StringBuilder table = new StringBuilder();
        List<String> wrong = new ArrayList<>();
        for (Member m : members) {
            Map<String, String> seen = peers(m);
            for (Member o : members) {
                if (o != m) {
                    String want = expected(m.router(), o.router());
                    String got = seen.getOrDefault(o.name(), "(missing)");
                    if (!got.equals(want)) {
                        wrong.add(m.name() + " -> " + o.name() + ": " + got + ", expected " + want);
                    }
                }
            }
        }
        table.append(String.format("%-22s %-11s %-8s %-13s %-9s %-11s %-12s %s%n", "cell", "expected", "met",
                "final path at", "changes", "reached", "longest gap", "replies"));
        List<String> gaps = new ArrayList<>();
        List<String> excused = new ArrayList<>();
        StringBuilder slow = new StringBuilder();
        PingRun controlRun = pingRun(controlLog, 0);
        for (Map.Entry<String, Path> e : pingLogs.entrySet()) {
            String[] pair = e.getKey().split(" ");
            Member a = member(pair[0]);
            Member b = member(pair[1]);
            PingRun run = pingRun(e.getValue(), Math.max(upAt.get(a.name()), upAt.get(b.name())));
            List<String[]> there = pathChanges(a, b.name());
            List<String[]> back = pathChanges(b, a.name());
            double bothUp = Math.max(upAt.get(a.name()), upAt.get(b.name()));
            double settled = Math.max(secondsAfter(last(there), bothUp), secondsAfter(last(back), bothUp));
            double met = Math.max(secondsAfter(addedAt(a, b.name()), bothUp), secondsAfter(addedAt(b, a.name()), bothUp));
            table.append(String.format("%-22s %-11s %-8s %-13s %-9s %-11s %-12s %d%n", a.router().tag + " x "
                    + b.router().tag, expected(a.router(), b.router()), String.format("%.1f s", met),
                    String.format("%.1f s", settled), there.size() + "+" + back.size(),
                    String.format("%.1f s", run.firstReply()), String.format("%.2f s", run.longestGap()),
                    run.replies()));
            if (run.firstReply() < 0 || run.firstReply() > 10) {
                gaps.add(e.getKey() + ": first reply " + run.firstReply() + " s after both were up: "
                        + Files.readAllLines(e.getValue()).stream().limit(4).toList());
            }
            if (settled > 60) {
                gaps.add(e.getKey() + ": the final path only " + settled + " s after both were up");
            } else if (settled > 10) { // within the bound, but a punch failed: what each said of the other
                slow.append("==== ").append(e.getKey()).append(", final path ").append(settled).append(" s\n")
                        .append(mentions(a, b.name())).append(mentions(b, a.name()));
            }
            for (double[] g : run.longGaps()) {
                double[] stall = controlRun.longGaps().stream()
                        .filter(c -> c[0] < g[1] && g[0] < c[1] && c[1] - c[0] > (g[1] - g[0]) - 0.6)
                        .findFirst().orElse(null);
                if (stall == null) {
                    gaps.add(e.getKey() + ": no reply for " + (g[1] - g[0]) + " s");
                } else {
                    excused.add(String.format("%s: no reply for %.2f s, while the control ping had none for %.2f s",
                            e.getKey(), g[1] - g[0], stall[1] - stall[0]));
                }
            }
        }
        StringBuilder changes = new StringBuilder();
        for (String cell : pingLogs.keySet()) {
            String[] pair = cell.split(" ");
            for (int i = 0; i < 2; i++) {
                Member m = member(pair[i]);
                Member o = member(pair[1 - i]);
                changes.append(m.name()).append(" to ").append(o.name()).append(":");
                for (String[] c : pathChanges(m, o.name())) {
                    changes.append(' ').append(c[0]).append(' ').append(c[1]);
                }
                changes.append('\n');
            }
        }
        System.out.println("Path changes:\n" + changes);
        System.out.println("NAT matrix (" + DELAY_MS + " ms per crossing; seconds after the later of the two was"
                + " up: met, when both had installed the other; final path at, the last path change either logged;"
                + " reached, the first ping reply. Changes: path changes each way):\n" + table);
        if (!excused.isEmpty() || !controlRun.longGaps().isEmpty()) {
            System.out.println("The underlay itself stalled (control ping, no Skein on its path: " + controlRun.longGaps()
                    .stream().map(g -> String.format("%.2f s", g[1] - g[0])).toList() + "); gaps not counted:\n"
                    + String.join("\n", excused));
        }
        if (slow.length() > 0) {
            System.out.println("Cells whose first punch failed (each member's lines about the other):\n" + slow);
        }
        List<String> removed = new ArrayList<>();
        for (Map.Entry<String, SkeinProcess> p : processes.entrySet()) {
            for (String line : Files.readAllLines(p.getValue().log)) {
                if (line.contains(" removed: ")) {
                    removed.add(p.getKey() + ": " + line);
                }
            }
        }
        if (!gaps.isEmpty() || !wrong.isEmpty()) { // what the members involved said, for the failure's reader
            java.util.Set<String> involved = new java.util.TreeSet<>();
            for (String line : wrong) {
                involved.add(line.substring(0, line.indexOf(' ')));
            }
            for (String line : gaps) {
                involved.add(line.substring(0, line.indexOf(' ')));
            }
            for (String n : involved) {
                System.out.println("==== " + n + "\n" + Files.readString(processes.get(n).log));
            }
            // Which flows each router holds, and which it took for itself (a punch spoiled by an early ping).
            for (Map.Entry<String, String> g : gateways.entrySet()) {
                System.out.println("==== conntrack of " + g.getKey() + "'s router\n" + Netns.run("ip netns exec "
                        + g.getValue() + " conntrack -L -p udp 2>&1 | head -200", 10).output());
            }
        }
        assertEquals(List.of(), wrong, "paths that are not what the routers allow\n" + table);
        assertEquals(List.of(), gaps, "pings that failed\n" + table);
        assertEquals(List.of(), removed, "members removed while they were alive");
    }

    /**
     * The kinds of router under test: all, or those named in -Dskein.nat-matrix (e.g. "bare", for the ten runs
     * of issue 25 with two bare routers).
     */
    private static List<Router> routers() {
        String only = System.getProperty("skein.nat-matrix", "");
        return java.util.Arrays.stream(Router.values())
                .filter(r -> only.isEmpty() || List.of(only.split(",")).contains(r.tag)).toList();
    }

    private Member member(String name) {
        return members.stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow();
    }

    /** Seconds from {@code since} (epoch seconds) to the time of a log line (today, HH:mm:ss.SSS); -1 if none. */
    private static double secondsAfter(String[] line, double since) {
        if (line == null) {
            return -1;
        }
        LocalTime at = LocalTime.parse(line[0]);
        LocalTime start = LocalTime.ofInstant(java.time.Instant.ofEpochMilli((long) (since * 1000)),
                java.time.ZoneId.systemDefault());
        return Math.max(0, (at.toNanoOfDay() - start.toNanoOfDay()) / 1e9);
    }
}
