package dev.skein.node.os;

import com.sun.jna.LastErrorException;
import com.sun.jna.Pointer;

/**
 * SIGHUP for a node started with it ignored. A process started under {@code nohup} (or by a supervisor or shell
 * that ignores SIGHUP) inherits SIG_IGN, and the JVM then declines to install a handler for it: {@code
 * sun.misc.Signal.handle} returns {@code SIG_IGN} and a later {@code kill -HUP} is silently dropped, so `skein up`'s
 * documented reload on SIGHUP would do nothing. Setting the disposition back to the default lets the JVM take it.
 * A hangup then reloads the configuration instead of stopping the node, which keeps what nohup was asked for.
 */
public final class HangupSignal {
    private static final int SIGHUP = 1;

    private HangupSignal() {}

    /** Sets SIGHUP's disposition back to SIG_DFL; the caller installs its handler right after. */
    public static void restoreDefault() {
        try {
            LibC.Setup.INSTANCE.signal(SIGHUP, Pointer.NULL);
        } catch (LastErrorException e) {
            throw new IllegalStateException("signal(SIGHUP, SIG_DFL) failed: errno " + e.getErrorCode());
        }
    }
}
