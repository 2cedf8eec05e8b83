package dev.skein.tools;

import dev.skein.node.Node;
import dev.skein.node.os.SystemdNotify;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What `skein up` tells systemd when a unit of {@code Type=notify} runs it: READY=1 once the node is up (TUN
 * device, routes, gossip listening, control socket), a watchdog ping at half of {@code WatchdogSec} while the
 * data plane works, STOPPING=1 when it goes down. Outside systemd, none of it happens.
 */
final class SystemdService {
    private static final Logger log = LoggerFactory.getLogger(SystemdService.class);
    private final SystemdNotify notify;

    private SystemdService(SystemdNotify notify) {
        this.notify = notify;
    }

    /** The service of this process, or null when systemd did not ask for notifications. */
    static SystemdService fromEnvironment() {
        try {
            SystemdNotify n = SystemdNotify.fromEnvironment(System.getenv());
            return n == null ? null : new SystemdService(n);
        } catch (IllegalArgumentException | IllegalStateException e) {
            log.warn("{}: systemd will not hear that the node is ready", e.getMessage());
            return null;
        }
    }

    /** The node is up: READY=1 with a status line, then the watchdog pings if systemd wants them. */
    void ready(Node node, String status) {
        notify.send("READY=1\nSTATUS=" + status);
        Duration interval = notify.watchdogInterval();
        if (interval == null) {
            return;
        }
        Thread t = new Thread(() -> {
            long every = Math.max(1, interval.toMillis() / 2);
            // A failed data plane stops the pings: systemd then restarts the node (Restart=on-failure).
            while (node.failure() == null) {
                notify.send("WATCHDOG=1");
                try {
                    Thread.sleep(every);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "skein-watchdog");
        t.setDaemon(true);
        t.start();
    }

    void stopping() {
        notify.send("STOPPING=1");
    }
}
