package dev.speechmamba.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.speechmamba.cuda.nvrtc.Nvrtc;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class KernelSourcesTest {

    private static final ClassLoader LOADER = KernelSourcesTest.class.getClassLoader();

    static boolean nvccOnPath() {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "nvcc"))) {
                return true;
            }
        }
        return false;
    }

    private static KernelSources fake() {
        return new KernelSources("dev/speechmamba/fakekernels", LOADER);
    }

    @Test
    void readsIndexSourcesAndHeaders() {
        KernelSources sources = fake();
        assertEquals(List.of("fake", "other"), sources.kernelNames());
        assertEquals(Map.of("fake_common.cuh", "#pragma once\n#define FAKE_SCALE 2.0f\n"), sources.headers());
        assertTrue(sources.source("fake").contains("#include \"fake_common.cuh\""));
        assertEquals(List.of(75, 86), sources.prebuiltArchitectures("fake"));
        assertEquals(List.of(), sources.prebuiltArchitectures("other"));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> sources.source("nope"));
        assertTrue(unknown.getMessage().contains("[fake, other]"), unknown.getMessage());
    }

    @Test
    void picksTheHighestPrebuiltArchitectureNotAboveTheDevice() {
        KernelSources sources = fake();
        assertEquals(Optional.of(86), sources.bestPrebuiltArchitecture("fake", new ComputeCapability(9, 0)));
        assertEquals(Optional.of(86), sources.bestPrebuiltArchitecture("fake", new ComputeCapability(8, 6)));
        assertEquals(Optional.of(75), sources.bestPrebuiltArchitecture("fake", new ComputeCapability(8, 0)));
        assertEquals(Optional.empty(), sources.bestPrebuiltArchitecture("fake", new ComputeCapability(7, 0)));

        KernelSources.Ptx ptx = sources.ptx("fake", new ComputeCapability(9, 0), KernelSources.Mode.PTX);
        assertEquals("// fake PTX for sm_86\n", ptx.text());
        assertEquals("prebuilt ptx/sm_86/fake.ptx", ptx.origin());
        assertEquals("// fake PTX for sm_75\n",
                sources.ptx("fake", new ComputeCapability(8, 0), KernelSources.Mode.AUTO).text());
    }

    @Test
    void forcedPtxWithoutAFittingFileFailsNamingTheKernel() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> fake().ptx("other", new ComputeCapability(9, 0), KernelSources.Mode.PTX));
        assertTrue(e.getMessage().contains("'other'"), e.getMessage());
        assertTrue(e.getMessage().contains(KernelSources.PROPERTY + "=ptx"), e.getMessage());
    }

    @Test
    void nvrtcPathNeedsNvrtc() {
        Assumptions.assumeFalse(Nvrtc.isAvailable(), "NVRTC is installed here; the GPU test covers compilation");
        NativeLibraryException e = assertThrows(NativeLibraryException.class,
                () -> fake().ptx("fake", new ComputeCapability(9, 0), KernelSources.Mode.NVRTC));
        assertTrue(e.getMessage().contains("NVRTC"), e.getMessage());
    }

    @Test
    void modeParsing() {
        assertEquals(KernelSources.Mode.AUTO, KernelSources.Mode.parse(""));
        assertEquals(KernelSources.Mode.PTX, KernelSources.Mode.parse("PTX"));
        assertEquals(KernelSources.Mode.NVRTC, KernelSources.Mode.parse(" nvrtc "));
        assertThrows(IllegalArgumentException.class, () -> KernelSources.Mode.parse("cubin"));
        assertEquals(List.of("--gpu-architecture=compute_90", "-std=c++17", "-lineinfo"),
                KernelSources.nvrtcOptions(new ComputeCapability(9, 0)));
    }

    @Test
    void missingIndexIsAClearError() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new KernelSources("dev/speechmamba/nowhere/", LOADER));
        assertTrue(e.getMessage().contains("dev/speechmamba/nowhere/kernels.index"), e.getMessage());
    }

    /** The cuda-kernels jar carries every source, and PTX for sm_80 and sm_90 when nvcc was on the PATH. */
    @Test
    void cudaKernelsJarHoldsSourcesAndPtx() {
        KernelSources kernels = new KernelSources();
        assertTrue(!kernels.kernelNames().isEmpty(), "no .cu listed in the cuda-kernels index");
        for (String entry : kernels.index()) {
            assertTrue(LOADER.getResource(KernelSources.DEFAULT_PREFIX + entry) != null, "missing resource " + entry);
        }
        kernels.headers();
        Assumptions.assumeTrue(nvccOnPath(), "nvcc not on the PATH: the jar holds sources only");
        for (String name : kernels.kernelNames()) {
            assertEquals(List.of(80, 90), kernels.prebuiltArchitectures(name), "PTX of " + name);
            String ptx = kernels.ptx(name, new ComputeCapability(9, 0), KernelSources.Mode.PTX).text();
            assertTrue(ptx.contains(".target sm_90"), name + " PTX lacks .target sm_90");
        }
    }

    @Test
    void testKernelsWereBuiltWithTheSameScript() {
        KernelSources kernels = new KernelSources("dev/speechmamba/testkernels/", LOADER);
        assertEquals(List.of("binding_test"), kernels.kernelNames());
        assertTrue(kernels.headers().containsKey("test_common.cuh"));
        Assumptions.assumeTrue(nvccOnPath(), "nvcc not on the PATH");
        String ptx = kernels.ptx("binding_test", new ComputeCapability(8, 0), KernelSources.Mode.PTX).text();
        assertTrue(ptx.contains(".target sm_80"));
        for (String entry : List.of("affine_gather", "reverse_in_shared", "increment")) {
            assertTrue(ptx.contains(".entry " + entry), "PTX lacks " + entry);
        }
    }
}
