package dev.skein.node.os;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * systemd's service notification protocol (sd_notify(3)), for a unit of {@code Type=notify}: datagrams such as
 * {@code READY=1} to the AF_UNIX socket named by {@code $NOTIFY_SOCKET} (a path, or {@code @name} in the abstract
 * namespace). Written here over libc rather than linked to libsystemd, which a node need not have. Without the
 * variable nothing is sent and nothing fails: the same binary runs under systemd and in a terminal.
 */
public final class SystemdNotify implements AutoCloseable {
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    /** sizeof(struct sockaddr_un): a 2-byte family and 108 bytes of path. */
    static final int SOCKADDR_UN_SIZE = 110;
    private static final int MSG_NOSIGNAL = 0x4000;

    private final int fd;
    private final Memory address;
    private final int addressLength;
    private final Duration watchdog;

    private SystemdNotify(int fd, Memory address, int addressLength, Duration watchdog) {
        this.fd = fd;
        this.address = address;
        this.addressLength = addressLength;
        this.watchdog = watchdog;
    }

    /** The notifier systemd asked for in {@code env}, or null when it asked for none. */
    public static SystemdNotify fromEnvironment(Map<String, String> env) {
        String socket = env.get("NOTIFY_SOCKET");
        if (socket == null || socket.isEmpty()) {
            return null;
        }
        Memory address = new Memory(SOCKADDR_UN_SIZE);
        int length = sockaddr(socket, address);
        int fd;
        try {
            fd = LibC.Setup.INSTANCE.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw new IllegalStateException("NOTIFY_SOCKET: cannot open an AF_UNIX socket: errno " + e.getErrorCode());
        }
        return new SystemdNotify(fd, address, length, watchdog(env, ProcessHandle.current().pid()));
    }

    /**
     * Writes {@code struct sockaddr_un} for {@code socket} into {@code out}; returns the length to pass. An
     * abstract name ({@code @...}) is a NUL then the name, its length exact; a path ends with its NUL.
     *
     * @throws IllegalArgumentException for a name that is neither, or longer than sun_path holds
     */
    static int sockaddr(String socket, Memory out) {
        boolean abstractName = socket.startsWith("@");
        if (!abstractName && !socket.startsWith("/")) {
            throw new IllegalArgumentException("NOTIFY_SOCKET '" + socket + "' is neither a path nor an @name");
        }
        byte[] name = socket.getBytes(StandardCharsets.UTF_8);
        if (name.length > SOCKADDR_UN_SIZE - 2 - (abstractName ? 0 : 1)) {
            throw new IllegalArgumentException("NOTIFY_SOCKET is longer than a socket address holds");
        }
        out.clear();
        out.setShort(0, (short) AF_UNIX);
        out.write(2, name, 0, name.length);
        if (abstractName) {
            out.setByte(2, (byte) 0);
            return 2 + name.length;
        }
        return 2 + name.length + 1;
    }

    /**
     * How often systemd wants a watchdog ping ({@code WATCHDOG_USEC}), or null when it wants none or asked
     * another process ({@code WATCHDOG_PID}).
     */
    static Duration watchdog(Map<String, String> env, long pid) {
        String usec = env.get("WATCHDOG_USEC");
        String forPid = env.get("WATCHDOG_PID");
        if (usec == null || (forPid != null && !forPid.equals(Long.toString(pid)))) {
            return null;
        }
        try {
            long micros = Long.parseLong(usec.trim());
            return micros > 0 ? Duration.ofNanos(micros * 1000) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The watchdog interval systemd set, or null: ping at half of it. */
    public Duration watchdogInterval() {
        return watchdog;
    }

    /** Sends one notification ("READY=1", "STOPPING=1", "WATCHDOG=1", "STATUS=..."); false if it failed. */
    public synchronized boolean send(String state) {
        byte[] b = state.getBytes(StandardCharsets.UTF_8);
        Memory m = new Memory(Math.max(1, b.length));
        m.write(0, b, 0, b.length);
        try {
            return LibC.Setup.INSTANCE.sendto(fd, m, b.length, MSG_NOSIGNAL, address, addressLength) == b.length;
        } catch (LastErrorException e) {
            return false; // systemd went away, or the socket is full: nothing to do but carry on
        }
    }

    @Override
    public synchronized void close() {
        LibC.close(fd);
    }
}
