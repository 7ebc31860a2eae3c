package dev.backlight.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The build's kernel artefacts are complete, consistent and fresh. */
class KernelsTest {
    private static Properties built() {
        var manifest = Kernels.manifest();
        assumeTrue(manifest.isPresent(), "nvcc was not on the PATH when this module was built, so there are no kernels to check");
        return manifest.get();
    }

    @Test
    void manifestMatchesTheSourceItWasBuiltFrom() throws Exception {
        Properties p = built();
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Kernels.source()));
        assertEquals(sha, p.getProperty("source.sha256"), "the kernels are stale: rebuild the kernels module");
        assertTrue(p.getProperty("nvcc").contains("release"), p.getProperty("nvcc"));
    }

    @Test
    void everyKernelInTheSourceIsBuiltAndListed() {
        built();
        String source = new String(Kernels.source(), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("extern \"C\" __global__ void (\\w+)\\(").matcher(source);
        List<String> declared = m.results().map(r -> r.group(1)).collect(Collectors.toList());
        assertEquals(declared, Kernels.names());
        byte[] ptx = Kernels.ptx().orElseThrow();
        assertEquals(0, ptx[ptx.length - 1], "PTX handed to the driver must be NUL-terminated");
        String text = new String(ptx, 0, ptx.length - 1, StandardCharsets.US_ASCII);
        assertTrue(text.contains("\n.version 7.0\n"), "PTX lowered to ISA 7.0 for older drivers");
        assertTrue(text.contains(".target sm_75"));
        for (String name : declared) {
            assertTrue(text.contains(".entry " + name + "("), name + " missing from the PTX");
        }
    }

    /**
     * nvcc contracts {@code s += a * b} into {@code fma.rn.f32}, which rounds once where the CPU
     * backend and the host simulation round twice; the kernels write their products with
     * {@code __fmul_rn} so that none is contracted. Checked in the PTX nvcc produced.
     */
    @Test
    void noKernelContractsAMultiplyAndAnAddIntoAnFma() {
        built();
        byte[] ptx = Kernels.ptx().orElseThrow();
        String text = new String(ptx, 0, ptx.length - 1, StandardCharsets.US_ASCII);
        String kernel = "?";
        List<String> contracted = new java.util.ArrayList<>();
        for (String line : text.split("\n")) {
            Matcher entry = Pattern.compile("\\.entry (\\w+)\\(").matcher(line);
            if (entry.find()) {
                kernel = entry.group(1);
            }
            if (line.contains("fma.rn.f32") && !contracted.contains(kernel)) {
                contracted.add(kernel);
            }
        }
        assertTrue(contracted.isEmpty(), "kernels with a contracted multiply-add (fma.rn.f32): " + contracted);
    }

    @Test
    void fatbinHasTheFatbinMagic() {
        built();
        byte[] fatbin = Kernels.fatbin().orElseThrow();
        // fatbinary files start with the little-endian magic 0xBA55ED50.
        int magic = (fatbin[0] & 0xff) | (fatbin[1] & 0xff) << 8 | (fatbin[2] & 0xff) << 16 | (fatbin[3] & 0xff) << 24;
        assertEquals(0xBA55ED50, magic);
    }
}
