package dev.skein.tools;

import dev.skein.node.Node;
import dev.skein.node.NodeException;
import dev.skein.node.config.ConfigException;
import dev.skein.node.config.ConfigLoader;
import dev.skein.node.config.NodeConfig;
import dev.skein.node.os.HangupSignal;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Run a node in the foreground until SIGINT or SIGTERM; then remove its TUN device and routes.",
        footer = {"", "Example:", "  sudo skein up --config /etc/skein/home.yaml"})
final class UpCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, description = "the node's YAML configuration")
    Path config;

    /**
     * {@code up --config FILE} (or {@code --config=FILE}), the way a unit file or a script starts a node, read
     * without picocli: building even this one command's model was a fifth of a node's main-thread CPU at start
     * (async-profiler from the JVM's launch, docs/PERFORMANCE.md session 26), paid again by every node of a mesh
     * that starts at once. Null for anything else (help, a typo, a missing value), which picocli reads and
     * explains as before.
     */
    static UpCommand plain(String... args) {
        String value;
        if (args.length == 3 && args[0].equals("up") && args[1].equals("--config")) {
            value = args[2];
        } else if (args.length == 2 && args[0].equals("up") && args[1].startsWith("--config=")) {
            value = args[1].substring("--config=".length());
        } else {
            return null;
        }
        Path path = QuickQuery.path(value);
        if (path == null) {
            return null;
        }
        UpCommand up = new UpCommand();
        up.config = path;
        return up;
    }

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

    /**
     * SIGHUP does what `skein reload` does (as for most daemons); the outcome goes to the log. Started with SIGHUP
     * ignored (nohup), the JVM would not install the handler and say so only by returning SIG_IGN: the disposition
     * is set back to the default and the handler installed again (see {@link HangupSignal}).
     */
    private void reloadOnHangup(Node node) {
        sun.misc.Signal hangup = new sun.misc.Signal("HUP");
        sun.misc.SignalHandler reload = signal -> new Thread(() -> {
            try {
                node.reloadConfigFile();
            } catch (NodeException e) {
                LoggerFactory.getLogger(UpCommand.class).warn("reload refused: {}", e.getMessage());
            }
        }, "skein-reload").start();
        try {
            if (sun.misc.Signal.handle(hangup, reload) == sun.misc.SignalHandler.SIG_IGN) {
                HangupSignal.restoreDefault();
                sun.misc.Signal.handle(hangup, reload);
                LoggerFactory.getLogger(UpCommand.class).info(
                        "SIGHUP was ignored when skein started (nohup?): it reloads the configuration instead");
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            // no SIGHUP here: skein reload still works
            LoggerFactory.getLogger(UpCommand.class).warn("SIGHUP will not reload ({}): use skein reload", e.getMessage());
        }
    }
}
