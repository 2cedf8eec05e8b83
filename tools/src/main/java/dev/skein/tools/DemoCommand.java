package dev.skein.tools;

import dev.skein.node.pki.PkiFiles;
import dev.skein.protocol.addr.IpPrefix;
import dev.skein.protocol.cert.CertificateAuthority;
import dev.skein.protocol.cert.CertificateRequest;
import dev.skein.protocol.crypto.Curve25519;
import dev.skein.protocol.crypto.Ed25519Keys;
import dev.skein.protocol.proto.PeersRequest;
import dev.skein.protocol.proto.Request;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import picocli.CommandLine.Command;

/**
 * A small mesh on this one machine: a seed, "home" and "office" (which routes 100.96.1.0/24), each a real
 * `skein up` in its own network namespace on one bridge. Shows `skein peers` from each, pings home to office,
 * and removes everything on exit or Ctrl-C.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Build a three-node mesh on this machine (network namespaces: seed, home, office), show "
                + "`skein peers` from each, ping home to office, then clean up. Needs root.",
        footer = {"", "Example:", "  sudo ./skein demo"})
final class DemoCommand implements java.util.concurrent.Callable<Integer> {
    private static final String PREFIX = "skein-demo-";
    private static final List<String> NODES = List.of("seed", "home", "office");
    private final List<Process> processes = new ArrayList<>();
    private final AtomicBoolean cleaned = new AtomicBoolean();
    private Path dir;

    @Override
    public Integer call() throws Exception {
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new UserError("demo needs root (it creates network namespaces): sudo ./skein demo");
        }
        dir = Files.createTempDirectory("skein-demo");
        Thread hook = new Thread(this::cleanUp, "skein-demo-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return run();
        } finally {
            cleanUp();
            Runtime.getRuntime().removeShutdownHook(hook);
        }
    }

    private int run() throws Exception {
        say("1. a CA and three identities (seed 100.64.0.1, home 100.64.0.2, office 100.64.0.3 + 100.96.1.0/24)");
        identities();
        say("2. namespaces on one bridge: seed 198.18.0.1, home 198.18.0.2, office 198.18.0.3");
        sh("ip netns add " + PREFIX + "br && ip -n " + PREFIX + "br link add br0 type bridge && ip -n " + PREFIX
                + "br link set br0 up");
        for (int i = 0; i < NODES.size(); i++) {
            String ns = PREFIX + NODES.get(i);
            sh("ip netns add " + ns + " && ip -n " + ns + " link set lo up && ip link add u0 netns " + ns
                    + " type veth peer name p" + i + " netns " + PREFIX + "br && ip -n " + PREFIX + "br link set p" + i
                    + " master br0 && ip -n " + PREFIX + "br link set p" + i + " up && ip -n " + ns
                    + " addr add 198.18.0." + (i + 1) + "/24 dev u0 && ip -n " + ns + " link set u0 up");
        }
        sh("ip -n " + PREFIX + "office addr add 100.96.1.1/32 dev lo"); // a host on the office LAN
        say("3. skein up in each (home and office know only the seed's endpoint, 198.18.0.1:51820)");
        for (String name : NODES) {
            start(name);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        for (String name : NODES) {
            while (peerCount(name) < NODES.size() - 1) {
                if (System.nanoTime() > deadline) {
                    throw new UserError(name + " did not see the whole mesh within 40 s; its log:\n"
                            + Files.readString(dir.resolve(name + ".log")));
                }
                Thread.sleep(200);
            }
        }
        // Home and office punch their direct path at a moment agreed through the seed, a moment after they meet:
        // show that path, not the relay of the first second (bounded: the relay works as well).
        long direct = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!"direct".equals(pathTo("home", "office")) && System.nanoTime() < direct) {
            Thread.sleep(200);
        }
        say("4. ping home -> office by name, and a host on the office LAN (100.96.1.1), from home");
        int code = Skein.run("ping", "office", "--socket", socket("home").toString(), "-c", "3", "-i", "0.3");
        code |= Skein.run("ping", "100.96.1.1", "--socket", socket("home").toString(), "-c", "2", "-i", "0.3");
        for (String name : NODES) {
            say("5. skein peers, on " + name);
            code |= Skein.run("peers", "--socket", socket(name).toString());
        }
        say("6. skein status, on home");
        code |= Skein.run("status", "--socket", socket("home").toString());
        say(code == 0 ? "done: cleaning up" : "something failed: cleaning up");
        return code == 0 ? 0 : 1;
    }

    private void identities() throws Exception {
        SecureRandom random = new SecureRandom();
        Instant now = Instant.now();
        CertificateAuthority ca = CertificateAuthority.create("demo", IpPrefix.parse("100.64.0.0/10"),
                now.minusSeconds(60), now.plus(Duration.ofDays(30)), random);
        PkiFiles.writeCertificate(dir.resolve("ca.crt"), ca.certificate());
        for (int i = 0; i < NODES.size(); i++) {
            String name = NODES.get(i);
            byte[] x = Curve25519.generatePrivateKey(random);
            byte[] ed = Ed25519Keys.generatePrivateKey(random);
            List<IpPrefix> subnets = name.equals("office") ? List.of(IpPrefix.parse("100.96.1.0/24")) : List.of();
            PkiFiles.writeCertificate(dir.resolve(name + ".crt"), ca.sign(new CertificateRequest(name,
                    IpPrefix.parse("100.64.0." + (i + 1) + "/16"), subnets, List.of(), Curve25519.publicKey(x),
                    Ed25519Keys.publicKey(ed), now.minusSeconds(60), now.plus(Duration.ofDays(20)))));
            PkiFiles.writeKeys(dir.resolve(name + ".key"), new PkiFiles.Keys(x, ed));
            Files.writeString(dir.resolve(name + ".yaml"), "name: " + name + "\ninterface: skein0\n"
                    + "listen-port: 51820\ngossip-port: 7946\nseeds: " + (name.equals("seed") ? "[]" : "[198.18.0.1:51820]")
                    + "\npki: {ca: ca.crt, cert: " + name + ".crt, key: " + name + ".key}\n"
                    + "relay: " + name.equals("seed") + "\ncontrol-socket: " + socket(name) + "\n");
        }
    }

    private Path socket(String name) {
        return dir.resolve(name + ".sock");
    }

    /** Starts `skein up` for a node in its namespace, on this very JVM and class path. */
    private void start(String name) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", PREFIX + name,
                ProcessHandle.current().info().command().orElse("java")));
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Skein.class.getName(), "up", "--config",
                dir.resolve(name + ".yaml").toString()));
        processes.add(new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile()).start());
    }

    private int peerCount(String name) {
        if (!Files.exists(socket(name))) {
            return 0;
        }
        try {
            return ControlClient.ask(socket(name), Request.newBuilder().setPeers(PeersRequest.getDefaultInstance())
                    .build()).getPeersCount();
        } catch (UserError e) {
            return 0;
        }
    }

    /** The path {@code name} takes to {@code peer} now ("direct" or "relay:NAME"), or "" if it cannot tell. */
    private String pathTo(String name, String peer) {
        try {
            return ControlClient.ask(socket(name), Request.newBuilder().setPeers(PeersRequest.getDefaultInstance())
                    .build()).getPeersList().stream().filter(p -> p.getName().equals(peer))
                    .map(p -> p.getPath()).findFirst().orElse("");
        } catch (UserError e) {
            return "";
        }
    }

    private static void say(String what) {
        System.out.println();
        System.out.println("== " + what);
        System.out.flush();
    }

    private static void sh(String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new UserError("setup failed: " + command + ": "
                    + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
        }
    }

    /** Stops the nodes (each says goodbye), deletes the namespaces and the files; safe to call twice. */
    private void cleanUp() {
        if (!cleaned.compareAndSet(false, true)) {
            return;
        }
        processes.forEach(Process::destroy);
        for (Process p : processes) {
            try {
                if (!p.waitFor(8, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (String ns : List.of("seed", "home", "office", "br")) {
            try {
                new ProcessBuilder("sh", "-c", "ip netns pids " + PREFIX + ns + " 2>/dev/null | xargs -r kill -9; "
                        + "ip netns del " + PREFIX + ns + " 2>/dev/null").start().waitFor(10, TimeUnit.SECONDS);
            } catch (IOException | InterruptedException e) {
                // best effort: report nothing, the next demo deletes leftovers by name
            }
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                // the temporary directory stays; harmless
            }
        }
    }
}
