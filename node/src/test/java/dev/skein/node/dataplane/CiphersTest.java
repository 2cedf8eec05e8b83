package dev.skein.node.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skein.protocol.transport.TransportAead;
import dev.skein.protocol.transport.TransportAeads;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The data plane's cipher is the fastest one timed here, or the one forced; every candidate agrees. */
class CiphersTest {
    /** The split provider doing its work three times over: certainly slower than itself. */
    private static TransportAead slow() {
        TransportAead inner = TransportAeads.create("split");
        return new TransportAead() {
            @Override
            public String name() {
                return "slow";
            }

            @Override
            public int seal(byte[] key, long counter, ByteBuffer src, ByteBuffer dst) {
                for (int i = 0; i < 2; i++) {
                    inner.seal(key, counter + 1_000_000 * (i + 1), src.duplicate(), dst.duplicate());
                }
                return inner.seal(key, counter, src, dst);
            }

            @Override
            public int open(byte[] key, long counter, ByteBuffer src, ByteBuffer dst) {
                for (int i = 0; i < 2; i++) {
                    inner.open(key, counter, src.duplicate(), dst.duplicate());
                }
                return inner.open(key, counter, src, dst);
            }
        };
    }

    /** The split provider that, every 20th packet, waits 2 ms for nothing: as if it lost its core a while. */
    private static TransportAead waiting() {
        TransportAead inner = TransportAeads.create("split");
        return new TransportAead() {
            private int calls;

            @Override
            public String name() {
                return "waiting";
            }

            @Override
            public int seal(byte[] key, long counter, ByteBuffer src, ByteBuffer dst) {
                if (++calls % 20 == 0) {
                    try {
                        Thread.sleep(2);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return inner.seal(key, counter, src, dst);
            }

            @Override
            public int open(byte[] key, long counter, ByteBuffer src, ByteBuffer dst) {
                return inner.open(key, counter, src, dst);
            }
        };
    }

    @Test
    void theFastestCandidateIsChosenWhateverItsPlaceAndEveryFigureIsKept() {
        Map<String, Supplier<TransportAead>> candidates = new LinkedHashMap<>();
        candidates.put("slow", CiphersTest::slow);
        candidates.put("split", () -> TransportAeads.create("split"));
        Ciphers.Choice c = Ciphers.choose(null, candidates);
        assertEquals("split", c.name(), c.toString());
        assertEquals(candidates.keySet(), c.microsPerPacket().keySet());
        assertTrue(c.microsPerPacket().get("slow") > c.microsPerPacket().get("split"), c.toString());
        assertEquals("split", c.factory().get().name());
    }

    @Test
    void aProviderIsTimedByTheWorkItDoesNotByTheTimeItWaits() {
        // On the wall clock "waiting" costs 100 us more a packet, several times what "slow"'s extra work costs;
        // in CPU time it is the split provider's work alone, a third of "slow"'s.
        Map<String, Supplier<TransportAead>> candidates = new LinkedHashMap<>();
        candidates.put("slow", CiphersTest::slow);
        candidates.put("waiting", CiphersTest::waiting);
        Ciphers.Choice c = Ciphers.choose(null, candidates);
        assertEquals("waiting", c.name(), c.toString());
    }

    @Test
    void onlyNativeProvidersAreTimedWhereThereAreAnyAndAllOthersElsewhere() {
        Supplier<TransportAead> any = () -> TransportAeads.create("split");
        Map<String, Supplier<TransportAead>> all = new LinkedHashMap<>();
        all.put("openssl", any);
        all.put("sodium", any);
        all.put("jdk", any);
        all.put("split", any);
        assertEquals(java.util.List.of("openssl", "sodium"), java.util.List.copyOf(Ciphers.toTime(all).keySet()));
        all.remove("openssl");
        assertEquals(java.util.List.of("sodium"), java.util.List.copyOf(Ciphers.toTime(all).keySet()));
        all.remove("sodium");
        assertEquals(java.util.List.of("jdk", "split"), java.util.List.copyOf(Ciphers.toTime(all).keySet()));
    }

    @Test
    void aForcedProviderIsTakenUntimedAndAnUnknownOneFailsAtOnce() {
        Ciphers.Choice c = Ciphers.choose("bouncycastle", Ciphers.available());
        assertEquals("bouncycastle", c.name());
        assertEquals(Map.of(), c.microsPerPacket());
        assertEquals("bouncycastle", c.factory().get().name());
        assertThrows(IllegalArgumentException.class, () -> Ciphers.choose("rot13", Ciphers.available()));
    }

    @Test
    void everyProviderThisMachineHasSealsWhatTheOthersOpen() {
        Map<String, Supplier<TransportAead>> all = Ciphers.available();
        assertTrue(all.keySet().containsAll(java.util.List.of("jdk", "split")), all.keySet().toString());
        byte[] key = new byte[32];
        new java.util.Random(3).nextBytes(key);
        long counter = 41;
        for (Map.Entry<String, Supplier<TransportAead>> sealer : all.entrySet()) {
            ByteBuffer sealed = ByteBuffer.allocateDirect(1436);
            sealer.getValue().get().seal(key, counter, ByteBuffer.allocateDirect(1420), sealed);
            for (Map.Entry<String, Supplier<TransportAead>> opener : all.entrySet()) {
                assertEquals(1420, opener.getValue().get().open(key, counter, sealed.duplicate().flip(),
                        ByteBuffer.allocateDirect(1420)), sealer.getKey() + " sealed, " + opener.getKey() + " opened");
            }
            counter++;
        }
    }
}
