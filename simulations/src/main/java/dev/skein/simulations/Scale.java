package dev.skein.simulations;

import dev.skein.node.membership.Pace;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import dev.skein.simulations.clock.VirtualRun;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Measures Skein's membership at several mesh sizes with the real membership, certificate and routing code
 * (see {@link Cluster}); prints one table row per size and, with {@code --out}, writes the table and a chart.
 * Run it inside a network namespace of its own: simulations/scripts/scale.sh does.
 *
 * <pre>
 *   Scale [--sizes 16,64,256] [--reps 3] [--churn-seconds 60] [--transport memory|loopback] [--slowdown K]
 *         [--starts-per-second R] [--latency-ms L] [--virtual-clock] [--out DIR]
 *                                        --slowdown: membership runs K times slower than real (see Pace); the
 *                                        figures are in the protocol's time. --starts-per-second: how fast the
 *                                        nodes start, in protocol time (20). --latency-ms: each gossip message
 *                                        in memory arrives L ms after it is sent (0). --virtual-clock: the whole
 *                                        simulation runs on simulated time (VirtualRun), in memory
 *   Scale --chart TABLES.md OUT.svg        the chart of the rows in tables written by separate runs
 *   Scale --loss-check N SECONDS LOSS      the test: converge, then LOSS message loss; any false removal fails
 *   Scale --partition N SECONDS [loopback] split the mesh in two halves for SECONDS, then heal: how long each
 *                                          side takes to drop the other, and the whole to reconverge
 * </pre>
 * The loss check runs its gossip over loopback; the others over memory unless told otherwise (see
 * {@link MemoryNetwork} for why: the two are compared at 16 and 64 nodes in docs/SIMULATIONS.md).
 */
public final class Scale {
    private static final Duration CONVERGE_LIMIT = Duration.ofSeconds(180);
    private static final Duration EVENT_LIMIT = Duration.ofSeconds(60);

    /** One mesh size's figures (seconds, bytes, MiB); medians over the repetitions, with min and max. */
    record Row(int n, String transport, double bootstrap, double[] join, double[] removal,
               double bytesPerNodeSecond, double packetsPerNodeSecond, double cpuPerNode, double heapMiBPerNode,
               double threadsPerNode, double churnRouted) {}

    /** Gossip over loopback TCP and UDP (false), or over the {@link MemoryNetwork} (true). */
    private static boolean inMemory = true;
    /**
     * How much slower than real the nodes' membership runs ({@link Pace}): every scenario time below is stretched
     * by it on the host, and every figure reported is divided back, so the figures are in the protocol's time.
     */
    private static Pace pace = Pace.REAL;
    /** How long each gossip message in memory takes to arrive. */
    private static Duration latency = Duration.ZERO;
    /** Set in the run that {@link VirtualRun} started: every time here is simulated. */
    private static boolean virtualClock;

    /** The host's milliseconds for {@code millis} of protocol time. */
    private static long host(long millis) {
        return millis * pace.slowdown();
    }

    /** Protocol seconds for {@code hostSeconds} (a negative "did not happen" stays negative). */
    private static double protocol(double hostSeconds) {
        return hostSeconds / pace.slowdown();
    }

    public static void main(String[] args) {
        try {
            List<String> rest = new ArrayList<>(List.of(args));
            if (rest.remove("--virtual-clock")) {
                rest.add("--on-virtual-clock");
                VirtualRun.run(Scale.class.getName(), rest.toArray(String[]::new));
            } else {
                run(args);
            }
            System.exit(0);
        } catch (Throwable e) {
            e.printStackTrace();
            System.exit(1); // Atomix's threads must not keep a failed run alive
        }
    }

