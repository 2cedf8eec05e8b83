package dev.skein.tools;

import dev.skein.node.config.ConfigException;
import dev.skein.node.config.ConfigLoader;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the running node's control socket is: given directly, read from its configuration, or the default. */
final class NodeSocket {
    static final Path DEFAULT = Path.of("/run/skein/skein0.sock");

    @Option(names = "--socket", paramLabel = "PATH", description = "the node's control socket (default "
            + "/run/skein/skein0.sock)")
    Path socket;

    @Option(names = "--config", paramLabel = "FILE", description = "read the control socket's path from this "
            + "node configuration")
    Path config;

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
