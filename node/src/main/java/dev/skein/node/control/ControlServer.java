package dev.skein.node.control;

import dev.skein.protocol.proto.Request;
import dev.skein.protocol.proto.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's local control socket: a Unix domain socket that only its owner (root) may open, serving one
 * protobuf request and one response per connection. What it answers comes from {@link ControlHandler}.
 */
public final class ControlServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControlServer.class);
    private final Path path;
    private final ServerSocketChannel server;
    private final ExecutorService workers;
    private final Thread acceptor;
    private final ControlHandler handler;

    private ControlServer(Path path, ServerSocketChannel server, ControlHandler handler) {
        this.path = path;
        this.server = server;
        this.handler = handler;
        this.workers = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "skein-control");
            t.setDaemon(true);
            return t;
        });
        this.acceptor = new Thread(this::accept, "skein-control-accept");
        acceptor.setDaemon(true);
    }

    /** Binds the socket at {@code path} (owner-only), replacing a stale one left by a dead node. */
    public static ControlServer start(Path path, ControlHandler handler) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        if (Files.exists(path)) {
            if (answers(path)) {
                throw new IOException("control socket " + path + " is in use: is another `skein up` running?");
            }
            Files.delete(path); // left behind by a node that was killed
        }
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(path));
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            server.close();
            throw new IOException("cannot create the control socket " + path + ": " + e.getMessage(), e);
        }
        ControlServer s = new ControlServer(path, server, handler);
        s.acceptor.start();
        return s;
    }

    private static boolean answers(Path path) {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void accept() {
        while (server.isOpen()) {
            try {
                SocketChannel c = server.accept();
                workers.execute(() -> serve(c));
            } catch (IOException e) {
                if (server.isOpen()) {
                    log.debug("control socket: {}", e.toString());
                }
            }
        }
    }

    private void serve(SocketChannel c) {
        try (c; InputStream in = Channels.newInputStream(c); OutputStream out = Channels.newOutputStream(c)) {
            Response response;
            try {
                response = handler.handle(Request.parseFrom(Framing.read(in)));
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                response = Response.newBuilder().setError("malformed control request").build();
            } catch (RuntimeException e) {
                log.error("control request failed", e);
                response = Response.newBuilder().setError("internal error: " + e).build();
            }
            Framing.write(out, response.toByteArray());
        } catch (IOException e) {
            log.debug("control connection: {}", e.toString());
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            log.debug("closing the control socket: {}", e.toString());
        }
        workers.shutdownNow();
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            log.debug("removing {}: {}", path, e.toString());
        }
    }
}
