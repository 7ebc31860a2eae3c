package dev.backlight.cuda.natives;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JCudaNativesTest {
    @Test
    void elfHashMatchesTheSystemVDefinition() {
        // Values from the System V ABI's algorithm, computed by hand for short names and checked
        // against the vna_hash binutils wrote into the published natives (below).
        assertEquals(0L, ElfDependencies.elfHash(""));
        assertEquals(0x61L, ElfDependencies.elfHash("a"));
        assertEquals(0x672L, ElfDependencies.elfHash("ab")); // (0x61 << 4) + 0x62
        Map<String, Long> recorded = ElfDependencies.of(JCudaNatives.pinned(JCudaNatives.CUDNN)).versionHashes();
        assertEquals(recorded.get("libcudnn.so.8"), ElfDependencies.elfHash("libcudnn.so.8"));
        assertEquals(recorded.get("GLIBC_2.4"), ElfDependencies.elfHash("GLIBC_2.4"));
    }

    @Test
    void cudnn9AndCublas13VariantsRenameOnlyTheDependency() {
        byte[] cudnn8 = JCudaNatives.pinned(JCudaNatives.CUDNN);
        Map<String, byte[]> v = JCudaNatives.variant(9, 13);
        byte[] cudnn9 = v.get(JCudaNatives.CUDNN);
        ElfDependencies patched = ElfDependencies.of(cudnn9.clone());
        assertTrue(patched.needed().contains("libcudnn.so.9"), patched.needed().toString());
        assertFalse(patched.needed().contains("libcudnn.so.8"));
        List<String> versions = patched.versionNeeds().get("libcudnn.so.9");
        assertEquals(List.of("libcudnn.so.9"), versions);
        assertEquals(ElfDependencies.elfHash("libcudnn.so.9"), patched.versionHashes().get("libcudnn.so.9"));
        int differing = 0;
        for (int i = 0; i < cudnn8.length; i++) {
            differing += cudnn8[i] != cudnn9[i] ? 1 : 0;
        }
        assertTrue(differing >= 2 && differing <= 5, "a same-length rename and one hash: " + differing + " bytes changed");
        assertTrue(ElfDependencies.of(v.get(JCudaNatives.CUBLAS).clone()).needed().contains("libcublas.so.13"));
        assertArrayEquals(JCudaNatives.pinned(JCudaNatives.DRIVER), v.get(JCudaNatives.DRIVER));
    }

    @Test
    void cudnn8AndCublas12VariantsAreThePublishedBytes() {
        Map<String, byte[]> v = JCudaNatives.variant(8, 12);
        assertArrayEquals(JCudaNatives.pinned(JCudaNatives.CUDNN), v.get(JCudaNatives.CUDNN));
        assertArrayEquals(JCudaNatives.pinned(JCudaNatives.CUBLAS), v.get(JCudaNatives.CUBLAS));
        assertThrows(IllegalArgumentException.class, () -> JCudaNatives.variant(7, 12));
        assertThrows(IllegalArgumentException.class, () -> ElfDependencies.of(JCudaNatives.pinned(JCudaNatives.DRIVER)).rename("libcudnn.so.8", "libcudnn.so.9"));
    }

    @Test
    void readelfAgreesWithThePatch(@TempDir Path dir) throws Exception {
        Map<String, Path> files = JCudaNatives.prepare(dir, 9, 13);
        assertEquals(3, files.size());
        String readelf = run("readelf", "-d", "-V", files.get(JCudaNatives.CUDNN).toString());
        assertTrue(readelf.contains("Shared library: [libcudnn.so.9]"), readelf);
        assertTrue(readelf.contains("File: libcudnn.so.9"), readelf);
        assertTrue(readelf.contains("Name: libcudnn.so.9"), readelf);
        assertFalse(readelf.contains("libcudnn.so.8"), readelf);
        String cublas = run("readelf", "-d", files.get(JCudaNatives.CUBLAS).toString());
        assertTrue(cublas.contains("[libcublas.so.13]"), cublas);
        // Preparing again keeps the files (same content) and leaves no temporary files.
        JCudaNatives.prepare(dir, 9, 13);
        try (var list = Files.list(dir)) {
            assertEquals(3, list.count());
        }
    }

    private static String run(String... command) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            assumeTrue(false, command[0] + " (binutils) is not installed: " + e.getMessage());
            return "";
        }
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}
