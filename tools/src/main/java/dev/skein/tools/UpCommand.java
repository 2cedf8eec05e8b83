package dev.skein.tools;

import dev.skein.node.Node;
import dev.skein.node.NodeException;
import dev.skein.node.config.ConfigException;
import dev.skein.node.config.ConfigLoader;
import dev.skein.node.config.NodeConfig;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Run a node in the foreground until SIGINT or SIGTERM; then remove its TUN device and routes.",
        footer = {"", "Example:", "  sudo skein up --config /etc/skein/home.yaml"})
final class UpCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, description = "the node's YAML configuration")
    Path config;

    @Override
    public Integer call() throws InterruptedException {
        Node node;
        try {
            NodeConfig c = ConfigLoader.load(config);
            if (c.jsonLogs()) {
                LogFormat.json(); // before the first line the node logs
            }
            node = Node.start(c);
        } catch (ConfigException | NodeException e) {
            throw new UserError(e.getMessage());
        }
        node.configFile(config);
        SystemdService systemd = SystemdService.fromEnvironment();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (systemd != null) {
                systemd.stopping();
            }
            node.close();
        }, "skein-shutdown"));
        reloadOnHangup(node);
        if (systemd != null) {
            systemd.ready(node, node.certificate().name() + " up: " + node.certificate().address() + " on "
                    + node.config().interfaceName());
        }
        // Runs until a signal (the hook cleans up and the JVM exits) or a failure of the data plane: then clean
        // up here and exit non-zero, so that a supervisor (systemd's Restart=on-failure) starts the node again.
        String cause = node.awaitFailure();
        node.close();
        throw new UserError("the node stopped: " + cause);
    }

    /** SIGHUP does what `skein reload` does (as for most daemons); the outcome goes to the log. */
    private void reloadOnHangup(Node node) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> new Thread(() -> {
                try {
                    node.reloadConfigFile();
                } catch (NodeException e) {
                    LoggerFactory.getLogger(UpCommand.class).warn("reload refused: {}", e.getMessage());
                }
            }, "skein-reload").start());
        } catch (IllegalArgumentException e) {
            // no SIGHUP on this platform: skein reload still works
        }
    }
}
