package dev.skein.tools.e2e;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.Random;

/**
 * Sends hostile datagrams to a node: every size from 0 to 1500 bytes of random data, then the same sizes with a
 * valid-looking WireGuard type field (1-4) in front. {@code ADDRESS PORT}. Bounded: 3002 datagrams.
 */
public final class UdpGarbage {
    public static void main(String[] args) throws Exception {
        InetAddress to = InetAddress.getByName(args[0]);
        int port = Integer.parseInt(args[1]);
        Random random = new Random(1);
        try (DatagramSocket s = new DatagramSocket()) {
            for (int pass = 0; pass < 2; pass++) {
                for (int size = 0; size <= 1500; size++) {
                    byte[] b = new byte[size];
                    random.nextBytes(b);
                    if (pass == 1 && size >= 4) {
                        b[0] = (byte) (1 + size % 4);
                        b[1] = b[2] = b[3] = 0;
                    }
                    s.send(new DatagramPacket(b, size, to, port));
                    if (size % 100 == 0) {
                        Thread.sleep(1); // let the receiver keep up: we test robustness, not loss
                    }
                }
            }
        }
        System.out.println("sent 3002 datagrams");
    }
}
