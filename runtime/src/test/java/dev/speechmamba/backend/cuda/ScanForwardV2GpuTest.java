package dev.speechmamba.backend.cuda;

import dev.speechmamba.backend.Backends;
import dev.speechmamba.backend.ScanInputs;
import dev.speechmamba.backend.cuda.ScanLauncher.ForwardKernel;
import dev.speechmamba.tensor.DType;
import dev.speechmamba.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * selective_scan_fwd_v2 against selective_scan_fwd (which the parity suite checks against float64) at the
 * shapes the parity suite does not reach: N past 32 and up to 256 (several states per lane, a partial last
 * group), N below a warp, several 128-step chunks (saved states), ragged rows including an empty one, and
 * D not a multiple of the 8 channels of a block. Compares out and the saved chunk states.
 */
@Tag("gpu")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScanForwardV2GpuTest {
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

    @ParameterizedTest(name = "B={0} T={1} D={2} N={3} ragged={4} z={5} softplus={6}")
    @CsvSource({
            "2, 40, 20, 16, true, true, true",
            "3, 33, 20, 5, true, false, false",
            "3, 257, 20, 33, true, true, true",
            "1, 300, 9, 256, false, true, true",
            "2, 1, 8, 64, false, false, true",
            "3, 129, 17, 100, true, true, false",
            "1, 1000, 24, 256, false, true, true",
    })
    void v2MatchesV1(int batch, int time, int channels, int states, boolean ragged, boolean withZ, boolean softplus) {
        Random r = new Random(31L * time + 7L * states + channels);
        float[] aValues = new float[channels * states];
        for (int i = 0; i < aValues.length; i++) aValues[i] = (float) -Math.exp(-1 + 2.5 * r.nextDouble());
        int[] lengths = new int[batch];
        for (int b = 0; b < batch; b++) lengths[b] = ragged ? (b == 2 ? 0 : Math.max(0, time - 7 * b)) : time;
        CudaContext ctx = cuda.context();
        try (Tensor u = uniform(r, -1, 1, batch, time, channels);
             Tensor delta = softplus ? uniform(r, -4, -0.5, batch, time, channels) : uniform(r, 0.02, 0.5, batch, time, channels);
             Tensor a = cuda.fromHost(aValues, channels, states);
             Tensor bm = uniform(r, -1, 1, batch, time, states);
             Tensor cm = uniform(r, -1, 1, batch, time, states);
             Tensor skip = uniform(r, -1, 1, channels);
             Tensor z = withZ ? uniform(r, -2, 2, batch, time, channels) : null;
             Tensor bias = uniform(r, -0.2, 0.2, channels);
             Tensor lens = ragged ? cuda.fromHostInts(lengths, batch) : null;
             Tensor outV1 = cuda.fromHost(nans(batch * time * channels), batch, time, channels);
             Tensor outV2 = cuda.fromHost(nans(batch * time * channels), batch, time, channels)) {
            ScanInputs in = new ScanInputs(u, delta, a, bm, cm, skip, z, bias, softplus, lens);
            try (Tensor savedV1 = new ScanLauncher(ctx, ForwardKernel.V1).forward(outV1, in);
                 Tensor savedV2 = new ScanLauncher(ctx, ForwardKernel.V2).forward(outV2, in)) {
                assertClose("out", cuda.toHost(outV1), cuda.toHost(outV2));
                float[] s1 = cuda.toHost(savedV1), s2 = cuda.toHost(savedV2);
                assertEquals(s1.length, s2.length);
                assertClose("saved", s1, s2);
            }
        }
    }

    private Tensor uniform(Random r, double lo, double hi, int... dims) {
        int n = 1;
        for (int d : dims) n *= d;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (lo + (hi - lo) * r.nextDouble());
        return cuda.fromHost(v, dims);
    }

    private static float[] nans(int n) {
        float[] v = new float[n];
        java.util.Arrays.fill(v, Float.NaN);
        return v;
    }

    /** Both kernels are float32 with different summation orders: 1e-4 relative plus 1e-5 absolute. */
    private static void assertClose(String what, float[] expected, float[] actual) {
        for (int i = 0; i < expected.length; i++) {
            double tol = 1e-5 + 1e-4 * Math.abs(expected[i]);
            if (!(Math.abs(expected[i] - actual[i]) <= tol)) {
                fail(what + "[" + i + "]: v1 " + expected[i] + ", v2 " + actual[i] + " (tolerance " + tol + ")");
            }
        }
    }
}
