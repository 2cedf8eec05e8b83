package dev.skein.tools.e2e;

import dev.skein.node.os.UdpSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Sends one datagram per hop limit given, through the data plane's own socket: {@code ADDRESS PORT HOPS...}, each
 * carrying "hops=N". Bounded: one datagram per argument, 50 ms apart.
 */
public final class HopLimitedSend {
    public static void main(String[] args) throws Exception {
        InetSocketAddress to = new InetSocketAddress(InetAddress.getByName(args[0]), Integer.parseInt(args[1]));
        try (UdpSocket socket = UdpSocket.open(0, false)) {
            for (int i = 2; i < args.length; i++) {
                int hops = Integer.parseInt(args[i]);
                socket.sendHopLimited(ByteBuffer.wrap(("hops=" + hops).getBytes(StandardCharsets.US_ASCII)), to, hops);
                Thread.sleep(50);
            }
        }
        System.out.println("sent " + (args.length - 2) + " datagrams");
    }
}
