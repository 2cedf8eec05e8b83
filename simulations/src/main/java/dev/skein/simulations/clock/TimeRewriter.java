package dev.skein.simulations.clock;

import java.util.Map;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Handle;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Rewrites one class so that it keeps time on the {@link VirtualClock}: each call in {@link #CALLS} becomes a
 * call to {@link VirtualTime}'s method of the same name and signature (an instance method's receiver becomes
 * the first argument), method references included; and {@code new ScheduledThreadPoolExecutor(..)} becomes
 * {@code new VirtualExecutor(..)}. One more call is redirected to save the host's time, not to keep virtual time:
 * Ed25519 signature checks go to {@link SharedSignatureChecks}. Nothing else in the class changes, so its stack
 * map frames stay valid.
 */
public final class TimeRewriter {
    private static final String VT = "dev/skein/simulations/clock/VirtualTime";
    private static final String STPE = "java/util/concurrent/ScheduledThreadPoolExecutor";
    private static final String VE = "dev/skein/simulations/clock/VirtualExecutor";
    private static final String CF = "java/util/concurrent/CompletableFuture";
    private static final String EX = "java/util/concurrent/Executors";
    private static final String TF = "Ljava/util/concurrent/ThreadFactory;";
    private static final String SES = "Ljava/util/concurrent/ScheduledExecutorService;";
    private static final String ES = "Ljava/util/concurrent/ExecutorService;";
    private static final String TU = "Ljava/util/concurrent/TimeUnit;";

    /** owner.name+descriptor as called, to VirtualTime's method name. */
    private static final Map<String, String> CALLS = Map.ofEntries(
            Map.entry("java/lang/System.nanoTime()J", "nanoTime"),
            Map.entry("java/lang/System.currentTimeMillis()J", "currentTimeMillis"),
            Map.entry("java/time/Instant.now()Ljava/time/Instant;", "now"),
            Map.entry("java/time/Clock.systemUTC()Ljava/time/Clock;", "systemUTC"),
            Map.entry("java/lang/Thread.sleep(J)V", "sleep"),
            Map.entry("java/lang/Thread.onSpinWait()V", "onSpinWait"),
            Map.entry(EX + ".newSingleThreadScheduledExecutor()" + SES, "newSingleThreadScheduledExecutor"),
            Map.entry(EX + ".newSingleThreadScheduledExecutor(" + TF + ")" + SES, "newSingleThreadScheduledExecutor"),
            Map.entry(EX + ".newScheduledThreadPool(I)" + SES, "newScheduledThreadPool"),
            Map.entry(EX + ".newScheduledThreadPool(I" + TF + ")" + SES, "newScheduledThreadPool"),
            Map.entry(EX + ".newSingleThreadExecutor()" + ES, "newSingleThreadExecutor"),
            Map.entry(EX + ".newSingleThreadExecutor(" + TF + ")" + ES, "newSingleThreadExecutor"),
            Map.entry(EX + ".newFixedThreadPool(I)" + ES, "newFixedThreadPool"),
            Map.entry(EX + ".newFixedThreadPool(I" + TF + ")" + ES, "newFixedThreadPool"),
            Map.entry(EX + ".newCachedThreadPool()" + ES, "newCachedThreadPool"),
            Map.entry(EX + ".newCachedThreadPool(" + TF + ")" + ES, "newCachedThreadPool"),
            Map.entry(CF + ".delayedExecutor(J" + TU + ")Ljava/util/concurrent/Executor;", "delayedExecutor"),
            Map.entry(CF + ".delayedExecutor(J" + TU + "Ljava/util/concurrent/Executor;)Ljava/util/concurrent/Executor;",
                    "delayedExecutor"),
            Map.entry(CF + ".supplyAsync(Ljava/util/function/Supplier;)L" + CF + ";", "supplyAsync"),
            Map.entry(CF + ".runAsync(Ljava/lang/Runnable;)L" + CF + ";", "runAsync"),
            Map.entry(CF + ".get()Ljava/lang/Object;", "get"),
            Map.entry(CF + ".get(J" + TU + ")Ljava/lang/Object;", "get"),
            Map.entry(CF + ".join()Ljava/lang/Object;", "join"),
            Map.entry("java/util/concurrent/Future.get()Ljava/lang/Object;", "futureGet"),
            Map.entry("java/util/concurrent/Future.get(J" + TU + ")Ljava/lang/Object;", "futureGet"),
            Map.entry("java/util/concurrent/ScheduledFuture.get()Ljava/lang/Object;", "futureGet"),
            Map.entry("java/util/concurrent/ScheduledFuture.get(J" + TU + ")Ljava/lang/Object;", "futureGet"));

