package dev.skein.node.os;

import java.lang.invoke.MethodHandle;
import java.lang.reflect.Array;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Downcall handles into one native library through the Foreign Function API (JDK 22+). Skein is compiled for
 * Java 17, which has no {@code java.lang.foreign}: the handles are built by reflection, once, and called with
 * {@code invokeExact}, which compiles to a plain call with any JDK's bytecode. Callers keep them in static
 * finals so that the JIT treats them as constants. Pointers travel as {@code long}: the C calling convention
 * passes both alike. Every handle is "critical": for short calls that never block nor call back into Java, so
 * no thread-state transition is paid.
 */
final class Downcalls {
    private final Class<?> layout;
    private final Class<?> valueLayout;
    private final Class<?> descriptor;
    private final Class<?> segment;
    private final Class<?> option;
    private final Class<?> lookup;
    private final Class<?> linkerType;
    private final Object linker;
    private final Object library;

    /**
     * Looks up the library at {@code path}, or by that name through the system's loader (the file or name JNA
     * found, so that both bindings call the same code).
     *
     * @throws ReflectiveOperationException on a JDK before 22, or where native access is denied
     */
    Downcalls(String path) throws ReflectiveOperationException {
        linkerType = Class.forName("java.lang.foreign.Linker");
        Class<?> arena = Class.forName("java.lang.foreign.Arena");
        lookup = Class.forName("java.lang.foreign.SymbolLookup");
        layout = Class.forName("java.lang.foreign.MemoryLayout");
        valueLayout = Class.forName("java.lang.foreign.ValueLayout");
        descriptor = Class.forName("java.lang.foreign.FunctionDescriptor");
        segment = Class.forName("java.lang.foreign.MemorySegment");
        option = Class.forName("java.lang.foreign.Linker$Option");
        linker = linkerType.getMethod("nativeLinker").invoke(null);
        Object global = arena.getMethod("global").invoke(null);
        // JNA gives a path when it found the file itself, a bare name when the system's loader did: dlopen that.
        library = Path.of(path).isAbsolute()
                ? lookup.getMethod("libraryLookup", Path.class, arena).invoke(null, Path.of(path), global)
                : lookup.getMethod("libraryLookup", String.class, arena).invoke(null, path, global);
    }

    /**
     * The function {@code name} as a handle of type ({@code args}) to {@code returns}; each of them
     * {@code long.class} (a pointer, or a size_t), {@code int.class}, or for the return also {@code void.class}.
     */
    MethodHandle handle(String name, Class<?> returns, Class<?>... args) throws ReflectiveOperationException {
        Object symbol = ((Optional<?>) lookup.getMethod("find", String.class).invoke(library, name)).orElseThrow();
        Object argLayouts = Array.newInstance(layout, args.length);
        for (int i = 0; i < args.length; i++) {
            Array.set(argLayouts, i, valueLayout(args[i]));
        }
        Object function = returns == void.class
                ? descriptor.getMethod("ofVoid", argLayouts.getClass()).invoke(null, argLayouts)
                : descriptor.getMethod("of", layout, argLayouts.getClass()).invoke(null, valueLayout(returns), argLayouts);
        Object options = Array.newInstance(option, 1);
        Array.set(options, 0, option.getMethod("critical", boolean.class).invoke(null, false));
        // Through the public interface: the linker's own class is internal to the JDK, and not ours to call.
        return (MethodHandle) linkerType.getMethod("downcallHandle", segment, descriptor, options.getClass())
                .invoke(linker, symbol, function, options);
    }

    private Object valueLayout(Class<?> type) throws ReflectiveOperationException {
        if (type == long.class) {
            return valueLayout.getField("JAVA_LONG").get(null);
        }
        if (type == int.class) {
            return valueLayout.getField("JAVA_INT").get(null);
        }
        throw new IllegalArgumentException("no layout for " + type);
    }
}