    /**
     * The simulation; returns the table it printed. {@link VirtualRun} calls it by reflection in the world it
     * loaded, where only text crosses back.
     */
    static String run(String[] args) throws Exception {
        // Warnings only: hundreds of nodes' INFO lines would drown the figures (skein.jar brings its own logback.xml).
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "simulations-logback.xml");
        }
        // Atomix gives each node three Netty event-loop groups of 2 x cores loops, each loop holding three file
        // descriptors: one loop per group keeps 256 nodes under the machine's 20,000 open files.
        if (System.getProperty("io.netty.eventLoopThreads") == null) {
            System.setProperty("io.netty.eventLoopThreads", "1");
        }
        List<String> given = new ArrayList<>(List.of(args));
        virtualClock = given.remove("--on-virtual-clock");
        args = given.toArray(String[]::new);
        if (args.length == 3 && args[0].equals("--chart")) {
            String chart = Report.chart(Report.parse(Files.readString(Path.of(args[1]))));
            Files.writeString(Path.of(args[2]), chart);
            return chart;
        }
        if ((args.length == 3 || args.length == 4) && args[0].equals("--partition")) {
            inMemory = args.length < 4 || !args[3].equals("loopback");
            System.exit(partition(Integer.parseInt(args[1]), Integer.parseInt(args[2])));
        }
        if (args.length == 4 && args[0].equals("--loss-check")) {
            inMemory = false;
            System.exit(lossCheck(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Double.parseDouble(args[3])));
        }
        List<Integer> sizes = List.of(16, 64, 256);
        int reps = 3;
        int churnSeconds = 60;
        Path out = null;
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--sizes" -> sizes = java.util.Arrays.stream(args[i + 1].split(",")).map(Integer::parseInt).toList();
                case "--reps" -> reps = Integer.parseInt(args[i + 1]);
                case "--churn-seconds" -> churnSeconds = Integer.parseInt(args[i + 1]);
                case "--out" -> out = Path.of(args[i + 1]);
                case "--slowdown" -> pace = new Pace(Integer.parseInt(args[i + 1]));
                case "--starts-per-second" -> startGapMillis = 1000 / Integer.parseInt(args[i + 1]);
                case "--latency-ms" -> latency = Duration.ofMillis(Long.parseLong(args[i + 1]));
                case "--transport" -> inMemory = switch (args[i + 1]) {
                    case "memory" -> true;
                    case "loopback" -> false;
                    default -> throw new IllegalArgumentException("--transport is memory or loopback, not " + args[i + 1]);
                };
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        List<Row> rows = new ArrayList<>();
        for (int n : sizes) {
            Row row = measure(n, reps, churnSeconds);
            rows.add(row);
            System.out.println(Report.row(row));
        }
        System.out.println();
        System.out.println(Report.table(rows));
        if (out != null) {
            Files.createDirectories(out);
            Files.writeString(out.resolve("simulations-table.md"), Report.table(rows));
            Files.writeString(out.resolve("simulations.svg"), Report.chart(rows));
        }
        return Report.table(rows);
    }

    private static void log(String format, Object... args) {
        System.err.printf(Locale.ROOT, "[%tT] %s%n", System.currentTimeMillis(), String.format(Locale.ROOT, format,
                args));
    }

    static Row measure(int n, int reps, int churnSeconds) throws Exception {
        System.gc();
        long heapBefore = heapUsed();
        int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
        if (virtualClock && !inMemory) {
            throw new IllegalArgumentException("on the virtual clock the gossip goes in memory");
        }
        try (Cluster c = new Cluster(inMemory, pace, latency)) {
            String transport = c.transport() + (pace.slowdown() > 1 ? ", " + pace.slowdown() + "x slower" : "")
                    + (virtualClock ? ", virtual clock" : "")
                    + (latency.isZero() ? "" : ", " + latency.toMillis() + " ms latency");
            Random random = new Random(n);
            // Nodes start 20 a second of protocol time unless told otherwise (--starts-per-second; a whole mesh
            // booting in the same instant is not a case worth simulating on two cores), on the slowed clock: at 16x,
            // 1,024 starts on the host's clock outran the seed, which answers each with the whole record set; the
            // clock runs from the last start.
            for (int i = 0; i < n; i++) {
                c.create(i).start();
                Thread.sleep(host(startGapMillis));
                if ((i + 1) % 128 == 0 && i + 1 < n) {
                    log("N=%d: %d started", n, i + 1);
                }
            }
            long t0 = System.nanoTime();
            double bootstrap = -1;
            for (long deadline = t0 + pace.onHost(CONVERGE_LIMIT).toNanos(); bootstrap < 0
                    && System.nanoTime() < deadline; ) {
                bootstrap = await(c::converged, t0, Duration.ofMillis(Math.min(host(10_000),
                        Math.max(1, (deadline - System.nanoTime()) / 1_000_000))));
                if (bootstrap < 0) {
                    log("N=%d: not all routed yet: %s", n, c.unrouted());
                }
            }
            bootstrap = protocol(bootstrap);
            log("N=%d: the last of %d nodes started; all have routes to each other %.1f s later", n, n, bootstrap);
            Thread.sleep(host(5000)); // settle: anti-entropy and the start-up churn are over

            double heap = (heapUsed() - heapBefore) / (1024.0 * 1024.0) / n;
            double threads = (double) (ManagementFactory.getThreadMXBean().getThreadCount() - threadsBefore) / n;
            long[] before = c.traffic();
            long cpuBefore = processCpuNanos();
            long tTraffic = System.nanoTime();
            Thread.sleep(host(10_000));
            long[] after = c.traffic();
            double secs = protocol((System.nanoTime() - tTraffic) / 1e9); // rates per second of protocol time
            double bytes = (after[0] - before[0]) / secs / n;
            double packets = (after[1] - before[1]) / secs / n;
            double cpu = (processCpuNanos() - cpuBefore) / 1e6 / secs / n; // ms of CPU per node per second
            log("N=%d (%s): heap %.1f MiB and %.1f threads per node; gossip %.0f B/s and %.1f packets/s per node; "
                    + "CPU %.2f ms/s per node", n, transport, heap, threads, bytes, packets, cpu);

            double[] joins = new double[reps];
            for (int r = 0; r < reps; r++) {
                SimNode fresh = c.create(n + r);
                long start = System.nanoTime();
                fresh.start();
                joins[r] = protocol(await(() -> everyoneHas(c, fresh) && hasEveryone(c, fresh), start,
                        pace.onHost(EVENT_LIMIT)));
                log("N=%d: join %d: %.2f s", n, r + 1, joins[r]);
            }
            // Removals are measured in a mesh at rest: a node that has just joined believes each member it learned
            // at its join for its grace (5 s) until its gossip layer lists it, which needs that member to have
            // made it a peer, so a member dying within a second of another's join stays at the new node for the
            // grace (as on a real node; docs/SIMULATIONS.md, session 29).
            Thread.sleep(host(6_000));
            double[] removals = new double[reps];
            List<SimNode> candidates = new ArrayList<>(c.nodes().subList(1, n));
            Collections.shuffle(candidates, random);
            for (int r = 0; r < reps; r++) {
                SimNode victim = candidates.get(r);
                long start = System.nanoTime();
                c.kill(victim);
                removals[r] = protocol(await(() -> nobodyHas(c, victim), start, pace.onHost(EVENT_LIMIT)));
                // When the nodes dropped it: the first says how long detection took, the rest how long the news.
                double[] dropped = c.fabric.events().since(start).stream()
                        .filter(e -> !e.installed() && e.member().equals(victim.name()))
                        .mapToDouble(e -> protocol((e.at() - start) / 1e9)).sorted().toArray();
                log("N=%d: removal %d: %.2f s (the first of %d nodes dropped it after %.2f s, half after %.2f s)", n,
                        r + 1, removals[r], dropped.length, dropped.length > 0 ? dropped[0] : Double.NaN,
                        dropped.length > 0 ? dropped[dropped.length / 2] : Double.NaN);
            }
            double churn = churnSeconds > 0 ? churn(c, random, candidates.subList(reps, candidates.size()),
                    churnSeconds) : Double.NaN;
            log("N=%d: under churn, live pairs had a route %.2f%% of the time", n, 100 * churn);
            return new Row(n, transport, bootstrap, joins, removals, bytes, packets, cpu, heap, threads, churn);
        }
    }

    /**
     * {@link Cluster#await} looking every 20 ms of protocol time: each of a churn's restarts is watched by a
     * thread of its own, and at 512 nodes, 51 threads checking every route every 20 ms of the host's time took
     * a tenth of the machine from the nodes they watched.
     */
    private static double await(java.util.function.BooleanSupplier done, long since, Duration limit)
            throws InterruptedException {
        return Cluster.await(done, since, limit, Duration.ofMillis(host(20)));
    }

    /** Milliseconds of protocol time between two nodes' starts when a mesh boots. */
    private static long startGapMillis = 50;

    /** Milliseconds (host time) between two nodes' starts when the partition scenario's mesh boots. */
    static long startGapMillis(int n) {
        return n >= 256 ? 200 : 50;
    }

    private static boolean everyoneHas(Cluster c, SimNode x) {
        for (SimNode a : c.live()) {
            if (a != x && !a.peers().hasRoute(x.name())) {
                return false;
            }
        }
        return true;
    }

    private static boolean hasEveryone(Cluster c, SimNode x) {
        for (SimNode a : c.live()) {
            if (a != x && !x.peers().hasRoute(a.name())) {
                return false;
            }
        }
        return true;
    }

    private static boolean nobodyHas(Cluster c, SimNode x) {
        for (SimNode a : c.live()) {
            if (a.peers().hasRoute(x.name())) {
                return false;
            }
        }
        return true;
    }

    /**
     * 10% of the nodes restart over and over (down 3 s, up 5 to 10 s) for {@code seconds}; every 500 ms we
     * count the ordered pairs of live nodes in which one has a route to the other. Returns the mean fraction.
     */
    static double churn(Cluster c, Random random, List<SimNode> pool, int seconds) throws Exception {
        List<Double> restartToRouted = new ArrayList<>(); // each restart: until it and every live node route each other
        int count = Math.max(1, c.live().size() / 10);
        List<SimNode> churners = new ArrayList<>(pool.subList(0, Math.min(count, pool.size())));
        AtomicBoolean stop = new AtomicBoolean();
        // A thread per churning node, as before, but as scheduled steps: on the virtual clock they run on its thread.
        ScheduledExecutorService steps = Executors.newScheduledThreadPool(churners.size(), r -> {
            Thread t = new Thread(r, "sim-churn");
            t.setDaemon(true);
            return t;
        });
        for (SimNode node : churners) {
            new Churner(c, node, new Random(random.nextLong()), steps, stop, restartToRouted).begin();
        }
        double sum = 0;
        int samples = 0;
        long cpuStart = processCpuNanos();
        long start = System.nanoTime();
        long end = start + host(seconds * 1000L) * 1_000_000L;
        while (System.nanoTime() < end) {
            Thread.sleep(host(500));
            sum += c.routedFraction();
            samples++;
        }
        synchronized (restartToRouted) {
            List<Double> sorted = new ArrayList<>(restartToRouted);
            Collections.sort(sorted);
            if (sorted.isEmpty()) {
                log("churn: no restart was routed both ways before it stopped again");
            } else {
                log("churn: %d restarts routed both ways after %.2f s median, %.2f s at the 90th percentile, %.2f s "
                        + "at most (protocol time)", sorted.size(), sorted.get(sorted.size() / 2),
                        sorted.get(sorted.size() * 9 / 10), sorted.get(sorted.size() - 1));
            }
        }
        double load = (processCpuNanos() - cpuStart) / (double) (System.nanoTime() - start);
        if (virtualClock) {
            log("churn: the host spent %.2f CPU s per simulated second (which does not change the figures)", load);
        } else {
            log("churn: the process used %.2f of %d cores", load, Runtime.getRuntime().availableProcessors());
        }
        stop.set(true); // steps queued are dropped, and one under way is interrupted, as the churn's threads were
        steps.shutdownNow();
        steps.awaitTermination(15, TimeUnit.SECONDS);
        return samples == 0 ? Double.NaN : sum / samples;
    }

    /**
     * One churning node's cycle, a step at a time: down 3 s, up 5 to 10 s (protocol time), watched every 20 ms
     * while up until it and every live node route each other.
     */
    private record Churner(Cluster c, SimNode node, Random r, ScheduledExecutorService steps, AtomicBoolean stop,
                           List<Double> restartToRouted) {
        void begin() {
            later(this::down, r.nextInt(5000));
        }

        private void later(Runnable step, long protocolMillis) {
            if (!stop.get()) {
                steps.schedule(() -> {
                    try {
                        step.run();
                    } catch (RuntimeException e) {
                        log("churn of %s failed: %s", node.name(), e);
                    }
                }, host(protocolMillis), TimeUnit.MILLISECONDS);
            }
        }

        private void down() {
            c.kill(node);
            later(this::up, 3000);
        }

        private void up() {
            try {
                c.restart(node);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            watch(System.nanoTime(), 5000 + r.nextInt(5000));
        }

        private void watch(long up, long stayMillis) {
            long upMillis = (System.nanoTime() - up) / 1_000_000 / pace.slowdown();
            if (everyoneHas(c, node) && hasEveryone(c, node)) {
                synchronized (restartToRouted) {
                    restartToRouted.add(protocol((System.nanoTime() - up) / 1e9));
                }
                later(this::down, Math.max(0, stayMillis - upMillis));
            } else if (upMillis >= stayMillis) {
                if (!stop.get()) {
                    List<SimNode> live = c.live();
                    long without = live.stream().filter(a -> a != node && !a.peers().hasRoute(node.name())).count();
                    long lacking = live.stream().filter(a -> a != node && !node.peers().hasRoute(a.name())).count();
                    log("churn: %s still unrouted when it stops again: %d of %d live nodes have no route to it, it "
                            + "has none to %d", node.name(), without, live.size(), lacking);
                }
                later(this::down, 0);
            } else {
                later(() -> watch(up, stayMillis), 20);
            }
        }
    }

    /**
     * The test's scenario: N nodes converge; then, for {@code seconds} with {@code loss} of all gossip packets
     * dropped, no live node may lose a route to another. Prints what happened; returns the exit code.
     */
    static int lossCheck(int n, int seconds, double loss) throws Exception {
        try (Cluster c = new Cluster(inMemory)) {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                c.create(i).start();
            }
            double converged = await(c::converged, t0, CONVERGE_LIMIT);
            System.out.printf(Locale.ROOT, "converged: %s after %.1f s%n", converged >= 0 ? "yes" : "no", converged);
            if (converged < 0) {
                return 1;
            }
            Thread.sleep(3000);
            c.fabric.loss(loss);
            long start = System.nanoTime();
            double minRouted = 1;
            while (System.nanoTime() - start < seconds * 1_000_000_000L) {
                Thread.sleep(200);
                minRouted = Math.min(minRouted, c.routedFraction());
            }
            List<Events.Change> removals = c.fabric.events().since(start).stream().filter(e -> !e.installed())
                    .toList();
            System.out.printf(Locale.ROOT, "loss %.0f%% for %d s: %d false removals, lowest routed fraction %.4f%n",
                    loss * 100, seconds, removals.size(), minRouted);
            removals.stream().limit(10).forEach(e -> System.out.println("  " + e.node() + " removed " + e.member()));
            c.fabric.loss(0);
            return removals.isEmpty() && minRouted == 1 ? 0 : 2;
        }
    }

    /**
     * Splits N converged nodes into two halves for {@code seconds}: each half must drop the other (and keep its
     * own), then after healing every node must have every route again. Prints both times; 0 if both happened.
     */
    static int partition(int n, int seconds) throws Exception {
        try (Cluster c = new Cluster(inMemory)) {
            for (int i = 0; i < n; i++) {
                c.create(i).start();
                Thread.sleep(startGapMillis(n));
            }
            if (await(c::converged, System.nanoTime(), CONVERGE_LIMIT) < 0) {
                System.out.println("did not converge");
                return 1;
            }
            Thread.sleep(3000);
            List<SimNode> a = c.nodes().subList(0, n / 2);
            List<SimNode> b = c.nodes().subList(n / 2, n);
            long cut = System.nanoTime();
            c.fabric.partition(Fabric.names(a), Fabric.names(b));
            double split = await(() -> a.stream().noneMatch(x -> b.stream().anyMatch(y ->
                    x.peers().hasRoute(y.name()) || y.peers().hasRoute(x.name()))), cut, EVENT_LIMIT);
            boolean halvesWhole = a.stream().allMatch(x -> a.stream().allMatch(y -> x == y || x.peers().hasRoute(y.name())))
                    && b.stream().allMatch(x -> b.stream().allMatch(y -> x == y || x.peers().hasRoute(y.name())));
            Thread.sleep(Math.max(0, seconds * 1000L - (System.nanoTime() - cut) / 1_000_000));
            long healed = System.nanoTime();
            c.fabric.heal();
            double whole = await(c::converged, healed, EVENT_LIMIT);
            System.out.printf(Locale.ROOT, "partition of %d into %d + %d: halves apart after %.2f s (each half still "
                    + "whole: %s); after healing, all routes back in %.2f s%n", n, a.size(), b.size(), split,
                    halvesWhole ? "yes" : "no", whole);
            return split >= 0 && whole >= 0 && halvesWhole ? 0 : 2;
        }
    }

    /** CPU time of the whole process: all simulated nodes, and the simulation's own small share. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static long heapUsed() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
