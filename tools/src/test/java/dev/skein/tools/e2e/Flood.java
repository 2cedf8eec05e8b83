package dev.skein.tools.e2e;

import dev.skein.protocol.cookie.CookieGenerator;
import dev.skein.protocol.crypto.Curve25519;
import dev.skein.protocol.noise.Layout;
import dev.skein.protocol.wire.Bytes;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.Random;

/**
 * A stranger's flood against a node's data port, bounded in rate and time:
 * {@code ADDRESS PORT RATE SECONDS NODE_PUBLIC_KEY_BASE64}. A quarter each of random garbage (0-1500 bytes), type 1
 * initiations of the right size with a wrong MAC1, type 1 initiations with a valid MAC1 (anyone who knows the
 * node's public key, which certificates publish, can make them) whose contents are random, and type 5 join
 * messages of exactly the join size with random contents. Source ports vary (four sockets), as a real flood's
 * would. Prints how many it sent.
 */
public final class Flood {
    public static void main(String[] args) throws Exception {
        InetAddress to = InetAddress.getByName(args[0]);
        int port = Integer.parseInt(args[1]);
        int rate = Math.min(20_000, Integer.parseInt(args[2]));
        int seconds = Math.min(120, Integer.parseInt(args[3]));
        CookieGenerator macs = new CookieGenerator(Curve25519.decodeBase64(args[4]));
        Random random = new Random(7);
        DatagramSocket[] sockets = new DatagramSocket[4];
        for (int i = 0; i < sockets.length; i++) {
            sockets[i] = new DatagramSocket();
        }
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        long sent = 0;
        try {
            while (System.nanoTime() < end) {
                // Pace: never ahead of RATE per second since the start.
                long due = (System.nanoTime() - start) * rate / 1_000_000_000L;
                if (sent >= due) {
                    Thread.sleep(1);
                    continue;
                }
                byte[] b = datagram((int) (sent % 4), random, macs);
                sockets[(int) (sent / 4 % sockets.length)].send(new DatagramPacket(b, b.length, to, port));
                sent++;
            }
        } finally {
            for (DatagramSocket s : sockets) {
                s.close();
            }
        }
        System.out.println("sent " + sent + " datagrams in " + seconds + " s");
    }

    private static byte[] datagram(int kind, Random random, CookieGenerator macs) {
        byte[] b;
        switch (kind) {
            case 0 -> {
                b = new byte[random.nextInt(1501)];
                random.nextBytes(b);
            }
            case 1, 2 -> {
                b = new byte[Layout.INITIATION_SIZE];
                random.nextBytes(b);
                Bytes.putIntLE(b, 0, 1);
                if (kind == 2) {
                    macs.addMacs(b, 0, b.length, System.nanoTime());
                }
            }
            default -> {
                b = new byte[1200];
                random.nextBytes(b);
                Bytes.putIntLE(b, 0, 5);
            }
        }
        return b;
    }
}
