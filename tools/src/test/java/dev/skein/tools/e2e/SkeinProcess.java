package dev.skein.tools.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** A real `skein` process (the CLI's main class on the test classpath) running in a namespace. */
final class SkeinProcess {
    final Path log;
    private final Process process;

    private SkeinProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** The JVM command that runs the skein CLI with this test's classpath. */
    static List<String> command(String... args) {
        return command(List.of(), args);
    }

    /** The same, with extra JVM flags (e.g. a -D test hook). */
    static List<String> command(List<String> jvmFlags, String... args) {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED"));
        cmd.addAll(jvmFlags);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.skein.tools.Skein"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * Runs the skein CLI on the host and returns its exit code and output (stdout and stderr together). A node's
     * control socket is a file, so the host reaches every namespace's node.
     */
    static Netns.Result cli(String... args) {
        return Netns.run(shellQuoted(command(args)), 60);
    }

    /** The same inside {@code ns}: for what needs that namespace's network (`skein up`, `revocations push`). */
    static Netns.Result cliIn(String ns, String... args) {
        return Netns.exec(ns, shellQuoted(command(args)), 60);
    }

    private static String shellQuoted(List<String> words) {
        return words.stream().map(a -> "'" + a.replace("'", "'\\''") + "'").collect(Collectors.joining(" "));
    }

    /** `skein status --json` of the node in {@code ns} whose control socket is {@code socket}. */
    static String statusJson(String ns, Path socket) {
        return cliIn(ns, "status", "--json", "--socket", socket.toString()).output();
    }

    /** A drop counter from `skein status --json` (0 when absent: JSON leaves zeros out). */
    static long counter(String statusJson, String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + java.util.regex.Pattern.quote(name)
                + "\":\\s*\"?(\\d+)").matcher(statusJson);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    /** Runs `skein up --config CONFIG` in {@code ns} and waits until it says it is up. */
    static SkeinProcess up(Netns netns, String ns, Path config) throws IOException, InterruptedException {
        return up(netns, ns, config, List.of());
    }

    static SkeinProcess up(Netns netns, String ns, Path config, List<String> jvmFlags)
            throws IOException, InterruptedException {
        return start(netns, ns, config, command(jvmFlags, "up", "--config", config.toString()));
    }

    /**
     * The same under {@code nohup}, as a user keeping a node past their shell's exit would start it: the node
     * inherits SIGHUP ignored, and must still reload on it.
     */
    static SkeinProcess upUnderNohup(Netns netns, String ns, Path config) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("nohup"));
        command.addAll(command(List.of(), "up", "--config", config.toString()));
        return start(netns, ns, config, command);
    }

    private static SkeinProcess start(Netns netns, String ns, Path config, List<String> command)
            throws IOException, InterruptedException {
        Path log = config.resolveSibling(config.getFileName() + "." + System.nanoTime() + ".log");
        SkeinProcess p = new SkeinProcess(netns.start(ns, command, log), log);
        // A node is up in 1-3 s on an idle machine. The limit is for a starved one: on a heavily loaded 2-core
        // machine (a simulation and other JVMs beside the tests) a node's main thread was seen getting 0.5 CPU s
        // in its first 22 s, loading classes, not waiting on anything; a hung node still fails here, only later.
        p.awaitLog(" up: ", 60);
        return p;
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }

    /** Waits until the log contains {@code text}; fails with the log if it does not within the limit. */
    void awaitLog(String text, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (log().contains(text)) {
                return;
            }
            if (!process.isAlive()) {
                fail("skein exited (" + process.exitValue() + ") before saying '" + text + "':\n" + log());
            }
            Thread.sleep(100);
        }
        fail("skein did not say '" + text + "' within " + seconds + " s:\n" + log());
    }

    /** Waits until the log contains {@code text} at least {@code times} times. */
    void awaitCount(String text, int times, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (count(text) >= times) {
                return;
            }
            Thread.sleep(100);
        }
        fail("skein did not say '" + text + "' " + times + " times within " + seconds + " s:\n" + log());
    }

    int count(String text) {
        return log().split(java.util.regex.Pattern.quote(text), -1).length - 1;
    }

    /** Waits for the process to exit by itself; returns its exit code, or fails if it is still running. */
    int awaitExit(int seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            fail("skein is still running " + seconds + " s later:\n" + log());
        }
        return process.exitValue();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** SIGHUP: a running node reloads its configuration (`ip netns exec` execs the JVM: the pid is the node's). */
    void hangUp() {
        Netns.sh("kill -HUP " + process.pid());
    }

    /** SIGSTOP: the node stops without a word, every thread at once, as a laptop does when it sleeps. */
    void freeze() {
        Netns.sh("kill -STOP " + process.pid());
    }

    /** SIGCONT: a frozen node runs on, its state as it was. */
    void thaw() {
        Netns.sh("kill -CONT " + process.pid());
    }

    /** SIGKILL: the node dies without a word. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM, then wait for the exit; returns 0 for a clean stop (the JVM reports a SIGTERM exit as 143). */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("skein did not stop within 10 s of SIGTERM:\n" + log());
        }
        int code = process.exitValue();
        return code == 143 ? 0 : code;
    }
}
