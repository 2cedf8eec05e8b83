package dev.skein.tools.e2e;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.FileInputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * An attacker on the underlay that recorded a node's datagrams ({@code tcpdump -w}, Ethernet, IPv4) and sends
 * those of one message type again, byte for byte, from the node's own address and port, to where they first went.
 * {@code PCAP TYPE BIND-ADDRESS BIND-PORT}. Then listens 2 s and reports how many datagrams came back. Bounded:
 * the file's datagrams, at most 1000, 2 ms apart.
 */
public final class Replay {
    public static void main(String[] args) throws Exception {
        List<DatagramPacket> recorded = read(args[0], Integer.parseInt(args[1]));
        int answers = 0;
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(args[2], Integer.parseInt(args[3])))) {
            for (DatagramPacket p : recorded.subList(0, Math.min(recorded.size(), 1000))) {
                s.send(p);
                Thread.sleep(2);
            }
            s.setSoTimeout(2000);
            byte[] buf = new byte[2048];
            try {
                while (answers < 1000) {
                    s.receive(new DatagramPacket(buf, buf.length));
                    answers++;
                }
            } catch (SocketTimeoutException e) {
                // quiet for 2 s: done
            }
        }
        System.out.println("replayed " + recorded.size() + " datagrams, " + answers + " answers");
    }

    /** The UDP payloads in a pcap file whose first byte is {@code type}, addressed as they were recorded. */
    private static List<DatagramPacket> read(String file, int type) throws IOException {
        List<DatagramPacket> out = new ArrayList<>();
        try (DataInputStream in = new DataInputStream(new FileInputStream(file))) {
            byte[] header = in.readNBytes(24);
            ByteOrder order = (header[0] & 0xff) == 0xd4 || (header[0] & 0xff) == 0x4d
                    ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
            if (ByteBuffer.wrap(header).order(order).getInt(20) != 1) {
                throw new IOException("not an Ethernet capture");
            }
            while (true) {
                byte[] record = in.readNBytes(16);
                if (record.length < 16) {
                    return out;
                }
                int length = ByteBuffer.wrap(record).order(order).getInt(8);
                byte[] frame = in.readNBytes(length);
                if (frame.length < length) {
                    throw new EOFException("truncated capture");
                }
                ByteBuffer f = ByteBuffer.wrap(frame);
                if (length < 14 + 28 || f.getShort(12) != 0x0800 || frame[14 + 9] != 17) {
                    continue; // not UDP over IPv4
                }
                int ip = 14;
                int udp = ip + (frame[ip] & 0xf) * 4;
                int payload = udp + 8;
                if (payload >= length || (frame[payload] & 0xff) != type) {
                    continue;
                }
                InetAddress to = InetAddress.getByAddress(java.util.Arrays.copyOfRange(frame, ip + 16, ip + 20));
                int port = f.getShort(udp + 2) & 0xffff;
                out.add(new DatagramPacket(java.util.Arrays.copyOfRange(frame, payload, length), length - payload,
                        to, port));
            }
        }
    }
}
