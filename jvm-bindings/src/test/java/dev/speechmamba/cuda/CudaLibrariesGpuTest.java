package dev.speechmamba.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.speechmamba.cuda.cublas.Cublas;
import dev.speechmamba.cuda.cublas.CublasException;
import dev.speechmamba.cuda.cublas.CublasLt;
import dev.speechmamba.cuda.cudnn.Cudnn;
import dev.speechmamba.cuda.nccl.Nccl;
import dev.speechmamba.cuda.nvrtc.Nvrtc;
import dev.speechmamba.cuda.nvrtc.NvrtcException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** cuBLAS, cuBLASLt, cuDNN, NCCL and NVRTC through FFM on a real GPU, checked against plain Java loops. */
@Tag("gpu")
class CudaLibrariesGpuTest {

    private CudaDriver driver;
    private final List<Long> allocations = new ArrayList<>();

    @BeforeEach
    void bindContext() {
        driver = GpuTestSupport.driverWithContext("ffm");
    }

    @org.junit.jupiter.api.AfterEach
    void freeAll() {
        if (driver != null) {
            allocations.forEach(driver::memFree);
        }
        allocations.clear();
    }

    private long upload(float[] values) {
        long pointer = driver.memAlloc(4L * values.length);
        allocations.add(pointer);
        driver.copyHtoD(pointer, values, 0, values.length);
        return pointer;
    }

    private float[] download(long pointer, int n) {
        float[] values = new float[n];
        driver.copyDtoH(values, 0, n, pointer);
        return values;
    }

