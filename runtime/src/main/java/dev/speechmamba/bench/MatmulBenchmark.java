package dev.speechmamba.bench;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.backend.Backends;
import dev.speechmamba.tensor.Tensor;
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
 * Square single-precision GEMM, out = a @ b with n × n operands, per backend. One operation is
 * {@code 2·n³} floating-point operations; {@link KernelBenchmarks} turns ops/s into GFLOP/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class MatmulBenchmark {

    @Param({"cpu"})
    public String backend;

    @Param({"256", "512", "1024"})
    public int size;

    private Backend ops;
    private Tensor a;      // (n, n)
    private Tensor b;      // (n, n)
    private Tensor out;    // (n, n)

    @Setup(Level.Trial)
    public void setUp() {
        ops = Backends.create(backend);
        SplittableRandom random = new SplittableRandom(42);
        a = ops.fromHost(BenchData.uniform(random, size * size, -1, 1), size, size);
        b = ops.fromHost(BenchData.uniform(random, size * size, -1, 1), size, size);
        out = ops.fromHost(new float[size * size], size, size);
    }

    @Benchmark
    public void matmul() {
        ops.matmul(out, a, false, b, false, 1f, 0f);
        ops.synchronize();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        a.close();
        b.close();
        out.close();
        ops.close();
    }

    /** Floating-point operations of one {@link #matmul} call. */
    public static double flopsPerOp(int n) { return 2.0 * n * n * n; }
}
