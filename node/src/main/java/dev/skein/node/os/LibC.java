package dev.skein.node.os;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * The few libc calls Skein needs. The per-packet ones use JNA direct mapping (static natives bound with
 * {@link Native#register}: ~100 ns of overhead instead of ~250 ns for an interface proxy); the setup ones go
 * through {@link Setup}, an interface mapping that can report errno.
 */
final class LibC {
    static final int O_RDWR = 2;
    static final int O_NONBLOCK = 0x800;
    static final int O_CLOEXEC = 0x80000;
    static final short POLLIN = 1;
    static final short POLLERR = 8;
    static final short POLLHUP = 16;
    static final short POLLNVAL = 32;
    static final int EAGAIN = 11;
    static final int EINTR = 4;

    static {
        Native.register(NativeLibrary.getInstance("c"));
    }

    private LibC() {}

    /** read() into native memory at {@code address}. */
    static native long read(int fd, long address, long count);

    /** write() from native memory at {@code address}. */
    static native long write(int fd, long address, long count);

    /** A {@code struct pollfd} (int fd, short events, short revents) waiting for {@code fd} to be readable. */
    static Memory pollIn(int fd) {
        Memory pollfd = new Memory(8);
        pollfd.clear();
        pollfd.setInt(0, fd);
        pollfd.setShort(4, POLLIN);
        return pollfd;
    }

    /** poll() on one descriptor; {@code pollfd} is an 8-byte struct (int fd, short events, short revents). */
    static native int poll(Pointer pollfd, long nfds, int timeoutMillis);

    static native int close(int fd);

    /** clock_gettime() into a {@code struct timespec} (two longs) at {@code timespec}. */
    static native int clock_gettime(int clock, Pointer timespec);

    // The UDP socket's calls (UdpSocket): addresses are raw native addresses of direct buffers.
    static native int socket(int domain, int type, int protocol);

    static native int setsockopt(int fd, int level, int name, Pointer value, int length);

    static native int bind(int fd, Pointer address, int length);

    static native int getsockname(int fd, Pointer address, Pointer length);

    static native long sendmsg(int fd, long msghdr, int flags);

    static native long recvmsg(int fd, long msghdr, int flags);

    static native int shutdown(int fd, int how);

    // The path MTU probe (UdpSocket.pathMtu): a throwaway socket, connected, asked for the route's MTU.
    static native int connect(int fd, Pointer address, int length);

    static native int getsockopt(int fd, int level, int name, Pointer value, Pointer length);

    /** Calls that run once per device or route: errno becomes a {@link LastErrorException}. */
    interface Setup extends Library {
        Setup INSTANCE = Native.load("c", Setup.class);

        int open(String path, int flags) throws LastErrorException;

        int ioctl(int fd, long request, Pointer arg) throws LastErrorException;

        /** An ioctl whose argument is a value, not a pointer (TUNSETOFFLOAD). */
        int ioctl(int fd, long request, long arg) throws LastErrorException;

        int if_nametoindex(String name) throws LastErrorException;

        int socket(int domain, int type, int protocol) throws LastErrorException;

        long send(int fd, Pointer buf, long len, int flags) throws LastErrorException;

        long recv(int fd, Pointer buf, long len, int flags) throws LastErrorException;

        long sendto(int fd, Pointer buf, long len, int flags, Pointer address, int addressLength)
                throws LastErrorException;

        String strerror(int errnum);

        /** signal(2): the old disposition (SIG_DFL is a null pointer, SIG_IGN the address 1). */
        Pointer signal(int signal, Pointer handler) throws LastErrorException;
    }
}