    private static float[] random(int n, long seed) {
        Random random = new Random(seed);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    /** Row-major C(m×n) = A(m×k)·B(k×n) in double. */
    private static float[] matmul(float[] a, float[] b, int m, int n, int k) {
        float[] c = new float[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    sum += (double) a[i * k + p] * b[p * n + j];
                }
                c[i * n + j] = (float) sum;
            }
        }
        return c;
    }

    private static void assertClose(float[] expected, float[] actual, double relativeTolerance, String what) {
        assertEquals(expected.length, actual.length);
        double maxScale = 0;
        for (float v : expected) {
            maxScale = Math.max(maxScale, Math.abs(v));
        }
        for (int i = 0; i < expected.length; i++) {
            double error = Math.abs(expected[i] - actual[i]);
            assertTrue(error <= relativeTolerance * Math.max(1, maxScale),
                    what + ": element " + i + " expected " + expected[i] + " got " + actual[i]);
        }
    }

    @Test
    void sgemmMatchesAJavaLoop() {
        int m = 67;
        int n = 45;
        int k = 129;
        float[] a = random(m * k, 1);
        float[] b = random(k * n, 2);
        long da = upload(a);
        long db = upload(b);
        long dc = upload(new float[m * n]);
        try (Cublas cublas = Cublas.create()) {
            assertTrue(cublas.version() >= 120000, "cuBLAS version " + cublas.version());
            cublas.setStream(0);
            cublas.setMathMode(Cublas.MathMode.PEDANTIC);
            // row-major C = A·B is column-major Cᵀ = Bᵀ·Aᵀ
            cublas.sgemm(Cublas.Op.N, Cublas.Op.N, n, m, k, 1f, db, n, da, k, 0f, dc, n);
            assertClose(matmul(a, b, m, n, k), download(dc, m * n), 1e-5, "sgemm");
            // beta accumulates
            cublas.sgemm(Cublas.Op.N, Cublas.Op.N, n, m, k, 1f, db, n, da, k, 1f, dc, n);
            float[] twice = matmul(a, b, m, n, k);
            for (int i = 0; i < twice.length; i++) {
                twice[i] *= 2;
            }
            assertClose(twice, download(dc, m * n), 1e-5, "sgemm beta=1");
            CublasException bad = assertThrows(CublasException.class,
                    () -> cublas.sgemm(Cublas.Op.N, Cublas.Op.N, n, m, k, 1f, db, 1, da, k, 0f, dc, n));
            assertEquals("CUBLAS_STATUS_INVALID_VALUE", bad.statusName());
            assertTrue(bad.getMessage().startsWith("cuBLAS: cublasSgemm"), bad.getMessage());
        }
    }

    @Test
    void stridedBatchedAndTf32AndBf16Gemms() {
        int batch = 3;
        int m = 32;
        int n = 48;
        int k = 64;
        float[] a = random(batch * m * k, 3);
        float[] b = random(batch * k * n, 4);
        float[] expected = new float[batch * m * n];
        for (int s = 0; s < batch; s++) {
            float[] as = java.util.Arrays.copyOfRange(a, s * m * k, (s + 1) * m * k);
            float[] bs = java.util.Arrays.copyOfRange(b, s * k * n, (s + 1) * k * n);
            System.arraycopy(matmul(as, bs, m, n, k), 0, expected, s * m * n, m * n);
        }
        long da = upload(a);
        long db = upload(b);
        long dc = upload(new float[batch * m * n]);
        try (Cublas cublas = Cublas.create()) {
            cublas.sgemmStridedBatched(Cublas.Op.N, Cublas.Op.N, n, m, k, 1f, db, n, (long) k * n, da, k, (long) m * k,
                    0f, dc, n, (long) m * n, batch);
            assertClose(expected, download(dc, batch * m * n), 1e-5, "sgemmStridedBatched");

            cublas.gemmStridedBatchedEx(Cublas.Op.N, Cublas.Op.N, n, m, k, 1f, db, Cublas.DataType.R_32F, n,
                    (long) k * n, da, Cublas.DataType.R_32F, k, (long) m * k, 0f, dc, Cublas.DataType.R_32F, n,
                    (long) m * n, batch, Cublas.ComputeType.COMPUTE_32F_FAST_TF32, Cublas.GEMM_DEFAULT);
            assertClose(expected, download(dc, batch * m * n), 1e-2, "TF32 gemmStridedBatchedEx");

            // bf16 inputs (host-rounded), fp32 output, fp32 accumulate
            short[] a16 = toBf16(a, m * k);
            short[] b16 = toBf16(b, k * n);
            long da16 = uploadShorts(a16);
            long db16 = uploadShorts(b16);
            cublas.gemmEx(Cublas.Op.N, Cublas.Op.N, n, m, k, 1f, db16, Cublas.DataType.R_16BF, n, da16,
                    Cublas.DataType.R_16BF, k, 0f, dc, Cublas.DataType.R_32F, n, Cublas.ComputeType.COMPUTE_32F,
                    Cublas.GEMM_DEFAULT);
            float[] expectedBf16 = matmul(fromBf16(a16), fromBf16(b16), m, n, k);
            assertClose(expectedBf16, download(dc, m * n), 1e-4, "BF16 gemmEx");
        }
    }

    private long uploadShorts(short[] values) {
        java.lang.foreign.MemorySegment host = java.lang.foreign.MemorySegment.ofArray(values);
        long pointer = driver.memAlloc(2L * values.length);
        allocations.add(pointer);
        driver.copyHtoD(pointer, host, 2L * values.length);
        return pointer;
    }

    private static short[] toBf16(float[] values, int n) {
        short[] out = new short[n];
        for (int i = 0; i < n; i++) {
            int bits = Float.floatToRawIntBits(values[i]);
            bits += 0x7FFF + ((bits >>> 16) & 1); // round to nearest even
            out[i] = (short) (bits >>> 16);
        }
        return out;
    }

    private static float[] fromBf16(short[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Float.intBitsToFloat((values[i] & 0xFFFF) << 16);
        }
        return out;
    }

    @Test
    void cublasLtHandle() {
        assertTrue(CublasLt.version() >= 120000, "cuBLASLt version " + CublasLt.version());
        try (CublasLt lt = CublasLt.create()) {
            assertTrue(lt.handle() != 0);
        }
    }

    @Test
    void cudnnConvolutionMatchesAJavaLoop() {
        assertTrue(Cudnn.version() >= 90000, "cuDNN version " + Cudnn.version());
        int n = 2;
        int c = 3;
        int h = 11;
        int w = 9;
        int k = 4;
        int r = 3;
        int s = 3;
        float[] x = random(n * c * h * w, 5);
        float[] filter = random(k * c * r * s, 6);
        try (Cudnn cudnn = Cudnn.create();
             Cudnn.Conv2dForward conv = cudnn.conv2dForward(n, c, h, w, k, r, s, 1, 1, 2, 2, false)) {
            cudnn.setStream(0);
            int[] shape = conv.outputShape();
            int p = (h + 2 - r) / 2 + 1;
            int q = (w + 2 - s) / 2 + 1;
            assertArrayEquals(new int[] {n, k, p, q}, shape);
            long dx = upload(x);
            long dw = upload(filter);
            long dy = upload(new float[n * k * p * q]);
            long workspace = 0;
            if (conv.workspaceBytes() > 0) {
                workspace = driver.memAlloc(conv.workspaceBytes());
                allocations.add(workspace);
            }
            conv.run(dx, dw, dy, workspace, 1f, 0f);
            float[] expected = new float[n * k * p * q];
            for (int ni = 0; ni < n; ni++) {
                for (int ki = 0; ki < k; ki++) {
                    for (int pi = 0; pi < p; pi++) {
                        for (int qi = 0; qi < q; qi++) {
                            double sum = 0;
                            for (int ci = 0; ci < c; ci++) {
                                for (int ri = 0; ri < r; ri++) {
                                    for (int si = 0; si < s; si++) {
                                        int hi = pi * 2 - 1 + ri;
                                        int wi = qi * 2 - 1 + si;
                                        if (hi >= 0 && hi < h && wi >= 0 && wi < w) {
                                            sum += (double) x[((ni * c + ci) * h + hi) * w + wi]
                                                    * filter[((ki * c + ci) * r + ri) * s + si];
                                        }
                                    }
                                }
                            }
                            expected[((ni * k + ki) * p + pi) * q + qi] = (float) sum;
                        }
                    }
                }
            }
            assertClose(expected, download(dy, expected.length), 1e-5, "cudnn conv2d");
        }
    }

    @Test
    void ncclSingleRankAllReduce() {
        assertTrue(Nccl.version() >= 20000, "NCCL version " + Nccl.version());
        float[] values = random(1000, 7);
        long send = upload(values);
        long recv = upload(new float[values.length]);
        try (Nccl nccl = Nccl.initRank(1, Nccl.uniqueId(), 0)) {
            nccl.allReduceFloat(send, recv, values.length, Nccl.ReduceOp.SUM, 0);
            driver.contextSynchronize();
            assertArrayEquals(values, download(recv, values.length));
        }
    }

    @Test
    void nvrtcCompilesWithHeadersAndReportsErrorsWithTheLog() {
        int[] version = Nvrtc.version();
        assertTrue(version[0] >= 12, "NVRTC " + version[0] + "." + version[1]);
        ComputeCapability cc = GpuTestSupport.capability(driver);
        Nvrtc.Result result = Nvrtc.compile("#include \"twice.cuh\"\nextern \"C\" __global__ void k(float* x) { x[0] = TWICE(x[0]); }",
                "k.cu", Map.of("twice.cuh", "#define TWICE(v) (2.0f * (v))\n"), KernelSources.nvrtcOptions(cc));
        assertTrue(result.ptx().contains(".entry k"), result.ptx());
        NvrtcException e = assertThrows(NvrtcException.class, () -> Nvrtc.compile(
                "extern \"C\" __global__ void k(float* x) { x[0] = undefined_name; }", "broken.cu", Map.of(),
                KernelSources.nvrtcOptions(cc)));
        assertEquals(Nvrtc.ERROR_COMPILATION, e.status());
        assertTrue(e.log().contains("undefined_name"), e.log());
        assertTrue(e.getMessage().contains("broken.cu"), e.getMessage());
    }

    /** Every module of the cuda-kernels jar loads on this GPU, from prebuilt PTX and from NVRTC. */
    @Test
    void everyProjectKernelModuleLoadsBothWays() {
        KernelSources kernels = new KernelSources();
        ComputeCapability cc = GpuTestSupport.capability(driver);
        List<String> failures = new ArrayList<>();
        for (String name : kernels.kernelNames()) {
            for (KernelSources.Mode mode : List.of(KernelSources.Mode.PTX, KernelSources.Mode.NVRTC)) {
                try {
                    long module = driver.moduleLoadData(kernels.ptx(name, cc, mode).text());
                    driver.moduleUnload(module);
                } catch (RuntimeException e) {
                    failures.add(name + " via " + mode + ": " + e.getMessage());
                }
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }
}
