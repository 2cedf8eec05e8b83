package dev.skein.node.peer;

import java.security.SecureRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The receiver indices we hand out: each names either a handshake we initiated (awaiting its response) or a
 * keypair (receiving transport data). Indices are random so they reveal nothing and cannot be guessed.
 */
public final class IndexTable {
    /** What an index names: exactly one of the two is set. */
    public record Entry(Peer peer, Keypair keypair) {}

    private final ConcurrentHashMap<Integer, Entry> entries = new ConcurrentHashMap<>();
    private final SecureRandom random;

    public IndexTable(SecureRandom random) {
        this.random = random;
    }

    /** Reserves a fresh index for {@code peer}: a handshake it initiates, or a keypair about to be created. */
    public int reserve(Peer peer) {
        while (true) {
            int index = random.nextInt();
            if (index != 0 && entries.putIfAbsent(index, new Entry(peer, null)) == null) {
                return index;
            }
        }
    }

    /** Points {@code index} at its keypair once the handshake completed. */
    public void bind(Keypair keypair) {
        entries.put(keypair.localIndex, new Entry(keypair.peer, keypair));
    }

    public Entry get(int index) {
        return entries.get(index);
    }

    public void remove(int index) {
        entries.remove(index);
    }

    public int size() {
        return entries.size();
    }
}
