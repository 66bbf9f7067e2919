package dev.distil4j.kernels;

import java.util.function.Consumer;

/** Chooses the kernels once per JVM (a constant, not mutable state). */
final class KernelSelection {
    /**
     * Said once, as a warning on the {@code dev.distil4j.kernels} {@link System.Logger}, when the
     * Vector API is missing and nobody chose the scalar kernels: everything still works, only slower,
     * and the fix is one JVM option a library user cannot guess from a silent slowdown.
     */
    static final String SCALAR_FALLBACK = "the jdk.incubator.vector module is not in this JVM, so distil4j runs its scalar "
            + "kernels (slower); start the JVM with --add-modules jdk.incubator.vector, or set -Ddistil4j.kernels=scalar to "
            + "choose them without this warning";

    static final Kernels BEST = choose(System.getProperty("distil4j.kernels", "auto"), vectorModulePresent(),
            message -> System.getLogger(KernelSelection.class.getPackageName()).log(System.Logger.Level.WARNING, message));

    private KernelSelection() {}

    static boolean vectorModulePresent() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /** {@code wanted} in this JVM, for tests: no warning. */
    static Kernels choose(String wanted) {
        return choose(wanted, vectorModulePresent(), message -> {});
    }

    /**
     * @param wanted        scalar, vector or auto (the {@code distil4j.kernels} property)
     * @param vectorPresent whether the JVM has {@code jdk.incubator.vector}
     * @param warn          told {@link #SCALAR_FALLBACK} when auto falls back to the scalar kernels
     */
    static Kernels choose(String wanted, boolean vectorPresent, Consumer<String> warn) {
        return switch (wanted) {
            case "scalar" -> ScalarKernels.INSTANCE;
            case "vector" -> {
                if (!vectorPresent) {
                    throw new IllegalStateException("distil4j.kernels=vector needs --add-modules jdk.incubator.vector");
                }
                yield VectorKernels.create();
            }
            case "auto" -> {
                if (vectorPresent) yield VectorKernels.create();
                warn.accept(SCALAR_FALLBACK);
                yield ScalarKernels.INSTANCE;
            }
            default -> throw new IllegalArgumentException("distil4j.kernels must be scalar, vector or auto, not " + wanted);
        };
    }
}
