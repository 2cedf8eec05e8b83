package dev.skein.tools;

import dev.skein.node.control.Framing;
import dev.skein.protocol.proto.Request;
import dev.skein.protocol.proto.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/** Asks a running node one question over its control socket; every failure is one line for the user. */
final class ControlClient {
    private ControlClient() {}

    static Response ask(Path socket, Request request) {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket));
             OutputStream out = Channels.newOutputStream(c); InputStream in = Channels.newInputStream(c)) {
            Framing.write(out, request.toByteArray());
            Response r = Response.parseFrom(Framing.read(in));
            if (!r.getError().isEmpty()) {
                throw new UserError(r.getError());
            }
            return r;
        } catch (IOException e) {
            throw new UserError("cannot reach the node: is `skein up` running? socket: " + socket);
        }
    }
}
