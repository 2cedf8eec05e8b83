package dev.skein.tools;

import dev.skein.node.Node;
import dev.skein.node.NodeException;
import dev.skein.node.config.ConfigException;
import dev.skein.node.config.ConfigLoader;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
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
            node = Node.start(ConfigLoader.load(config));
        } catch (ConfigException | NodeException e) {
            throw new UserError(e.getMessage());
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            stopped.countDown();
        }, "skein-shutdown"));
        stopped.await();
        return 0;
    }
}
