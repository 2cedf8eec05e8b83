package dev.skein.node.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Memory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sd_notify's wire, against a datagram socket of our own standing in for systemd (no root, no systemd). */
class SystemdNotifyTest {
    @TempDir
    Path dir;

    /** What systemd would read from its notification socket, waiting up to a second for each datagram. */
    private static List<String> receive(int fd, int count) {
        List<String> out = new ArrayList<>();
        Memory buf = new Memory(4096);
        Memory pollfd = LibC.pollIn(fd);
        for (int i = 0; i < count && LibC.poll(pollfd, 1, 1000) > 0; i++) {
            long n = LibC.Setup.INSTANCE.recv(fd, buf, buf.size(), 0);
            out.add(new String(buf.getByteArray(0, (int) n), StandardCharsets.UTF_8));
        }
        return out;
    }

    private static int listen(String name) {
        int fd = LibC.Setup.INSTANCE.socket(1, 2, 0);
        Memory address = new Memory(SystemdNotify.SOCKADDR_UN_SIZE);
        int length = SystemdNotify.sockaddr(name, address);
        assertEquals(0, LibC.bind(fd, address, length), "bind " + name);
        return fd;
    }

    @Test
    void readyStatusWatchdogAndStoppingReachThePathSocket() {
        String path = dir.resolve("notify").toString();
        int fd = listen(path);
        try (SystemdNotify n = SystemdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", path))) {
            assertTrue(n.send("READY=1\nSTATUS=home up"));
            assertTrue(n.send("WATCHDOG=1"));
            assertTrue(n.send("STOPPING=1"));
            assertEquals(List.of("READY=1\nSTATUS=home up", "WATCHDOG=1", "STOPPING=1"), receive(fd, 3));
        } finally {
            LibC.close(fd);
        }
    }

    @Test
    void anAbstractNameIsReachedToo() {
        String name = "@skein-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        int fd = listen(name);
        try (SystemdNotify n = SystemdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", name))) {
            assertTrue(n.send("READY=1"));
            assertEquals(List.of("READY=1"), receive(fd, 1));
        } finally {
            LibC.close(fd);
        }
    }

    @Test
    void withoutTheVariableNothingIsSentAndABadOneIsSaid() {
        assertNull(SystemdNotify.fromEnvironment(Map.of()));
        assertNull(SystemdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", "")));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> SystemdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", "relative/path"))).getMessage()
                .contains("neither a path nor an @name"));
        assertThrows(IllegalArgumentException.class,
                () -> SystemdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", "/" + "x".repeat(200))));
        try (SystemdNotify gone = SystemdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET",
                dir.resolve("nobody-listens").toString()))) {
            assertTrue(!gone.send("READY=1"), "a socket nobody holds: false, no exception");
        }
    }

    @Test
    void theWatchdogIntervalIsOursOnlyWhenThePidMatches() {
        assertEquals(Duration.ofSeconds(20), SystemdNotify.watchdog(Map.of("WATCHDOG_USEC", "20000000"), 42));
        assertEquals(Duration.ofSeconds(20), SystemdNotify.watchdog(
                Map.of("WATCHDOG_USEC", "20000000", "WATCHDOG_PID", "42"), 42));
        assertNull(SystemdNotify.watchdog(Map.of("WATCHDOG_USEC", "20000000", "WATCHDOG_PID", "43"), 42));
        assertNull(SystemdNotify.watchdog(Map.of("WATCHDOG_USEC", "soon"), 42));
        assertNull(SystemdNotify.watchdog(Map.of("WATCHDOG_USEC", "0"), 42));
        assertNull(SystemdNotify.watchdog(Map.of(), 42));
    }
}
