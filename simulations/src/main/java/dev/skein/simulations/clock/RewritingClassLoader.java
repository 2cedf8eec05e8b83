package dev.skein.simulations.clock;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;

/**
 * Loads the simulation (Skein, Atomix and the libraries they use) a second time, from the same class path, with
 * Atomix's and Skein's classes rewritten by {@link TimeRewriter}: the same code, keeping time on the
 * {@link VirtualClock}, and the log with them, so that its lines carry simulated time. The JDK and this package
 * stay with the parent, so both worlds share one clock. Nothing loaded here is loaded by the parent, so the
 * simulation's classes see only each other.
 */
public final class RewritingClassLoader extends ClassLoader {
    static {
        registerAsParallelCapable();
    }

    /** Packages both worlds share, loaded by the parent as they are. */
    private static final String[] SHARED = {"java.", "javax.", "jdk.", "sun.", "com.sun.", "org.objectweb.asm.",
        "dev.skein.simulations.clock."};
    /**
     * Packages whose classes are rewritten: the simulated code, and the log, so that each line carries the
     * simulated time at which it was written.
     */
    private static final String[] REWRITTEN = {"io.atomix.", "dev.skein.", "ch.qos.logback.", "org.slf4j."};

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

    /**
     * True if the JDK itself has the class (a jar may bundle copies of JDK packages, such as org.xml.sax in
     * skein.jar): the JDK's own classes refer to theirs, so there must be only one.
     */
    private static boolean platform(String name) {
        try {
            ClassLoader.getPlatformClassLoader().loadClass(name);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (startsWithAny(name, SHARED) || platform(name)) {
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
