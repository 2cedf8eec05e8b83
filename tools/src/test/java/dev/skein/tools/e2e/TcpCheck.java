package dev.skein.tools.e2e;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

/**
 * A TCP transfer with a verified checksum, run inside namespaces by the tests:
 * {@code serve ADDRESS PORT} accepts one connection and prints the SHA-256 of what it read;
 * {@code send ADDRESS PORT BYTES SEED} sends that many pseudo-random bytes and prints their SHA-256.
 * Both exit after 60 s at the most.
 */
public final class TcpCheck {
    public static void main(String[] args) throws Exception {
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("TcpCheck: gave up after 60 s");
            System.exit(3);
        });
        watchdog.setDaemon(true);
        watchdog.start();
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[65536];
        if (args[0].equals("serve")) {
            try (ServerSocket server = new ServerSocket()) {
                server.bind(new InetSocketAddress(InetAddress.getByName(args[1]), Integer.parseInt(args[2])));
                System.out.println("listening");
                System.out.flush();
                try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
                    long total = 0;
                    for (int n; (n = in.read(buf)) > 0; ) {
                        sha.update(buf, 0, n);
                        total += n;
                    }
                    System.out.println(total + " " + HexFormat.of().formatHex(sha.digest()));
                }
            }
        } else {
            long bytes = Long.parseLong(args[3]);
            Random random = new Random(Long.parseLong(args[4]));
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getByName(args[1]), Integer.parseInt(args[2])), 10_000);
                OutputStream out = s.getOutputStream();
                for (long sent = 0; sent < bytes; ) {
                    int n = (int) Math.min(buf.length, bytes - sent);
                    random.nextBytes(buf);
                    out.write(buf, 0, n);
                    sha.update(buf, 0, n);
                    sent += n;
                }
                s.shutdownOutput();
            }
            System.out.println(bytes + " " + HexFormat.of().formatHex(sha.digest()));
        }
    }
}
