package dev.skein.node.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** The server on loopback, without root: UDP and TCP, names as they change, floods held to their bounds. */
class DnsServerTest {
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    static byte[] query(String name) throws IOException {
        return Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN)).toWire();
    }

    static Message udp(DatagramSocket s, int port, String name) throws IOException {
        byte[] q = query(name);
        s.send(new DatagramPacket(q, q.length, new InetSocketAddress(LOOPBACK, port)));
        byte[] buffer = new byte[1500];
        DatagramPacket p = new DatagramPacket(buffer, buffer.length);
        s.receive(p);
        return new Message(java.util.Arrays.copyOf(buffer, p.getLength()));
    }

    static List<String> answers(Message m) {
        return m.getSection(Section.ANSWER).stream().map(Record::rdataToString).toList();
    }

    @Test
    void answersOverUdpAndTcpFromTheNamesOfTheMoment() throws IOException {
        AtomicReference<MeshNames> names = new AtomicReference<>(DnsAnswersTest.NAMES);
        try (DnsServer server = DnsServer.start(LOOPBACK, 0, names::get); DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(5000);
            assertEquals(List.of("100.64.0.3"), answers(udp(s, server.port(), "office.mesh.")));
            names.set(MeshNames.of("mesh", List.of())); // office left
            assertEquals(Rcode.NXDOMAIN, udp(s, server.port(), "office.mesh.").getRcode());
            names.set(DnsAnswersTest.NAMES);

            try (Socket t = new Socket(LOOPBACK, server.port())) {
                t.setSoTimeout(5000);
                DataOutputStream out = new DataOutputStream(t.getOutputStream());
                DataInputStream in = new DataInputStream(t.getInputStream());
                for (String name : List.of("home.mesh.", "office.mesh.")) { // two queries on one connection
                    byte[] q = query(name);
                    out.writeShort(q.length);
                    out.write(q);
                    out.flush();
                    byte[] reply = new byte[in.readUnsignedShort()];
                    in.readFully(reply);
                    assertEquals(1, answers(new Message(reply)).size(), name);
                }
            }
            assertEquals(4, server.counts().answered());
        }
    }

    @Test
    void aFloodFromOneSourceIsHeldToItsBudgetAndCountedAndTheServerAnswersAfterwards() throws Exception {
        try (DnsServer server = DnsServer.start(LOOPBACK, 0, () -> DnsAnswersTest.NAMES);
             DatagramSocket s = new DatagramSocket()) {
            byte[] q = query("office.mesh.");
            int sent = DnsServer.BURST * 3;
            for (int i = 0; i < sent; i++) { // as fast as the loop goes: far above the rate
                s.send(new DatagramPacket(q, q.length, new InetSocketAddress(LOOPBACK, server.port())));
            }
            s.setSoTimeout(500);
            int replies = 0;
            byte[] buffer = new byte[1500];
            try {
                while (true) {
                    s.receive(new DatagramPacket(buffer, buffer.length));
                    replies++;
                }
            } catch (SocketTimeoutException e) {
                // all in
            }
            DnsServer.Counts c = server.counts();
            assertTrue(replies < sent && replies <= DnsServer.BURST + DnsServer.QUERIES_PER_SECOND, replies + " replies");
            assertEquals(replies, c.answered());
            // Datagrams the socket's buffer did not keep are neither: so at most the rest were dropped for the rate.
            assertTrue(c.droppedRate() > 0 && c.answered() + c.droppedRate() <= sent, c.toString());
            Thread.sleep(1100); // the bucket refills
            s.setSoTimeout(5000);
            assertEquals(List.of("100.64.0.3"), answers(udp(s, server.port(), "office.mesh.")));
        }
    }

    @Test
    void idleTcpConnectionsBeyondTheBoundAreClosedAtOnceAndCounted() throws Exception {
        List<Socket> held = new ArrayList<>();
        try (DnsServer server = DnsServer.start(LOOPBACK, 0, () -> DnsAnswersTest.NAMES)) {
            for (int i = 0; i < DnsServer.TCP_CONNECTIONS; i++) {
                held.add(new Socket(LOOPBACK, server.port())); // each holds a handler, saying nothing
            }
            long deadline = System.nanoTime() + 5_000_000_000L;
            try (Socket extra = new Socket(LOOPBACK, server.port())) {
                extra.setSoTimeout(5000);
                assertEquals(-1, extra.getInputStream().read(), "closed without an answer");
            }
            while (server.counts().droppedBusy() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(1, server.counts().droppedBusy());
            for (Socket s : held) {
                s.close();
            }
            // The handlers free themselves once their clients go; a new connection is then served.
            deadline = System.nanoTime() + 5_000_000_000L;
            boolean served = false;
            while (!served && System.nanoTime() < deadline) {
                try (Socket t = new Socket(LOOPBACK, server.port())) {
                    t.setSoTimeout(2000);
                    byte[] q = query("home.mesh.");
                    DataOutputStream out = new DataOutputStream(t.getOutputStream());
                    out.writeShort(q.length);
                    out.write(q);
                    out.flush();
                    served = new DataInputStream(t.getInputStream()).readUnsignedShort() > 0;
                } catch (IOException e) {
                    Thread.sleep(50); // a handler not yet free: its connection was refused
                }
            }
            assertTrue(served);
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }
}
