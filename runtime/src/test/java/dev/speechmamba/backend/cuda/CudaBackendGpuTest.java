package dev.speechmamba.backend.cuda;

import dev.speechmamba.backend.Backends;
import dev.speechmamba.tensor.DType;
import dev.speechmamba.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * CUDA-specific behaviour that the backend-parity suite does not reach: the caching allocator under a
 * repeated workload, pinned uploads, clear errors for foreign tensors and bad ids, conv2d's two paths,
 * and closing order. Skips where no GPU is usable.
 */
@Tag("gpu")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CudaBackendGpuTest {
    private CudaBackend cuda;

    @BeforeAll
    void open() {
        assumeTrue(Backends.cudaUsable(), "no usable CUDA device here");
        cuda = CudaBackend.create(0);
    }

    @AfterAll
    void close() {
        if (cuda != null) cuda.close();
    }

    @Test
    void repeatedStepsStopCallingTheDriverForMemory() {
        CachingAllocator allocator = cuda.context().allocator();
        Runnable step = () -> {
            try (Tensor a = cuda.zeros(DType.F32, 300, 257); Tensor b = cuda.zeros(DType.F32, 257, 100);
                 Tensor c = cuda.zeros(DType.F32, 300, 100)) {
                cuda.matmul(c, a, false, b, false, 1f, 0f);
                cuda.sumOfSquares(c);
            }
        };
        step.run();
        long before = allocator.driverAllocations();
        for (int i = 0; i < 5; i++) step.run();
        assertEquals(before, allocator.driverAllocations(), "warm steps must be served from the cache: " + allocator);
    }

    @Test
    void pinnedUploadRoundTrips() {
        float[] data = new float[100_000];
        for (int i = 0; i < data.length; i++) data[i] = i * 0.25f - 7f;
        int[] ids = {3, 1, 4, 1, 5, 9, 2, 6};
        try (PinnedBuffer pinned = cuda.pinnedBuffer(4L * data.length);
             Tensor t = cuda.zeros(DType.F32, 1000, 100); Tensor ti = cuda.zeros(DType.I32, 8)) {
            pinned.uploadAsync(data, t);
            assertArrayEquals(data, cuda.toHost(t));
            pinned.uploadAsync(ids, ti);
            assertArrayEquals(ids, cuda.toHostInts(ti));
            assertThrows(IllegalArgumentException.class, () -> pinned.uploadAsync(new float[5], t));
        }
    }

    @Test
    void hostTensorsAreRejectedWithTheirShape() {
        Tensor host = Tensor.ofFloats(new float[6], 2, 3);
        try (Tensor out = cuda.zeros(DType.F32, 2, 3)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cuda.add(out, host, out));
            assertTrue(e.getMessage().contains("not on the GPU") && e.getMessage().contains("(2, 3)"), e.getMessage());
        }
    }

    @Test
    void badEmbeddingIdFailsBeforeLaunch() {
        try (Tensor table = cuda.zeros(DType.F32, 10, 4); Tensor ids = cuda.fromHostInts(new int[] {1, 10, 2}, 3);
             Tensor out = cuda.zeros(DType.F32, 3, 4)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cuda.embedding(out, ids, table));
            assertTrue(e.getMessage().contains("ids[1] = 10"), e.getMessage());
        }
    }

    @Test
    void conv2dGemmAndDirectPathsAgree() {
        System.setProperty(ConvLauncher.GEMM_MIN_K_PROPERTY, Integer.toString(Integer.MAX_VALUE));
        CudaBackend direct;
        try {
            direct = CudaBackend.create(0);
        } finally {
            System.clearProperty(ConvLauncher.GEMM_MIN_K_PROPERTY);
        }
        try (direct) {
            Random rng = new Random(5);
            int batch = 3, ci = 8, h = 23, w = 19, co = 6;
            float[] xs = new float[batch * ci * h * w], ws = new float[co * ci * 25], gs = new float[batch * co * 12 * 10];
            for (int i = 0; i < xs.length; i++) xs[i] = rng.nextFloat() * 2 - 1;
            for (int i = 0; i < ws.length; i++) ws[i] = rng.nextFloat() - 0.5f;
            for (int i = 0; i < gs.length; i++) gs[i] = rng.nextFloat() * 2 - 1;
            float[][] a = convAll(direct, xs, ws, gs, batch, ci, h, w, co);
            float[][] b = convAll(cuda, xs, ws, gs, batch, ci, h, w, co);
            String[] names = {"out", "dx", "dw"};
            for (int k = 0; k < 3; k++) {
                for (int i = 0; i < a[k].length; i++) {
                    double tol = 1e-4 * (1 + Math.abs(a[k][i]));
                    assertTrue(Math.abs(a[k][i] - b[k][i]) <= tol, names[k] + "[" + i + "]: direct " + a[k][i] + ", gemm " + b[k][i]);
                }
            }
        }
    }

    private static float[][] convAll(CudaBackend b, float[] xs, float[] ws, float[] gs, int batch, int ci, int h, int w, int co) {
        try (Tensor x = b.fromHost(xs, batch, ci, h, w); Tensor wt = b.fromHost(ws, co, ci, 5, 5);
             Tensor out = b.zeros(DType.F32, batch, co, 12, 10); Tensor g = b.fromHost(gs, batch, co, 12, 10);
             Tensor dx = b.zeros(DType.F32, batch, ci, h, w); Tensor dw = b.zeros(DType.F32, co, ci, 5, 5)) {
            b.conv2d(out, x, wt, null, 2, 2);
            b.conv2dBackward(dx, dw, null, g, x, wt, 2, 2);
            return new float[][] {b.toHost(out), b.toHost(dx), b.toHost(dw)};
        }
    }

    @Test
    void tensorsOutliveTheirBackendSafely() {
        CudaBackend other = CudaBackend.create(0);
        Tensor t = other.fromHost(new float[] {1, 2, 3}, 3);
        other.close();
        t.close();
        assertThrows(IllegalStateException.class, () -> other.zeros(DType.F32, 2));
    }
}
