package dev.speechmamba.bench;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.backend.Backends;
import dev.speechmamba.backend.ScanGrads;
import dev.speechmamba.backend.ScanInputs;
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
 * Mamba's selective scan at a long-utterance size (T = 2000 steps, i.e. 20 s of 10 ms frames,
 * D = 256 inner channels, N = 16 states), with gate z, skip D, delta bias and softplus as the model
 * uses it. One operation touches {@code B·T·D·N} states; {@link KernelBenchmarks}
 * reports element·states per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SelectiveScanBenchmark {

    @Param({"cpu"})
    public String backend;

    @Param({"1"})
    public int batch;

    @Param({"2000"})
    public int time;

    @Param({"256"})
    public int channels;

    @Param({"16"})
    public int states;

    private Backend ops;
    private ScanInputs inputs;
    private ScanGrads grads;
    private Tensor out;     // (B, T, D)
    private Tensor dOut;    // (B, T, D)
    private Tensor saved;   // whatever the backend keeps for backward, or null

    @Setup(Level.Trial)
    public void setUp() {
        ops = Backends.create(backend);
        SplittableRandom random = new SplittableRandom(7);
        int btd = batch * time * channels;
        int btn = batch * time * states;
        Tensor u = ops.fromHost(BenchData.uniform(random, btd, -1, 1), batch, time, channels);
        Tensor delta = ops.fromHost(BenchData.uniform(random, btd, -3, 0), batch, time, channels);
        float[] aValues = new float[channels * states];
        for (int d = 0; d < channels; d++) {
            for (int n = 0; n < states; n++) aValues[d * states + n] = -(n + 1); // Mamba's S4D-real init
        }
        Tensor a = ops.fromHost(aValues, channels, states);
        Tensor b = ops.fromHost(BenchData.uniform(random, btn, -1, 1), batch, time, states);
        Tensor c = ops.fromHost(BenchData.uniform(random, btn, -1, 1), batch, time, states);
        Tensor skip = ops.fromHost(BenchData.uniform(random, channels, 0, 1), channels);
        Tensor z = ops.fromHost(BenchData.uniform(random, btd, -1, 1), batch, time, channels);
        Tensor deltaBias = ops.fromHost(BenchData.uniform(random, channels, -4, -2), channels);
        inputs = new ScanInputs(u, delta, a, b, c, skip, z, deltaBias, true, null);
        grads = new ScanGrads(
                ops.fromHost(new float[btd], batch, time, channels),
                ops.fromHost(new float[btd], batch, time, channels),
                ops.fromHost(new float[channels * states], channels, states),
                ops.fromHost(new float[btn], batch, time, states),
                ops.fromHost(new float[btn], batch, time, states),
                ops.fromHost(new float[channels], channels),
                ops.fromHost(new float[btd], batch, time, channels),
                ops.fromHost(new float[channels], channels));
        out = ops.fromHost(new float[btd], batch, time, channels);
        dOut = ops.fromHost(BenchData.uniform(random, btd, -1, 1), batch, time, channels);
        saved = ops.selectiveScan(out, inputs);
    }

    @Benchmark
    public void forward() {
        Tensor keep = ops.selectiveScan(out, inputs);
        ops.synchronize();
        if (keep != null) keep.close();
    }

    /** Backward alone, from state saved once in setup; gradients keep accumulating, which costs the same. */
    @Benchmark
    public void backward() {
        ops.selectiveScanBackward(grads, dOut, inputs, saved);
        ops.synchronize();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (saved != null) saved.close();
        for (Tensor t : new Tensor[] {inputs.u(), inputs.delta(), inputs.a(), inputs.b(), inputs.c(), inputs.dSkip(),
                inputs.z(), inputs.deltaBias(), grads.du(), grads.dDelta(), grads.dA(), grads.dB(), grads.dC(),
                grads.dSkip(), grads.dz(), grads.dDeltaBias(), out, dOut}) {
            t.close();
        }
        ops.close();
    }

    /** State updates of one scan: B·T·D·N. */
    public static double elementStatesPerOp(int batch, int time, int channels, int states) {
        return (double) batch * time * channels * states;
    }
}
