package dev.skein.node.membership;

import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Ports on loopback for the tests that start Atomix's real services. */
final class LoopbackPorts {
    private LoopbackPorts() {
    }

    /** A port free for TCP and UDP alike: a gossip layer listens on both with one number, as Atomix's services do. */
    static int freeForTcpAndUdp() throws Exception {
        for (int i = 0; i < 20; i++) {
            try (ServerSocket tcp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                 DatagramSocket udp = new DatagramSocket(tcp.getLocalPort(), InetAddress.getLoopbackAddress())) {
                return tcp.getLocalPort();
            } catch (BindException e) {
                // taken for UDP: try another
            }
        }
        throw new IllegalStateException("no port free for both TCP and UDP");
    }
}
