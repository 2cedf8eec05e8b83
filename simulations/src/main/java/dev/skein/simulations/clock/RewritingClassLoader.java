package dev.skein.simulations.clock;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;

/**
 * Loads the simulation (Skein, Atomix and the libraries they use) a second time, from the same class path, with
 * Atomix's and Skein's classes rewritten by {@link TimeRewriter}: the same code, keeping time on the
 * {@link VirtualClock}. The JDK, logging and this package stay with the parent, so both worlds share one clock
 * and one log. Nothing loaded here is loaded by the parent, so the simulation's classes see only each other.
 */
public final class RewritingClassLoader extends ClassLoader {
    static {
        registerAsParallelCapable();
    }

    /** Packages both worlds share, loaded by the parent as they are. */
    private static final String[] SHARED = {"java.", "javax.", "jdk.", "sun.", "com.sun.", "org.slf4j.",
        "ch.qos.logback.", "org.objectweb.asm.", "dev.skein.simulations.clock."};
    /** Packages whose classes are rewritten. */
    private static final String[] REWRITTEN = {"io.atomix.", "dev.skein."};

    public RewritingClassLoader(ClassLoader parent) {
        super("virtual-time", parent);
    }

    private static boolean startsWithAny(String name, String[] prefixes) {
        for (String p : prefixes) {
            if (name.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (startsWithAny(name, SHARED)) {
            return super.loadClass(name, resolve);
        }
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                URL resource = getParent().getResource(name.replace('.', '/') + ".class");
                if (resource == null) {
                    return super.loadClass(name, resolve);
                }
                byte[] bytes;
                try (InputStream in = resource.openStream()) {
                    bytes = in.readAllBytes();
                } catch (IOException e) {
                    throw new ClassNotFoundException(name, e);
                }
                if (startsWithAny(name, REWRITTEN)) {
                    bytes = TimeRewriter.rewrite(bytes);
                }
                c = defineClass(name, bytes, 0, bytes.length);
            }
            if (resolve) {
                resolveClass(c);
            }
            return c;
        }
    }
}