    /** Static calls redirected to a static method of the same name and signature in another class. */
    private static final Map<String, String> REDIRECTS = Map.of(
            "dev/skein/protocol/crypto/Ed25519Keys.verify([B[B[B)Z", "dev/skein/simulations/clock/SharedSignatureChecks");

    private TimeRewriter() {
    }

    /** The class file {@code original} with its time and executors on the virtual clock. */
    public static byte[] rewrite(byte[] original) {
        ClassReader reader = new ClassReader(original);
        ClassWriter writer = new ClassWriter(reader, 0);
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                return new Calls(super.visitMethod(access, name, descriptor, signature, exceptions));
            }
        }, 0);
        return writer.toByteArray();
    }

    /** VirtualTime's static signature for a call: an instance method's receiver goes first. */
    private static String staticDescriptor(boolean instance, String owner, String descriptor) {
        return instance ? "(L" + (owner.equals("java/util/concurrent/ScheduledFuture")
                ? "java/util/concurrent/Future" : owner) + ";" + descriptor.substring(1) : descriptor;
    }

    private static final class Calls extends MethodVisitor {
        /** {@code new ScheduledThreadPoolExecutor} seen whose constructor call is still to come. */
        private int pendingNew;

        Calls(MethodVisitor next) {
            super(Opcodes.ASM9, next);
        }

        @Override
        public void visitTypeInsn(int opcode, String type) {
            if (opcode == Opcodes.NEW && type.equals(STPE)) {
                pendingNew++;
                type = VE;
            }
            super.visitTypeInsn(opcode, type);
        }

        @Override
        public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
            if (opcode == Opcodes.INVOKESPECIAL && owner.equals(STPE) && name.equals("<init>") && pendingNew > 0) {
                pendingNew--;
                super.visitMethodInsn(opcode, VE, name, descriptor, false);
                return;
            }
            String redirect = REDIRECTS.get(owner + "." + name + descriptor);
            if (redirect != null && opcode == Opcodes.INVOKESTATIC) {
                super.visitMethodInsn(opcode, redirect, name, descriptor, false);
                return;
            }
            String to = CALLS.get(owner + "." + name + descriptor);
            if (to != null && opcode != Opcodes.INVOKESPECIAL) {
                super.visitMethodInsn(Opcodes.INVOKESTATIC, VT, to,
                        staticDescriptor(opcode != Opcodes.INVOKESTATIC, owner, descriptor), false);
                return;
            }
            super.visitMethodInsn(opcode, owner, name, descriptor, isInterface);
        }

        @Override
        public void visitInvokeDynamicInsn(String name, String descriptor, Handle bootstrap, Object... arguments) {
            Object[] args = arguments.clone();
            for (int i = 0; i < args.length; i++) {
                if (args[i] instanceof Handle h) {
                    String to = CALLS.get(h.getOwner() + "." + h.getName() + h.getDesc());
                    boolean call = h.getTag() == Opcodes.H_INVOKESTATIC || h.getTag() == Opcodes.H_INVOKEVIRTUAL
                            || h.getTag() == Opcodes.H_INVOKEINTERFACE;
                    if (to != null && call) {
                        args[i] = new Handle(Opcodes.H_INVOKESTATIC, VT, to, staticDescriptor(
                                h.getTag() != Opcodes.H_INVOKESTATIC, h.getOwner(), h.getDesc()), false);
                    }
                }
            }
            super.visitInvokeDynamicInsn(name, descriptor, bootstrap, args);
        }
    }
}
