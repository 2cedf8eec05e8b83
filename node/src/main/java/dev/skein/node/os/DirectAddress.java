package dev.skein.node.os;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;

/**
 * The native address of a buffer's position, for a native call. The data plane passes the same few direct
 * buffers again and again, so the last one's address is remembered; a heap buffer goes through a direct copy
 * of its own (and {@link #copyBack} returns what the call wrote there). One per thread and argument.
 */
final class DirectAddress {
    private ByteBuffer last;
    private long lastAddress;
    private ByteBuffer copy;
    private long copyAddress;
    private boolean copied;

    /** The address of {@code b}'s position; a heap buffer's next {@code length} bytes are copied first. */
    long of(ByteBuffer b, int length) {
        copied = !b.isDirect();
        if (copied) {
            if (copy == null || copy.capacity() < length) {
                copy = ByteBuffer.allocateDirect(Math.max(length, 2048));
                copyAddress = Pointer.nativeValue(Native.getDirectBufferPointer(copy));
            }
            copy.put(0, b, b.position(), Math.min(length, b.remaining()));
            return copyAddress;
        }
        if (b != last) {
            last = b;
            lastAddress = Pointer.nativeValue(Native.getDirectBufferPointer(b));
        }
        return lastAddress + b.position();
    }

    /** After a call that wrote {@code length} bytes at the address {@link #of} gave: into a heap buffer too. */
    void copyBack(ByteBuffer b, int length) {
        if (copied) {
            b.put(b.position(), copy, 0, length);
        }
    }
}
