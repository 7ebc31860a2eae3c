package dev.backlight.cuda.stub;

import dev.backlight.cuda.natives.JCudaNatives;
import java.nio.file.Path;

/**
 * Run in a separate JVM by {@code NativeLoadingTest}: loads a stub {@code libcudnn.so.9} by
 * absolute path, writes the cuDNN-9 JCuda natives where JCuda looks ({@code java.io.tmpdir}),
 * then calls {@code JCudnn.cudnnGetVersion()} through JCudnn 11.7's Java API on jcuda 12.6.
 * Prints {@code version=<n>}.
 */
public final class LoadJCudnnAgainstStub {
    private LoadJCudnnAgainstStub() {
    }

    public static void main(String[] args) {
        System.load(Path.of(args[0]).toAbsolutePath().toString());
        JCudaNatives.prepare(Path.of(System.getProperty("java.io.tmpdir")), 9, 13);
        System.out.println("version=" + jcuda.jcudnn.JCudnn.cudnnGetVersion());
    }
}
