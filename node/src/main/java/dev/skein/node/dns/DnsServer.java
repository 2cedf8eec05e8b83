package dev.skein.node.dns;

import dev.skein.node.dataplane.SourceRateLimiter;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@link DnsAnswers} on one address, over UDP and TCP (the same port), each query answered from the names
 * of that moment. Bounded against a flood from any member: each source address has its own budget of queries a
 * second ({@link SourceRateLimiter}); at most {@link #TCP_CONNECTIONS} TCP connections are served at once, each
 * for at most {@link #TCP_QUERIES} queries and {@link #TCP_IDLE} of silence. What is over a bound is dropped and
 * counted, never queued.
 */
public final class DnsServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DnsServer.class);
    static final int QUERIES_PER_SECOND = 100;
    static final int BURST = 200;
    static final int SOURCES = 1024;
    static final int TCP_CONNECTIONS = 8;
    static final int TCP_QUERIES = 64;
    static final Duration TCP_IDLE = Duration.ofSeconds(5);
    /** A UDP query is small; EDNS lets a client offer more for the answer, not send more. */
    private static final int MAX_QUERY = 4096;

    /** What the server did, for `skein status` and the metrics. */
    public record Counts(long answered, long droppedRate, long droppedUnreadable, long droppedBusy) {}

    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private final Supplier<MeshNames> names;
    private final SourceRateLimiter limiter = new SourceRateLimiter(QUERIES_PER_SECOND, BURST, SOURCES);
    private final ExecutorService connections;
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong droppedRate = new AtomicLong();
    private final AtomicLong droppedUnreadable = new AtomicLong();
    private final AtomicLong droppedBusy = new AtomicLong();
    private volatile boolean closed;

    private DnsServer(DatagramSocket udp, ServerSocket tcp, Supplier<MeshNames> names) {
        this.udp = udp;
        this.tcp = tcp;
        this.names = names;
        this.connections = new ThreadPoolExecutor(0, TCP_CONNECTIONS, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                r -> daemon(r, "skein-dns-tcp"));
    }

    /** Listens on {@code address:port}, UDP and TCP (port 0: a free UDP port, and TCP on the same). */
    public static DnsServer start(InetAddress address, int port, Supplier<MeshNames> names) throws IOException {
        DatagramSocket udp = new DatagramSocket(new InetSocketAddress(address, port));
        ServerSocket tcp;
        try {
            tcp = new ServerSocket();
            tcp.setReuseAddress(true);
            tcp.bind(new InetSocketAddress(address, udp.getLocalPort()), TCP_CONNECTIONS);
        } catch (IOException e) {
            udp.close();
            throw e;
        }
        DnsServer server = new DnsServer(udp, tcp, names);
        daemon(server::serveUdp, "skein-dns-udp").start();
        daemon(server::acceptTcp, "skein-dns-accept").start();
        return server;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    public int port() {
        return udp.getLocalPort();
    }

    public Counts counts() {
        return new Counts(answered.get(), droppedRate.get(), droppedUnreadable.get(), droppedBusy.get());
    }

    private boolean allowed(InetAddress source) {
        boolean ok;
        synchronized (limiter) { // shared by the UDP thread and the TCP connections
            ok = limiter.allow(source, System.nanoTime());
        }
        if (!ok) {
            droppedRate.incrementAndGet();
        }
        return ok;
    }

    /** The answer to send, or null (counted) when there is none. */
    private byte[] answer(byte[] query, int length, boolean overTcp) {
        byte[] reply = DnsAnswers.answer(query, length, names.get(), overTcp);
        if (reply == null) {
            droppedUnreadable.incrementAndGet();
        } else {
            answered.incrementAndGet();
        }
        return reply;
    }

    private void serveUdp() {
        byte[] buffer = new byte[MAX_QUERY];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        while (!closed) {
            try {
                packet.setLength(buffer.length);
                udp.receive(packet);
                if (!allowed(packet.getAddress())) {
                    continue;
                }
                byte[] reply = answer(buffer, packet.getLength(), false);
                if (reply != null) {
                    udp.send(new DatagramPacket(reply, reply.length, packet.getSocketAddress()));
                }
            } catch (IOException e) {
                if (!closed) {
                    log.warn("dns: UDP: {}", e.getMessage()); // a send refused: the next query goes on
                }
            } catch (RuntimeException e) {
                log.warn("dns: a query failed: {}", e.toString());
            }
        }
    }

    private void acceptTcp() {
        while (!closed) {
            Socket s;
            try {
                s = tcp.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.warn("dns: TCP accept: {}", e.getMessage());
                }
                continue;
            }
            try {
                connections.execute(() -> serveTcp(s));
            } catch (RejectedExecutionException e) {
                droppedBusy.incrementAndGet(); // every handler busy: this client tries again, or another server
                close(s);
            }
        }
    }

    /** Queries in two-byte-length frames (RFC 1035 4.2.2), answered in order, until the client stops. */
    private void serveTcp(Socket s) {
        try (s) {
            s.setSoTimeout((int) TCP_IDLE.toMillis());
            DataInputStream in = new DataInputStream(s.getInputStream());
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            for (int i = 0; i < TCP_QUERIES && !closed; i++) {
                int length;
                try {
                    length = in.readUnsignedShort();
                } catch (EOFException e) {
                    return;
                }
                if (length > MAX_QUERY) {
                    droppedUnreadable.incrementAndGet();
                    return;
                }
                byte[] query = new byte[length];
                in.readFully(query);
                if (!allowed(s.getInetAddress())) {
                    return;
                }
                byte[] reply = answer(query, length, true);
                if (reply == null) {
                    return;
                }
                out.writeShort(reply.length);
                out.write(reply);
                out.flush();
            }
        } catch (SocketException | java.net.SocketTimeoutException e) {
            // the client went away or fell silent: nothing to say
        } catch (IOException | RuntimeException e) {
            log.debug("dns: TCP connection from {}: {}", s.getInetAddress(), e.toString());
        }
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing a refused connection: nothing more to do
        }
    }

    @Override
    public void close() {
        closed = true;
        udp.close();
        try {
            tcp.close();
        } catch (IOException ignored) {
            // already closed
        }
        connections.shutdownNow();
    }
}
