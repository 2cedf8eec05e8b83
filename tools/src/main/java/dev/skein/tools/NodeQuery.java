package dev.skein.tools;

import dev.skein.node.config.ConfigException;
import dev.skein.node.config.ConfigLoader;
import com.google.protobuf.Message;
import dev.skein.protocol.proto.Request;
import dev.skein.protocol.proto.Response;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The options every command that reads the running node shares: where its control socket is (given directly,
 * read from its configuration, or the default) and whether to print JSON.
 */
final class NodeQuery {
    static final Path DEFAULT = Path.of("/run/skein/skein0.sock");

    @Option(names = "--socket", paramLabel = "PATH", description = "the node's control socket (default "
            + "/run/skein/skein0.sock)")
    Path socket;

    @Option(names = "--config", paramLabel = "FILE", description = "read the control socket's path from this "
            + "node configuration")
    Path config;

    @Option(names = "--json", description = "print JSON (for scripts)")
    boolean json;

    Response ask(Request request) {
        return ControlClient.ask(path(), request);
    }

    void printJson(Message message) {
        System.out.println(JsonOutput.render(message));
    }

    void printJson(String name, List<? extends Message> messages) {
        System.out.println(JsonOutput.render(name, messages));
    }

    Path path() {
        if (socket != null) {
            return socket;
        }
        if (config != null) {
            try {
                return ConfigLoader.load(config).controlSocket();
            } catch (ConfigException e) {
                throw new UserError(e.getMessage());
            }
        }
        return DEFAULT;
    }
}
