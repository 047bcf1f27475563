package dev.speechmamba.backend.cuda;

import dev.speechmamba.backend.Checks;
import dev.speechmamba.backend.ScanChecks;
import dev.speechmamba.backend.ScanGrads;
import dev.speechmamba.backend.ScanInputs;
import dev.speechmamba.cuda.KernelArgs;
import dev.speechmamba.tensor.DType;
import dev.speechmamba.tensor.Tensor;

/**
 * Launches the fused selective scan (cuda-kernels/src/selective_scan.cu): one block per ({@link #CHANNELS}
 * channels, batch row b), one warp per channel, time in chunks of {@link #CHUNK} steps scanned in parallel
 * across the warp's lanes. The forward saves the state entering every chunk, (B, D, nChunks, N), which the
 * backward uses to recompute each chunk.
 */
final class ScanLauncher {
    static final String SOURCE = "selective_scan.cu";
    // Mirrors ScanTraits in scan_traits.cuh.
    static final int CHANNELS = 8;
    static final int THREADS = CHANNELS * 32;
    static final int CHUNK = 128;
    static final int MAX_STATE = 256;
    /** Threads per block of selective_scan_bwd_sum_groups (its __launch_bounds__). */
    static final int SUM_THREADS = 256;

    private static final String FORWARD = "selectiveScan";
    private static final String BACKWARD = "selectiveScanBackward";

    private final CudaContext ctx;

    ScanLauncher(CudaContext ctx) { this.ctx = ctx; }

    /** Chunks covering T steps; at least one so the saved tensor always has a well-formed shape. */
    static int chunks(int T) { return Math.max(1, (T + CHUNK - 1) / CHUNK); }

    /** out (B, T, D) = scan(in); returns the chunk-start states (B, D, nChunks, N), owned by the caller. */
    Tensor forward(Tensor out, ScanInputs in) {
        ScanChecks.Dims dims = checkInputs(FORWARD, in);
        ScanChecks.output(FORWARD, out, in);
        int B = dims.batch(), T = dims.time(), D = dims.channels(), N = dims.states();
        Tensor saved = ctx.newTensor(DType.F32, B, D, chunks(T), N);
        try {
            launchForward(out, saved, in, B, T, D, N);
        } catch (RuntimeException e) {
            saved.close();
            throw e;
        }
        return saved;
    }

    /** Accumulates the scan's gradients into the non-null fields of {@code g}. */
    void backward(ScanGrads g, Tensor dOut, ScanInputs in, Tensor saved) {
        ScanChecks.Dims dims = checkInputs(BACKWARD, in);
        int B = dims.batch(), T = dims.time(), D = dims.channels(), N = dims.states();
        ScanChecks.grads(BACKWARD, g, dOut, in);
        if (g.du() == null && g.dDelta() == null && g.dA() == null && g.dB() == null && g.dC() == null
                && g.dSkip() == null && g.dz() == null && g.dDeltaBias() == null) {
            return;
        }
        Tensor recomputedOut = null;
        Tensor states = saved;
        DeviceStorage partialB = null, partialC = null;
        try {
            if (states == null) {
                // Saved by another path (or not at all): recompute the chunk states here.
                recomputedOut = ctx.newTensor(DType.F32, B, T, D);
                states = ctx.newTensor(DType.F32, B, D, chunks(T), N);
                launchForward(recomputedOut, states, in, B, T, D, N);
            } else {
                Checks.f32(BACKWARD, "saved", states);
                Checks.shape(BACKWARD, "saved", states, B, D, chunks(T), N);
            }
            // dB and dC sum over every channel: each channel group stores its partial sum, (G, B, T, N),
            // and a second kernel adds the G partials (cheaper than contended global atomics).
            int groups = channelGroups(D);
            long partialBytes = 4L * groups * B * T * N;
            if (g.dB() != null) partialB = ctx.allocate(Math.max(4L, partialBytes));
            if (g.dC() != null) partialC = ctx.allocate(Math.max(4L, partialBytes));
            long partialBPtr = partialB == null ? 0L : partialB.pointer();
            long partialCPtr = partialC == null ? 0L : partialC.pointer();
            KernelArgs args = KernelArgs.of()
                    .ptr(ctx.ptrOrNull(g.du())).ptr(ctx.ptrOrNull(g.dDelta())).ptr(ctx.ptrOrNull(g.dA()))
                    .ptr(partialBPtr).ptr(partialCPtr).ptr(ctx.ptrOrNull(g.dSkip()))
                    .ptr(ctx.ptrOrNull(g.dz())).ptr(ctx.ptrOrNull(g.dDeltaBias()))
                    .ptr(ctx.ptr(dOut)).ptr(ctx.ptr(states));
            inputArgs(args, in);
            args.i32(T).i32(D).i32(N).i32(chunks(T)).i32(in.deltaSoftplus() ? 1 : 0);
            ctx.launch(SOURCE, "selective_scan_bwd", groups, B, 1, THREADS, 1, 1, 0, args);
            if (partialB != null || partialC != null) {
                KernelArgs sum = KernelArgs.of().ptr(ctx.ptrOrNull(g.dB())).ptr(ctx.ptrOrNull(g.dC()))
                        .ptr(partialBPtr).ptr(partialCPtr).ptr(ctx.ptrOrNull(in.lengths()))
                        .i32(B).i32(T).i32(N).i32(groups);
                ctx.launch(SOURCE, "selective_scan_bwd_sum_groups", ctx.gridFor((long) B * T * N, SUM_THREADS), 1, 1,
                        SUM_THREADS, 1, 1, 0, sum);
            }
        } finally {
            // Stream order makes it safe to hand the scratch back before the kernels have run.
            if (recomputedOut != null) recomputedOut.close();
            if (states != saved && states != null) states.close();
            if (partialB != null) partialB.close();
            if (partialC != null) partialC.close();
        }
    }

    private void launchForward(Tensor out, Tensor saved, ScanInputs in, int B, int T, int D, int N) {
        KernelArgs args = KernelArgs.of().ptr(ctx.ptr(out)).ptr(ctx.ptr(saved));
        inputArgs(args, in);
        args.i32(T).i32(D).i32(N).i32(chunks(T)).i32(in.deltaSoftplus() ? 1 : 0);
        ctx.launch(SOURCE, "selective_scan_fwd", channelGroups(D), B, 1, THREADS, 1, 1, 0, args);
    }

    private static int channelGroups(int D) { return (D + CHANNELS - 1) / CHANNELS; }

    private void inputArgs(KernelArgs args, ScanInputs in) {
        args.ptr(ctx.ptr(in.u())).ptr(ctx.ptr(in.delta())).ptr(ctx.ptr(in.a())).ptr(ctx.ptr(in.b()))
                .ptr(ctx.ptr(in.c())).ptr(ctx.ptrOrNull(in.dSkip())).ptr(ctx.ptrOrNull(in.z()))
                .ptr(ctx.ptrOrNull(in.deltaBias())).ptr(ctx.ptrOrNull(in.lengths()));
    }

    // ------------------------------------------------------------------ argument checks

    /** The shared scan checks, then the state size this kernel supports. */
    private ScanChecks.Dims checkInputs(String op, ScanInputs in) {
        ScanChecks.Dims dims = ScanChecks.inputs(op, in, ctx::hostInts);
        if (dims.states() > MAX_STATE) {
            throw Checks.error(op, "a " + in.a().shape() + " has N = " + dims.states()
                    + " states; the CUDA scan supports at most " + MAX_STATE);
        }
        return dims;
    }
}
