package dev.speechmamba.backend.cuda;

import dev.speechmamba.cuda.ComputeCapability;
import dev.speechmamba.cuda.nvrtc.Nvrtc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * PTX for a kernel source file, looked up in this order:
 * <ol>
 *   <li>{@value #DIR_PROPERTY} names a folder of .cu/.cuh files: compile there with NVRTC for this device
 *       (kernel edits need no rebuild);</li>
 *   <li>the cuda-kernels jar's prebuilt PTX, {@code dev/speechmamba/kernels/ptx/sm_XX/NAME.ptx}, for the highest
 *       architecture not above the device's (the driver JIT-compiles PTX forward to newer GPUs);</li>
 *   <li>the jar's sources, {@code dev/speechmamba/kernels/cuda-src/}, compiled with NVRTC.</li>
 * </ol>
 */
final class KernelPtx {
    /** Folder of kernel sources to compile with NVRTC at run time instead of the jar's PTX. */
    static final String DIR_PROPERTY = "speechmamba.cuda.kernelDir";
    private static final String RESOURCES = "/dev/speechmamba/kernels/";
    private static final int[] PREBUILT_ARCHS = {90, 80};

    private KernelPtx() { }

    static String forSource(String sourceFile, ComputeCapability capability) {
        if (!sourceFile.endsWith(".cu")) throw new IllegalArgumentException("cuda: kernel source must be a .cu file, got " + sourceFile);
        String configured = System.getProperty(DIR_PROPERTY);
        if (configured != null) {
            Path dir = Path.of(configured);
            if (!Files.isDirectory(dir)) throw new IllegalStateException("cuda: -D" + DIR_PROPERTY + "=" + configured + " is not a folder");
            return compileFromFolder(dir, sourceFile, capability);
        }
        String stem = sourceFile.substring(0, sourceFile.length() - 3);
        for (int arch : PREBUILT_ARCHS) {
            if (arch > capability.code()) continue;
            String ptx = resource(RESOURCES + "ptx/sm_" + arch + "/" + stem + ".ptx");
            if (ptx != null) return ptx;
        }
        String source = resource(RESOURCES + "cuda-src/" + sourceFile);
        if (source == null) {
            throw new IllegalStateException("cuda: neither PTX nor source for " + sourceFile + " on the classpath (is the "
                    + "speech-mamba-cuda-kernels jar there?); or set -D" + DIR_PROPERTY);
        }
        Map<String, String> headers = new HashMap<>();
        for (String header : headerNames()) {
            String text = resource(RESOURCES + "cuda-src/" + header);
            if (text != null) headers.put(header, text);
        }
        return compile(source, sourceFile, headers, capability);
    }

    /** Header names listed in kernels.index (the jar cannot be listed portably). */
    private static List<String> headerNames() {
        String index = resource(RESOURCES + "kernels.index");
        if (index == null) return List.of("common.cuh");
        return index.lines().map(String::strip).filter(l -> l.startsWith("cuda-src/") && l.endsWith(".cuh"))
                .map(l -> l.substring("cuda-src/".length())).toList();
    }

    private static String resource(String path) {
        try (InputStream in = KernelPtx.class.getResourceAsStream(path)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cuda: reading resource " + path, e);
        }
    }

    static String compileFromFolder(Path dir, String sourceFile, ComputeCapability capability) {
        try {
            String source = Files.readString(dir.resolve(sourceFile));
            Map<String, String> headers = new HashMap<>();
            try (Stream<Path> files = Files.list(dir)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    String name = p.getFileName().toString();
                    if (name.endsWith(".cuh")) headers.put(name, Files.readString(p));
                }
            }
            return compile(source, sourceFile, headers, capability);
        } catch (IOException e) {
            throw new UncheckedIOException("cuda: reading kernel source " + dir.resolve(sourceFile), e);
        }
    }

    private static String compile(String source, String name, Map<String, String> headers, ComputeCapability capability) {
        List<String> options = List.of("--gpu-architecture=" + capability.computeName(), "-lineinfo", "--std=c++17");
        return Nvrtc.compile(source, name, headers, options).ptx();
    }
}
