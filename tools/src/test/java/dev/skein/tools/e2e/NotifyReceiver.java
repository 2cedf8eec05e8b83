package dev.skein.tools.e2e;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Plays systemd's side of sd_notify: a datagram socket at a path, read with a time limit. */
final class NotifyReceiver implements AutoCloseable {
    private interface C extends Library {
        C INSTANCE = Native.load("c", C.class);

        int socket(int domain, int type, int protocol);

        int bind(int fd, Memory address, int length);

        int poll(Memory pollfd, long nfds, int timeoutMillis);

        long recv(int fd, Memory buf, long len, int flags);

        int close(int fd);
    }

    private final int fd;
    final Path path;

    NotifyReceiver(Path path) {
        this.path = path;
        fd = C.INSTANCE.socket(1, 2, 0); // AF_UNIX, SOCK_DGRAM
        byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
        Memory address = new Memory(110);
        address.clear();
        address.setShort(0, (short) 1);
        address.write(2, name, 0, name.length);
        if (fd < 0 || C.INSTANCE.bind(fd, address, 2 + name.length + 1) != 0) {
            throw new IllegalStateException("cannot listen on " + path);
        }
    }

    /** The next notification, or null if none came within {@code millis}. */
    String next(int millis) {
        Memory pollfd = new Memory(8);
        pollfd.clear();
        pollfd.setInt(0, fd);
        pollfd.setShort(4, (short) 1); // POLLIN
        if (C.INSTANCE.poll(pollfd, 1, millis) <= 0) {
            return null;
        }
        Memory buf = new Memory(4096);
        long n = C.INSTANCE.recv(fd, buf, buf.size(), 0);
        return n < 0 ? null : new String(buf.getByteArray(0, (int) n), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        C.INSTANCE.close(fd);
    }
}
