package dev.backlight.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The native-loading path without a GPU: a stub cuDNN 9 (same SONAME and symbol-version node as
 * the real library, built here with gcc) stands in for the real one, and JCudnn's JNI library —
 * jcudnn 11.7's, patched for cuDNN 9 — must load against it and call through. Runs in a separate
 * JVM, since native loading cannot be undone and a missing symbol would end the process.
 */
class NativeLoadingTest {
    private static String run(Path dir, List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out: " + command);
        assertEquals(0, p.exitValue(), String.join(" ", command) + "\n" + out);
        return out;
    }

    @Test
    void patchedJCudnnLoadsAgainstACudnn9ShapedLibrary(@TempDir Path dir) throws Exception {
        try {
            new ProcessBuilder("gcc", "--version").start().waitFor();
        } catch (java.io.IOException e) {
            assumeTrue(false, "gcc is not installed, so the stub cuDNN cannot be built: " + e.getMessage());
        }
        Files.writeString(dir.resolve("stub.c"), "int cudnnGetVersion(void) { return 90100; }\n");
        Files.writeString(dir.resolve("stub.map"), "libcudnn.so.9 { global: cudnnGetVersion; local: *; };\n");
        run(dir, List.of("gcc", "-shared", "-fPIC", "-o", "libcudnn.so.9", "-Wl,-soname,libcudnn.so.9",
                "-Wl,--version-script=stub.map", "stub.c"));
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = String.join(java.io.File.pathSeparator, codeSource(dev.backlight.cuda.stub.LoadJCudnnAgainstStub.class),
                codeSource(dev.backlight.cuda.natives.JCudaNatives.class), codeSource(jcuda.jcudnn.JCudnn.class), codeSource(jcuda.Pointer.class),
                codeSource(jcuda.jcublas.JCublas2.class), resourceSource("/lib/libJCudaDriver-12.6.0-linux-x86_64.so"),
                resourceSource("/lib/libJCublas2-12.6.0-linux-x86_64.so"), resourceSource("/lib/libJCudnn-11.7.0-linux-x86_64.so"));
        String out = run(dir, List.of(javaBin, "-Djava.io.tmpdir=" + tmp, "-cp", classPath,
                "dev.backlight.cuda.stub.LoadJCudnnAgainstStub", dir.resolve("libcudnn.so.9").toString()));
        assertTrue(out.contains("version=90100"), out);
    }

    /** The folder or jar a class was loaded from (Maven's target/classes or a jar of the GPU check bundle). */
    static String codeSource(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    /** The jar that holds a class-path resource. */
    static String resourceSource(String resource) throws Exception {
        String url = java.util.Objects.requireNonNull(NativeLoadingTest.class.getResource(resource), resource).toString();
        String jar = url.substring("jar:".length(), url.indexOf("!/"));
        return Path.of(new java.net.URI(jar)).toString();
    }

    @Test
    void cudnnSubLibrariesLoadBeforeCudnnItself(@TempDir Path dir) throws Exception {
        for (String name : List.of("libcudnn.so.9", "libcudnn_ops.so.9", "libcudnn_graph.so.9", "libcudnn_cnn.so.9", "libcudnn_extra.so.9",
                "libcuda.so.1", "libcublas.so.13", "libcublasLt.so.13")) {
            Files.createFile(dir.resolve(name));
        }
        CudaLibraries libs = CudaEnvironment.probe(List.of(dir));
        List<String> order = CudaNativeLoader.loadOrder(libs).stream().map(p -> p.getFileName().toString()).toList();
        assertEquals(List.of("libcuda.so.1", "libcublasLt.so.13", "libcublas.so.13", "libcudnn_graph.so.9", "libcudnn_ops.so.9",
                "libcudnn_cnn.so.9", "libcudnn_extra.so.9", "libcudnn.so.9"), order);
    }
}
