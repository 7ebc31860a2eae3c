package dev.backlight.cpu;

import java.lang.System.Logger.Level;

/**
 * Which {@link ElementwiseKernel} this JVM uses: the Vector API one when the GEMM uses the Vector
 * API kernel (so {@code -Dbacklight.cpu.gemm=scalar} selects plain Java for both), plain Java
 * otherwise. Only this class names {@code VectorElementwise}, by reflection.
 */
final class Elementwise {
    static final ElementwiseKernel KERNEL = select();

    private Elementwise() {
    }

    private static ElementwiseKernel select() {
        if (Gemm.kernel() instanceof ScalarGemm) {
            return new ScalarElementwise();
        }
        try {
            return Class.forName(Elementwise.class.getPackageName() + ".VectorElementwise")
                    .asSubclass(ElementwiseKernel.class).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            System.getLogger(Elementwise.class.getName()).log(Level.WARNING,
                    "the Vector API element-wise kernel failed to load; using plain Java", e);
            return new ScalarElementwise();
        }
    }
}
