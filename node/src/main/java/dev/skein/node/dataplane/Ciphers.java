package dev.skein.node.dataplane;

import dev.skein.node.os.OpenSslAead;
import dev.skein.node.os.SodiumAead;
import dev.skein.node.os.ThreadCpuClock;
import dev.skein.protocol.transport.TransportAead;
import dev.skein.protocol.transport.TransportAeads;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which transport cipher the data plane uses: the fastest of those this machine has, timed once, on a thread of
 * its own, when the first data-plane thread asks; meanwhile (a few hundred milliseconds) the first native one
 * serves, so that timing never delays a node's first packets. Each data-plane thread takes the new choice at its
 * next packet ({@link Scratch#aead()}). Which is fastest depends on the CPU (AVX-512 or not), the JDK (22+ calls
 * native code through the Foreign Function API at a fraction of JNA's cost; 20+ has a ChaCha20 intrinsic, and
 * Poly1305 is intrinsic only with AVX-512) and the libraries installed, so it is measured, not assumed: OpenSSL's libcrypto,
 * libsodium, the JDK's own ChaCha20-Poly1305 and the split one (the JDK's ChaCha20 with Bouncy Castle's Poly1305)
 * each warm up on {@link #WARM_UP} packets of a full tunnel MTU, then seal and open {@link #PACKETS} in each of
 * {@link #ROUNDS} rounds, taking turns; each one's best round counts, timed in the timing thread's own CPU time
 * (a node starting up shares its cores with the JIT, the gossip layer and often other nodes: on the wall clock a
 * round that lost its core for a while measured the wait, and in a 32-node start on two cores the figures came
 * out at 60-90 us a packet instead of 6, a choice by chance), and the least time wins. The pure-Java ones are
 * timed only on a machine with no native one ({@link #toTime}): timing them means compiling them (about 0.5 CPU s
 * and 12 MiB of a node's start, the largest share of it), and on every machine measured OpenSSL's was faster
 * (1.01 us against the JDK 25's 1.45 with AVX-512; several times faster without).
 * {@code -Dskein.aead=openssl|sodium|jdk|split|bouncycastle} forces one.
 */
final class Ciphers {
    private static final Logger log = LoggerFactory.getLogger(Ciphers.class);
    /** Packets that warm each provider up (JIT, caches) before any is timed. */
    static final int WARM_UP = 2000;
    /** Rounds, each timing every provider on {@link #PACKETS} packets in turn; a provider's best round counts. */
    static final int ROUNDS = 5;
    static final int PACKETS = 400;
    /** A full packet of the default tunnel MTU: what a bulk transfer seals. */
    private static final int PACKET_SIZE = 1420;

    private Ciphers() {}

    /** The providers this machine has, by name, fastest expected first (a tie keeps the earlier). */
    static Map<String, Supplier<TransportAead>> available() {
        Map<String, Supplier<TransportAead>> out = new LinkedHashMap<>();
        if (OpenSslAead.available()) {
            out.put("openssl", OpenSslAead::new);
        }
        if (SodiumAead.available()) {
            out.put("sodium", SodiumAead::new);
        }
        for (String name : List.of("jdk", "split")) {
            try {
                TransportAeads.create(name);
                out.put(name, () -> TransportAeads.create(name));
            } catch (IllegalStateException e) {
                // this JDK lacks it
            }
        }
        return out;
    }

    /** Of the providers this machine has, the ones worth timing: the native ones if there are any, else all. */
    static Map<String, Supplier<TransportAead>> toTime(Map<String, Supplier<TransportAead>> available) {
        Map<String, Supplier<TransportAead>> natives = new LinkedHashMap<>(available);
        natives.keySet().retainAll(NATIVE);
        return natives.isEmpty() ? available : natives;
    }

    /** The providers that call native code: no JIT to wait for, and the fastest wherever they exist. */
    static final java.util.Set<String> NATIVE = java.util.Set.of("openssl", "sodium");

    /**
     * A choice: the provider's name, its factory, and what each candidate measured (empty when forced, null while
     * provisional).
     */
    record Choice(String name, Supplier<TransportAead> factory, Map<String, Double> microsPerPacket) {}

    private static volatile Choice current;

    /** The choice of the moment: forced, provisional while the timing runs, then the fastest. */
    static Choice current() {
        Choice c = current;
        return c != null ? c : start();
    }

    private static synchronized Choice start() {
        if (current == null) {
            String forced = System.getProperty(TransportAeads.PROPERTY);
            if (forced != null) {
                current = choose(forced, Map.of());
            } else {
                current = provisional();
                Thread timing = new Thread(() -> {
                    current = choose(null, toTime(available()));
                    log.info("transport cipher: {}", name());
                }, "skein-cipher-timing");
                timing.setDaemon(true);
                timing.start();
            }
        }
        return current;
    }

    /** What serves until the timing is done: OpenSSL's, else libsodium's, else the split one. */
    private static Choice provisional() {
        String name = OpenSslAead.available() ? "openssl" : SodiumAead.available() ? "sodium" : "split";
        Choice c = choose(name, Map.of());
        return new Choice(c.name(), c.factory(), null);
    }

    /** Forced by {@code forced} (a provider's name), else the fastest of {@code candidates} as timed now. */
    static Choice choose(String forced, Map<String, Supplier<TransportAead>> candidates) {
        if (forced != null) {
            Supplier<TransportAead> factory = candidates.get(forced);
            if (factory == null) {
                factory = forced.equals("sodium") ? SodiumAead::new : forced.equals("openssl") ? OpenSslAead::new
                        : () -> TransportAeads.create(forced);
            }
            factory.get(); // an unknown name, or a library that is missing, fails here, at start
            return new Choice(forced, factory, Map.of());
        }
        Map<String, TransportAead> instances = new LinkedHashMap<>();
        candidates.forEach((name, factory) -> {
            try {
                TransportAead aead = factory.get();
                time(aead, WARM_UP, 0);
                instances.put(name, aead);
            } catch (RuntimeException e) { // a provider that fails here is no candidate; say so, time the others
                log.warn("transport cipher {} left out: {}", name, e.toString());
            }
        });
        Map<String, Double> micros = new LinkedHashMap<>();
        for (int round = 0; round < ROUNDS; round++) {
            long counter = WARM_UP + (long) round * PACKETS; // a nonce of its own for every packet
            for (Map.Entry<String, TransportAead> c : instances.entrySet()) {
                micros.merge(c.getKey(), time(c.getValue(), PACKETS, counter), Math::min);
            }
        }
        String best = null;
        for (Map.Entry<String, Double> m : micros.entrySet()) {
            if (best == null || m.getValue() < micros.get(best)) {
                best = m.getKey();
            }
        }
        return new Choice(best, candidates.get(best), micros);
    }

    /** Microseconds to seal and open one packet of {@link #PACKET_SIZE} bytes, over {@code packets} of them. */
    private static double time(TransportAead aead, int packets, long firstCounter) {
        byte[] key = new byte[32];
        new java.util.Random(1).nextBytes(key);
        ByteBuffer plain = ByteBuffer.allocateDirect(PACKET_SIZE);
        ByteBuffer sealed = ByteBuffer.allocateDirect(PACKET_SIZE + TransportAead.TAG_SIZE);
        ByteBuffer opened = ByteBuffer.allocateDirect(PACKET_SIZE);
        long start = ThreadCpuClock.nanos();
        for (long counter = firstCounter; counter < firstCounter + packets; counter++) {
            aead.seal(key, counter, plain.clear(), sealed.clear());
            if (aead.open(key, counter, sealed.flip(), opened.clear()) != PACKET_SIZE) {
                throw new IllegalStateException(aead.name() + " does not open what it sealed");
            }
        }
        return (ThreadCpuClock.nanos() - start) / 1000.0 / packets;
    }

    /** The chosen cipher's name, with how it is called when it is native, and what it measured. */
    static String name() {
        Choice c = current();
        String name = c.name().equals("sodium") ? "sodium (" + SodiumAead.binding() + ")"
                : c.name().equals("openssl") ? "openssl (" + OpenSslAead.binding() + ")" : c.name();
        if (c.microsPerPacket() == null) {
            return name + " (for now: the others are being timed)";
        }
        if (c.microsPerPacket().isEmpty()) {
            return name + ", forced by -D" + TransportAeads.PROPERTY;
        }
        List<String> figures = new ArrayList<>();
        c.microsPerPacket().forEach((n, us) -> figures.add(String.format("%s %.2f", n, us)));
        return name + ", the fastest here (us to seal and open " + PACKET_SIZE + " bytes: "
                + String.join(", ", figures) + ")";
    }
}
