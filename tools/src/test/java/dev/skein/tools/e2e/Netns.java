package dev.skein.tools.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Network namespaces a test creates and deletes: underlay addresses from 198.18.0.0/15, overlay addresses from
 * 100.64.0.0/10, nothing else. {@link #close()} kills every process started in them and deletes them, also when
 * the test failed. Names carry the JVM's pid so parallel runs cannot collide.
 *
 * <pre>
 *   [ns a] vA 198.18.0.1 ---- veth ---- 198.18.0.2 vB [ns b]
 * </pre>
 */
final class Netns implements AutoCloseable, org.junit.jupiter.api.extension.AfterEachCallback {
    private static final String PREFIX = "skt" + ProcessHandle.current().pid() + "-";
    // Tests start nodes from several threads at once.
    private final List<String> names = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<Process> processes = new java.util.concurrent.CopyOnWriteArrayList<>();

    static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** Creates a namespace with loopback up; returns its full name. */
    String add(String shortName) {
        String name = PREFIX + shortName;
        sh("ip netns del " + name + " 2>/dev/null; true");
        sh("ip netns add " + name);
        names.add(name);
        sh("ip -n " + name + " link set lo up");
        return name;
    }

    /**
     * Makes {@code nameserver} the resolver of processes run in {@code ns}: `ip netns exec` mounts
     * /etc/netns/NS/resolv.conf over /etc/resolv.conf. Removed with the namespace.
     */
    void resolver(String ns, String nameserver) throws java.io.IOException {
        java.nio.file.Path dir = java.nio.file.Path.of("/etc/netns", ns);
        java.nio.file.Files.createDirectories(dir);
        java.nio.file.Files.writeString(dir.resolve("resolv.conf"), "nameserver " + nameserver + "\noptions timeout:2 attempts:1\n");
    }

    /** Writes /etc/netns/NS/hosts, the hosts file of processes run in {@code ns} (rewritten in place if there). */
    void hosts(String ns, String lines) throws java.io.IOException {
        java.nio.file.Path dir = java.nio.file.Path.of("/etc/netns", ns);
        java.nio.file.Files.createDirectories(dir);
        java.nio.file.Files.writeString(dir.resolve("hosts"), "127.0.0.1 localhost\n" + lines);
    }

    /** A veth pair between two namespaces with the given underlay addresses (CIDR). */
    void link(String nsA, String devA, String addrA, String nsB, String devB, String addrB) {
        sh("ip link add " + devA + " netns " + nsA + " type veth peer name " + devB + " netns " + nsB);
        sh("ip -n " + nsA + " addr add " + addrA + " dev " + devA);
        sh("ip -n " + nsB + " addr add " + addrB + " dev " + devB);
        sh("ip -n " + nsA + " link set " + devA + " up");
        sh("ip -n " + nsB + " link set " + devB + " up");
    }

    /** A namespace holding one bridge, {@code br0}: a shared underlay segment for many nodes. */
    String bridge(String shortName) {
        String name = add(shortName);
        sh("ip -n " + name + " link add br0 type bridge");
        sh("ip -n " + name + " link set br0 up");
        return name;
    }

    /** Plugs {@code ns} into the bridge namespace {@code br} with a veth whose inner end is {@code u0}. */
    void plug(String ns, String br, String port, String address) {
        sh("ip link add u0 netns " + ns + " type veth peer name " + port + " netns " + br);
        sh("ip -n " + br + " link set " + port + " master br0");
        sh("ip -n " + br + " link set " + port + " up");
        sh("ip -n " + ns + " addr add " + address + " dev u0");
        sh("ip -n " + ns + " link set u0 up");
    }

    /** Runs a shell command (on the host) and returns its output; fails the test if it fails. */
    static String sh(String command) {
        Result r = run(command, 60);
        if (r.exit != 0) {
            fail("command failed (" + r.exit + "): " + command + "\n" + r.output);
        }
        return r.output;
    }

    record Result(int exit, String output) {}

    /**
     * Runs a shell command with a time limit; never throws. The output goes to a file, not a pipe: a command that
     * writes more than a pipe holds would otherwise block until the time limit.
     */
    static Result run(String command, int seconds) {
        Path out = null;
        try {
            out = Files.createTempFile("netns-", ".out");
            Process p = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).start();
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                return new Result(-1, "timed out after " + seconds + " s: " + command + "\n" + Files.readString(out));
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException e) {
                    // a temporary file left behind
                }
            }
        }
    }

    /** Runs {@code command} inside {@code ns} with a time limit. */
    static Result exec(String ns, String command, int seconds) {
        // The whole command line inside the namespace: without the inner shell, "a; b" or "a | b" would run b on
        // the host.
        return run("ip netns exec " + ns + " sh -c '" + command.replace("'", "'\"'\"'") + "'", seconds);
    }

    /** True if one ping from {@code ns} to {@code address} is answered within 2 s: for what must not answer. */
    static boolean pingsOnce(String ns, String address) {
        return exec(ns, "ping -c 1 -W 2 " + address, 10).exit() == 0;
    }

    /**
     * True if {@code address} answers one of up to three pings from {@code ns}, 2 s each. A first packet may wait
     * on a handshake or a path still forming, as any UDP packet may be lost; a mesh that does not answer three is
     * broken.
     */
    static boolean reaches(String ns, String address) {
        for (int attempt = 0; attempt < 3; attempt++) {
            if (pingsOnce(ns, address)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Starts a one-shot iperf3 server bound to {@code address} in {@code ns}; returns once it listens. (Asked of the
     * namespace's sockets: iperf3's own "Server listening" sits in its stdout buffer when that is a file.)
     */
    Process iperf3Server(String ns, String address, Path log) throws IOException, InterruptedException {
        Process p = start(ns, List.of("iperf3", "-s", "-1", "-B", address), log);
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (exec(ns, "ss -Hltn sport = :5201", 5).output().isBlank()) {
            if (System.nanoTime() > deadline || !p.isAlive()) {
                throw new IllegalStateException("iperf3 server in " + ns + " did not start: " + Files.readString(log));
            }
            Thread.sleep(50);
        }
        return p;
    }

    /** Starts a long-running process inside {@code ns}, output to {@code log}; stopped by {@link #close()}. */
    Process start(String ns, List<String> command, Path log) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(command);
        Process p = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(p);
        return p;
    }

    @Override
    public void afterEach(org.junit.jupiter.api.extension.ExtensionContext context) {
        close();
    }

    @Override
    public void close() {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (String n : names) {
            // Kill anything still living in the namespace (e.g. daemonised iperf3), then delete it.
            run("ip netns pids " + n + " 2>/dev/null | xargs -r kill -9; ip netns del " + n + "; rm -rf /etc/netns/" + n, 10);
        }
        names.clear();
        processes.clear();
    }
}
