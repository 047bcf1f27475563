package dev.speechmamba.cuda;

import dev.speechmamba.cuda.nvrtc.Nvrtc;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Kernel PTX for the current device, from the classpath resources the cuda-kernels build produces
 * ({@code kernels.index}, {@code cuda-src/NAME.cu|.cuh}, {@code ptx/sm_XY/NAME.ptx}).
 *
 * <p>{@link Mode#AUTO} (default) takes the prebuilt PTX of the highest architecture not above the device's
 * (PTX is forward compatible through the driver's JIT) and otherwise compiles the source with NVRTC for the
 * device's {@code compute_XY}, passing every {@code .cuh} as an in-memory header. System property
 * {@value #PROPERTY} = {@code ptx} or {@code nvrtc} forces one path (to test both). NVRTC results are cached.
 */
public final class KernelSources {

    /** System property forcing the PTX origin: {@code auto}, {@code ptx} or {@code nvrtc}. */
    public static final String PROPERTY = "speechmamba.kernels.source";
    /** Where the cuda-kernels jar puts its resources. */
    public static final String DEFAULT_PREFIX = "dev/speechmamba/kernels/";
    /** The index file name under the prefix. */
    public static final String INDEX = "kernels.index";

    /** Which path to take. */
    public enum Mode {
        AUTO, PTX, NVRTC;

        /** Parse {@code auto|ptx|nvrtc} (case-insensitive). */
        public static Mode parse(String text) {
            return switch (text.strip().toLowerCase(Locale.ROOT)) {
                case "", "auto" -> AUTO;
                case "ptx" -> PTX;
                case "nvrtc" -> NVRTC;
                default -> throw new IllegalArgumentException(PROPERTY + " must be auto, ptx or nvrtc, got '" + text + "'");
            };
        }

        /** The mode the system property selects. */
        public static Mode fromSystemProperty() {
            return parse(System.getProperty(PROPERTY, "auto"));
        }
    }

    /** PTX text and where it came from, e.g. {@code "prebuilt ptx/sm_90/scan.ptx"} or {@code "NVRTC compute_90"}. */
    public record Ptx(String name, String text, String origin) {
    }

    private final String prefix;
    private final ClassLoader loader;
    private final List<String> index;
    private final ConcurrentMap<String, Ptx> compiled = new ConcurrentHashMap<>();
    private volatile Map<String, String> headers;

    /** Resources under {@link #DEFAULT_PREFIX} from this class's loader. */
    public KernelSources() {
        this(DEFAULT_PREFIX, KernelSources.class.getClassLoader());
    }

    /** Resources under {@code prefix} (ending in '/') from {@code loader}; reads the index now. */
    public KernelSources(String prefix, ClassLoader loader) {
        this.prefix = prefix.endsWith("/") ? prefix : prefix + "/";
        this.loader = loader;
        String indexText = readOrNull(INDEX);
        if (indexText == null) {
            throw new IllegalStateException("kernel resources not found: no " + this.prefix + INDEX
                    + " on the classpath (is the speech-mamba-cuda-kernels jar on it?)");
        }
        this.index = indexText.lines().map(String::strip).filter(line -> !line.isEmpty() && !line.startsWith("#"))
                .toList();
    }

    /** Every resource path the index lists, relative to the prefix. */
    public List<String> index() {
        return index;
    }

    /** Kernel file names without extension: {@code scan} for {@code cuda-src/scan.cu}. */
    public List<String> kernelNames() {
        List<String> names = new ArrayList<>();
        for (String entry : index) {
            if (entry.startsWith("cuda-src/") && entry.endsWith(".cu")) {
                names.add(entry.substring("cuda-src/".length(), entry.length() - ".cu".length()));
            }
        }
        return names;
    }

    /** Architectures with prebuilt PTX for {@code name}, e.g. [80, 90]. */
    public List<Integer> prebuiltArchitectures(String name) {
        List<Integer> archs = new ArrayList<>();
        for (String entry : index) {
            if (entry.startsWith("ptx/sm_") && entry.endsWith("/" + name + ".ptx")) {
                String arch = entry.substring("ptx/sm_".length(), entry.indexOf('/', "ptx/sm_".length()));
                try {
                    archs.add(Integer.parseInt(arch));
                } catch (NumberFormatException e) {
                    throw new IllegalStateException("malformed entry in " + prefix + INDEX + ": " + entry, e);
                }
            }
        }
        archs.sort(null);
        return archs;
    }

    /** The {@code .cu} source text. */
    public String source(String name) {
        String text = readOrNull("cuda-src/" + name + ".cu");
        if (text == null) {
            throw new IllegalArgumentException("no kernel source " + prefix + "cuda-src/" + name + ".cu; known kernels: "
                    + kernelNames());
        }
        return text;
    }

    /** Every {@code .cuh} header the index lists: include name → text. */
    public Map<String, String> headers() {
        Map<String, String> result = headers;
        if (result == null) {
            result = new LinkedHashMap<>();
            for (String entry : index) {
                if (entry.startsWith("cuda-src/") && entry.endsWith(".cuh")) {
                    String text = readOrNull(entry);
                    if (text == null) {
                        throw new IllegalStateException(prefix + INDEX + " lists " + entry + " but it is not on the classpath");
                    }
                    result.put(entry.substring("cuda-src/".length()), text);
                }
            }
            result = Map.copyOf(result);
            headers = result;
        }
        return result;
    }

    /** The architecture whose prebuilt PTX suits a device: the highest not above it. */
    public Optional<Integer> bestPrebuiltArchitecture(String name, ComputeCapability device) {
        Integer best = null;
        for (int arch : prebuiltArchitectures(name)) {
            if (arch <= device.code()) {
                best = arch;
            }
        }
        return Optional.ofNullable(best);
    }

    /** PTX for {@code name} on a device of this capability, by the mode the system property selects. */
    public Ptx ptx(String name, ComputeCapability device) {
        return ptx(name, device, Mode.fromSystemProperty());
    }

    /** PTX for {@code name} on a device of this capability, by {@code mode}. */
    public Ptx ptx(String name, ComputeCapability device, Mode mode) {
        if (mode != Mode.NVRTC) {
            Optional<Integer> arch = bestPrebuiltArchitecture(name, device);
            if (arch.isPresent()) {
                String path = "ptx/sm_" + arch.get() + "/" + name + ".ptx";
                String text = readOrNull(path);
                if (text == null) {
                    throw new IllegalStateException(prefix + INDEX + " lists " + path + " but it is not on the classpath");
                }
                return new Ptx(name, text, "prebuilt " + path);
            }
            if (mode == Mode.PTX) {
                throw new IllegalStateException("no prebuilt PTX for kernel '" + name + "' usable on compute capability "
                        + device + " (prebuilt: sm_" + prebuiltArchitectures(name) + "); " + PROPERTY
                        + "=ptx forbids the NVRTC fallback");
            }
        }
        return compiled.computeIfAbsent(name + "@" + device.code(), key -> compileWithNvrtc(name, device));
    }

    /** The NVRTC options used for a device. */
    public static List<String> nvrtcOptions(ComputeCapability device) {
        return List.of("--gpu-architecture=" + device.computeName(), "-std=c++17", "-lineinfo");
    }

    private Ptx compileWithNvrtc(String name, ComputeCapability device) {
        Nvrtc.Result result = Nvrtc.compile(source(name), name + ".cu", headers(), nvrtcOptions(device));
        return new Ptx(name, result.ptx(), "NVRTC " + device.computeName());
    }

    /** Load {@code name}'s PTX into the current context: a CUmodule handle. */
    public long loadModule(CudaDriver driver, String name, ComputeCapability device) {
        Ptx ptx = ptx(name, device);
        try {
            return driver.moduleLoadData(ptx.text());
        } catch (CudaException e) {
            throw new IllegalStateException("loading kernel module '" + name + "' (" + ptx.origin() + ") failed: "
                    + e.getMessage(), e);
        }
    }

    private String readOrNull(String relative) {
        try (InputStream in = loader.getResourceAsStream(prefix + relative)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + prefix + relative, e);
        }
    }
}
