package dev.speechmamba.backend.fastcpu;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * A linear layer's product, out (rows, N) = x (rows, K) · Wᵀ with W stored (N, K), by each of the fast backend's two
 * GEMM paths: B packed into panels ({@link FastMatmul#gemmPacked}) or read in place as dot products
 * ({@link FastMatmul#gemmByDots}). Where they cross is {@link FastMatmul#DOT_MAX_ROWS}. The shapes are the bundled
 * model's (d 144: attention 144 → 144, feed-forward 144 → 576 → 144) and its neural LM's (d 256, FFN 1 024); 10 rows
 * is one beam-search step at beam 10. Run: {@code java --add-modules jdk.incubator.vector -cp
 * 'runtime/target/speech-mamba-runtime-0.1.0-SNAPSHOT.jar:runtime/target/lib/*' org.openjdk.jmh.Main LinearGemmBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class LinearGemmBenchmark {

    /** K x N: input features by output features. */
    @Param({"144x144", "144x576", "576x144", "256x1024", "1024x256"})
    public String shape;

    @Param({"1", "10", "100", "512", "2048"})
    public int rows;

    @Param({"packed", "dots"})
    public String path;

    private FastParallel par;
    private FastMatmul matmul;
    private int k, n;
    private float[] x;   // (rows, K)
    private float[] w;   // (N, K)
    private float[] out; // (rows, N)

    @Setup(Level.Trial)
    public void setUp() {
        String[] kn = shape.split("x");
        k = Integer.parseInt(kn[0]);
        n = Integer.parseInt(kn[1]);
        par = new FastParallel(Runtime.getRuntime().availableProcessors());
        matmul = new FastMatmul(par);
        SplittableRandom random = new SplittableRandom(42);
        x = new float[rows * k];
        w = new float[n * k];
        out = new float[rows * n];
        for (int i = 0; i < x.length; i++) x[i] = (float) random.nextDouble(-1, 1);
        for (int i = 0; i < w.length; i++) w[i] = (float) random.nextDouble(-1, 1);
    }

    @Benchmark
    public float[] linear() {
        if (path.equals("dots")) {
            matmul.gemmByDots(1, x, 0, 0, false, k, w, 0, 0, k, out, 0, 0, n, rows, n, k, 1f, 0f);
        } else {
            matmul.gemmPacked(1, x, 0, 0, false, k, w, 0, 0, true, k, out, 0, 0, n, rows, n, k, 1f, 0f);
        }
        return out;
    }

    @TearDown(Level.Trial)
    public void tearDown() { par.close(); }
}
