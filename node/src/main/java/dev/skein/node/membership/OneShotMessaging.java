package dev.skein.node.membership;

import io.atomix.cluster.messaging.ManagedMessagingService;
import io.atomix.utils.net.Address;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

/**
 * Atomix's TCP messaging with every message on a connection of its own, closed once it is sent or answered.
 *
 * <p>Why: Atomix 3.1 sends every one-way message on a pooled connection that it never closes, whatever
 * {@code keepAlive} says, and its event service, started with every cluster, sends to each new member and
 * gossips to random ones. So a node ends up holding a TCP connection to every member of the mesh: at 256
 * members, 510 idle sockets per node (both ends of each), half the default limit of open files. SWIM's probes
 * are already one-shot; one-way messages are rare and small, so a connection each costs little.
 *
 * <p>Atomix only closes a one-shot connection when the request is answered or times out, so a one-way message
 * goes as a request with a short timeout: its handler never answers, and a timeout means it was delivered.
 */
final class OneShotMessaging extends ForwardingMessaging {
    /** How long a one-way message's connection stays open after it is written: it is closed when this ends. */
    static final Duration ONE_WAY_LINGER = Duration.ofMillis(250);

    OneShotMessaging(ManagedMessagingService real) {
        super(real);
    }

    @Override
    public CompletableFuture<Void> sendAsync(Address to, String type, byte[] payload, boolean keepAlive) {
        return real.sendAndReceive(to, type, payload, false, ONE_WAY_LINGER).handle((reply, error) -> {
            Throwable cause = error instanceof CompletionException ? error.getCause() : error;
            if (cause == null || cause instanceof TimeoutException) {
                return null;
            }
            throw new CompletionException(cause);
        });
    }

    /** Requests too: SWIM's probes ask for one-shot connections already, Atomix's event service does not. */
    @Override
    protected boolean keepAlive(boolean requested) {
        return false;
    }
}
