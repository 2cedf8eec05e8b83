package dev.skein.node.control;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** The control socket's framing: a 4-byte big-endian length, then that many bytes of protobuf. */
public final class Framing {
    /** Far above any real answer (a peers list of thousands), far below what could hurt. */
    public static final int MAX_MESSAGE = 16 << 20;

    private Framing() {}

    public static void write(OutputStream out, byte[] message) throws IOException {
        DataOutputStream d = new DataOutputStream(out);
        d.writeInt(message.length);
        d.write(message);
        d.flush();
    }

    public static byte[] read(InputStream in) throws IOException {
        DataInputStream d = new DataInputStream(in);
        int n = d.readInt();
        if (n < 0 || n > MAX_MESSAGE) {
            throw new IOException("bad control message length " + n);
        }
        return d.readNBytes(n);
    }
}
