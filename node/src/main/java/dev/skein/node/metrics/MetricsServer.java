package dev.skein.node.metrics;

import dev.skein.node.Node;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;

/**
 * The `metrics:` endpoint: Prometheus's text exposition at {@code http://ADDRESS:PORT/metrics}. Off unless the
 * configuration names an address; one thread serves the scrapes, so a flood of requests costs one core's
 * share at most and never the data plane's threads.
 */
public final class MetricsServer implements AutoCloseable {
    private final HTTPServer server;

    private MetricsServer(HTTPServer server) {
        this.server = server;
    }

    /** Serves {@code node}'s metrics on {@code address}; fails if the address cannot be bound. */
    public static MetricsServer start(InetSocketAddress address, Node node) throws IOException {
        HTTPServer s = HTTPServer.builder().inetAddress(address.getAddress()).port(address.getPort())
                .registry(NodeMetrics.registry(node))
                .executorService(Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "skein-metrics");
                    t.setDaemon(true);
                    return t;
                })).buildAndStart();
        return new MetricsServer(s);
    }

    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.close();
    }
}
