package dev.skein.tools.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * A TCP transfer with a verified checksum, run inside namespaces by the tests:
 * {@code serve ADDRESS PORT} accepts one connection and prints the SHA-256 of what it read;
 * {@code send ADDRESS PORT BYTES SEED} sends that many pseudo-random bytes and prints their SHA-256.
 * Both exit after 60 s at the most.
 */
public final class TcpCheck {
    /**
     * Sends {@code bytes} over TCP from {@code fromNs} to {@code address} in {@code toNs} with this class on both
     * ends, and checks that the SHA-256 of what arrived is that of what was sent.
     */
    static void assertTransfer(Netns netns, Path dir, String fromNs, String toNs, String address,
                               long bytes) throws Exception {
        Path log = dir.resolve("tcp-" + System.nanoTime() + ".log");
        List<String> serve = SkeinProcess.command();
        serve.set(serve.size() - 1, TcpCheck.class.getName());
        serve.addAll(List.of("serve", address, "5201"));
        Process server = netns.start(toNs, serve, log);
        for (int i = 0; i < 100 && !Files.readString(log).contains("listening"); i++) {
            Thread.sleep(100);
        }
        List<String> send = SkeinProcess.command();
        send.set(send.size() - 1, TcpCheck.class.getName());
        Netns.Result sent = Netns.exec(fromNs, String.join(" ", send) + " send " + address + " 5201 " + bytes + " 7",
                90);
        assertEquals(0, sent.exit(), "sender: " + sent.output());
        assertTrue(server.waitFor(30, TimeUnit.SECONDS),
                "receiver did not finish");
        String received = Files.readString(log).lines().filter(l -> l.startsWith(bytes + " "))
                .findFirst().orElse("?");
        assertEquals(sent.output().trim(), received,
                "what arrived is not what was sent");
    }

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
