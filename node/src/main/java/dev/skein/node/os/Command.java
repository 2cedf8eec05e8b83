package dev.skein.node.os;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** One run of a system tool (nft, resolvectl) with its input, bounded in time. */
final class Command {
    private Command() {}

    /**
     * Runs {@code command}, feeding it {@code input} (or nothing); returns null when it exits 0, else what it said.
     *
     * @throws IOException if the program cannot be started (not installed)
     */
    static String run(List<String> command, String input, Duration limit) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (input != null) {
            p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        try {
            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return command.get(0) + " did not finish within " + limit.toSeconds() + " s";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            return "interrupted";
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        return p.exitValue() == 0 ? null : out;
    }
}
