package dev.skein.tools.e2e;

import dev.skein.node.offload.VirtioNetHeader;
import dev.skein.node.os.Tun;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The internet's delay, for a namespace that routes between sites: every packet the kernel routes into the TUN
 * device {@code NAME} comes back out of it {@code DELAY_MS} later, and the kernel routes it on (a policy rule
 * sends what enters from the device to the real routes). The namespaces' kernels have no netem here, and hole
 * punching through NATs depends on there being a delay between the two routers, as there always is between
 * two sites.
 *
 * <p>Bounded: at most {@value #CAPACITY} packets held (more are dropped and counted), and the process ends
 * after {@code SECONDS}. Usage: {@code DelayLine NAME DELAY_MS SECONDS}; prints "ready" once the device exists.
 */
public final class DelayLine {
    private static final int CAPACITY = 8192;

    private record Held(byte[] packet, long due) {}

    public static void main(String[] args) throws Exception {
        String name = args[0];
        long delay = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(args[1]));
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[2]));
        Tun tun = Tun.open(name, false);
        BlockingQueue<Held> held = new ArrayBlockingQueue<>(CAPACITY);
        AtomicLong dropped = new AtomicLong();
        Thread writer = new Thread(() -> {
            ByteBuffer out = ByteBuffer.allocateDirect(65536);
            try {
                while (true) {
                    Held h = held.take();
                    for (long wait; (wait = h.due - System.nanoTime()) > 0; ) {
                        LockSupport.parkNanos(wait);
                    }
                    out.clear();
                    out.put(h.packet).flip();
                    tun.write(out);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "delay-writer");
        writer.setDaemon(true);
        writer.start();
        System.out.println("ready");
        System.out.flush();
        ByteBuffer in = ByteBuffer.allocateDirect(65536);
        VirtioNetHeader none = new VirtioNetHeader();
        while (System.nanoTime() < end) {
            in.clear();
            int n = tun.read(in, none, true);
            if (n < 0) {
                break;
            }
            if (n == 0) {
                continue;
            }
            byte[] packet = new byte[n];
            in.get(in.position(), packet);
            if (!held.offer(new Held(packet, System.nanoTime() + delay))) {
                dropped.incrementAndGet();
            }
        }
        System.out.println("dropped " + dropped.get());
        tun.close();
        System.exit(0);
    }
}
