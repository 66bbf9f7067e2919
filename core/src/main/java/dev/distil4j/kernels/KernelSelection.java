package dev.distil4j.kernels;

/** Chooses the kernels once per JVM (a constant, not mutable state). */
final class KernelSelection {
    static final Kernels BEST = choose(System.getProperty("distil4j.kernels", "auto"));

    private KernelSelection() {}

    static boolean vectorModulePresent() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    static Kernels choose(String wanted) {
        return switch (wanted) {
            case "scalar" -> ScalarKernels.INSTANCE;
            case "vector" -> {
                if (!vectorModulePresent()) {
                    throw new IllegalStateException("distil4j.kernels=vector needs --add-modules jdk.incubator.vector");
                }
                yield VectorKernels.create();
            }
            case "auto" -> vectorModulePresent() ? VectorKernels.create() : ScalarKernels.INSTANCE;
            default -> throw new IllegalArgumentException("distil4j.kernels must be scalar, vector or auto, not " + wanted);
        };
    }
}
