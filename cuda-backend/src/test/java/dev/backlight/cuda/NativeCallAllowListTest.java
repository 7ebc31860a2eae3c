package dev.backlight.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Our bytecode may call only the JCudnn and JCublas2 functions on this list: functions that exist
 * in cuDNN 8 and 9 and in cuBLAS 12 and 13. Calling a function the loaded library lacks does not
 * throw — the dynamic loader ends the JVM ("symbol lookup error") — so this is checked before any
 * GPU sees the code. cuDNN 9 removed 54 of the functions JCudnn 11.7 binds (the old RNN API, the
 * algorithm-descriptor API, the sub-library version checks); none may appear here.
 */
class NativeCallAllowListTest {
    private static final Set<String> ALLOWED = Set.of(
            // cuDNN: handle, stream, version, errors
            "JCudnn.cudnnCreate", "JCudnn.cudnnDestroy", "JCudnn.cudnnSetStream", "JCudnn.cudnnGetVersion", "JCudnn.cudnnGetErrorString",
            // tensors, filters, convolutions (legacy API: deprecated in cuDNN 9, still present)
            "JCudnn.cudnnCreateTensorDescriptor", "JCudnn.cudnnDestroyTensorDescriptor", "JCudnn.cudnnSetTensor4dDescriptor",
            "JCudnn.cudnnSetTensor4dDescriptorEx", "JCudnn.cudnnCreateFilterDescriptor", "JCudnn.cudnnDestroyFilterDescriptor",
            "JCudnn.cudnnSetFilter4dDescriptor", "JCudnn.cudnnCreateConvolutionDescriptor", "JCudnn.cudnnDestroyConvolutionDescriptor",
            "JCudnn.cudnnSetConvolution2dDescriptor", "JCudnn.cudnnSetConvolutionMathType",
            "JCudnn.cudnnGetConvolutionForwardAlgorithm_v7", "JCudnn.cudnnFindConvolutionForwardAlgorithm",
            "JCudnn.cudnnGetConvolutionForwardWorkspaceSize", "JCudnn.cudnnConvolutionForward",
            "JCudnn.cudnnGetConvolutionBackwardDataAlgorithm_v7", "JCudnn.cudnnFindConvolutionBackwardDataAlgorithm",
            "JCudnn.cudnnGetConvolutionBackwardDataWorkspaceSize", "JCudnn.cudnnConvolutionBackwardData",
            // pooling and tensor arithmetic
            "JCudnn.cudnnCreatePoolingDescriptor", "JCudnn.cudnnDestroyPoolingDescriptor", "JCudnn.cudnnSetPooling2dDescriptor",
            "JCudnn.cudnnPoolingForward", "JCudnn.cudnnPoolingBackward", "JCudnn.cudnnAddTensor", "JCudnn.cudnnScaleTensor",
            "JCudnn.cudnnTransformTensor", "JCudnn.cudnnSetTensor",
            "JCudnn.setExceptionsEnabled",
            // cuBLAS: only handle management and SGEMM
            "JCublas2.cublasCreate", "JCublas2.cublasDestroy", "JCublas2.cublasSetStream", "JCublas2.cublasSetMathMode",
            "JCublas2.cublasGetVersion", "JCublas2.cublasSgemm", "JCublas2.setExceptionsEnabled");

    @Test
    void onlyAllowListedCudnnAndCublasFunctionsAreCalled() throws Exception {
        Set<String> called = new TreeSet<>();
        int classes = 0;
        // Our main classes and our test classes, wherever they were loaded from (folders or jars).
        for (Class<?> anchor : List.of(CudaBackendProvider.class, NativeCallAllowListTest.class)) {
            Path root = Path.of(NativeLoadingTest.codeSource(anchor));
            try (java.nio.file.FileSystem jar = Files.isDirectory(root) ? null : java.nio.file.FileSystems.newFileSystem(root);
                 Stream<Path> files = Files.walk(jar == null ? root : jar.getPath("/"))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                    try (InputStream in = Files.newInputStream(f)) {
                        called.addAll(referencedMethods(in, List.of("jcuda/jcudnn/JCudnn", "jcuda/jcublas/JCublas2")));
                    }
                    classes++;
                }
            }
        }
        assertTrue(classes > 5, "only " + classes + " classes scanned");
        List<String> forbidden = new ArrayList<>(called);
        forbidden.removeAll(ALLOWED);
        assertTrue(forbidden.isEmpty(), "calls outside the cuDNN 9 / cuBLAS 13 allow-list: " + forbidden);
        assertTrue(called.contains("JCudnn.cudnnGetVersion"), "the scan must see the calls the code does make: " + called);
    }

    /** The methods of the given classes that a class file references (its constant pool's Methodrefs). */
    static Set<String> referencedMethods(InputStream classFile, List<String> owners) throws IOException {
        DataInputStream in = new DataInputStream(classFile);
        if (in.readInt() != 0xCAFEBABE) {
            throw new IOException("not a class file");
        }
        in.readUnsignedShort();
        in.readUnsignedShort();
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        int[] classIndex = new int[count];
        int[][] ref = new int[count][];
        int[][] nameAndType = new int[count][];
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1: utf8[i] = in.readUTF(); break;
                case 7: classIndex[i] = in.readUnsignedShort(); break;
                case 8: case 16: case 19: case 20: in.readUnsignedShort(); break;
                case 3: case 4: in.readInt(); break;
                case 5: case 6: in.readLong(); i++; break;
                case 9: case 10: case 11: ref[i] = new int[] {tag, in.readUnsignedShort(), in.readUnsignedShort()}; break;
                case 12: nameAndType[i] = new int[] {in.readUnsignedShort(), in.readUnsignedShort()}; break;
                case 15: in.readUnsignedByte(); in.readUnsignedShort(); break;
                case 17: case 18: in.readUnsignedShort(); in.readUnsignedShort(); break;
                default: throw new IOException("unknown constant tag " + tag);
            }
        }
        Set<String> out = new TreeSet<>();
        for (int i = 1; i < count; i++) {
            if (ref[i] != null && ref[i][0] != 9) {
                String owner = utf8[classIndex[ref[i][1]]];
                if (owners.contains(owner)) {
                    out.add(owner.substring(owner.lastIndexOf('/') + 1) + "." + utf8[nameAndType[ref[i][2]][0]]);
                }
            }
        }
        return out;
    }
}
