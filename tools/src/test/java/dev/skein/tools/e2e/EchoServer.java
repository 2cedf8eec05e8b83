package dev.skein.tools.e2e;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Services for the firewall tests, run inside a namespace: {@code ADDRESS TCP_PORT UDP_PORT} echoes every line of
 * every TCP connection and every UDP datagram back to its sender. Exits after 120 s at the most.
 */
public final class EchoServer {
    /** Starts the server in {@code ns} and waits until both ports listen. */
    static Process start(Netns netns, String ns, String address, int tcpPort, int udpPort, Path log) throws Exception {
        List<String> command = SkeinProcess.command();
        command.set(command.size() - 1, EchoServer.class.getName());
        command.addAll(List.of(address, Integer.toString(tcpPort), Integer.toString(udpPort)));
        Process p = netns.start(ns, command, log);
        for (int i = 0; i < 100 && !Files.readString(log).contains("listening"); i++) {
            Thread.sleep(100);
        }
        return p;
    }

    public static void main(String[] args) throws Exception {
        InetAddress address = InetAddress.getByName(args[0]);
        try (ServerSocket tcp = new ServerSocket(); DatagramSocket udp = new DatagramSocket(null)) {
            tcp.bind(new InetSocketAddress(address, Integer.parseInt(args[1])));
            udp.bind(new InetSocketAddress(address, Integer.parseInt(args[2])));
            Thread datagrams = new Thread(() -> {
                byte[] buf = new byte[2048];
                while (true) {
                    try {
                        DatagramPacket d = new DatagramPacket(buf, buf.length);
                        udp.receive(d);
                        udp.send(new DatagramPacket(d.getData(), d.getLength(), d.getSocketAddress()));
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            datagrams.setDaemon(true);
            datagrams.start();
            Thread connections = new Thread(() -> {
                while (true) {
                    try {
                        Socket s = tcp.accept();
                        Thread t = new Thread(() -> echo(s));
                        t.setDaemon(true);
                        t.start();
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            connections.setDaemon(true);
            connections.start();
            System.out.println("listening");
            System.out.flush();
            Thread.sleep(120_000);
        }
    }

    private static void echo(Socket s) {
        try (s; BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))) {
            OutputStream out = s.getOutputStream();
            for (String line; (line = in.readLine()) != null; ) {
                out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (Exception e) {
            // the client went away
        }
    }
}
