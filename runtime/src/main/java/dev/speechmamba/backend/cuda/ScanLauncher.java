package dev.speechmamba.backend.cuda;

import dev.speechmamba.backend.Checks;
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
        int[] dims = checkInputs(FORWARD, in);
        Checks.f32(FORWARD, "out", out);
        Checks.sameShape(FORWARD, "out", out, "u", in.u());
        int B = dims[0], T = dims[1], D = dims[2], N = dims[3];
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
        int[] dims = checkInputs(BACKWARD, in);
        int B = dims[0], T = dims[1], D = dims[2], N = dims[3];
        checkGrads(BACKWARD, g, dOut, in);
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

    // ------------------------------------------------------------------ argument checks (as SelectiveScanRef's)

    /** @return {B, T, D, N} */
    private int[] checkInputs(String op, ScanInputs in) {
        Checks.notNull(op, "inputs", in);
        Checks.f32(op, "u", in.u());
        Checks.shape(op, "u", in.u(), Checks.ANY, Checks.ANY, Checks.ANY);
        int B = in.u().dim(0), T = in.u().dim(1), D = in.u().dim(2);
        Checks.f32(op, "a", in.a());
        Checks.shape(op, "a", in.a(), D, Checks.ANY);
        int N = in.a().dim(1);
        if (N > MAX_STATE) {
            throw Checks.error(op, "a " + in.a().shape() + " has N = " + N + " states; the CUDA scan supports at most "
                    + MAX_STATE);
        }
        Checks.f32(op, "delta", in.delta());
        Checks.shape(op, "delta", in.delta(), B, T, D);
        Checks.f32(op, "b", in.b());
        Checks.shape(op, "b", in.b(), B, T, N);
        Checks.f32(op, "c", in.c());
        Checks.shape(op, "c", in.c(), B, T, N);
        if (in.dSkip() != null) {
            Checks.f32(op, "dSkip", in.dSkip());
            Checks.shape(op, "dSkip", in.dSkip(), D);
        }
        if (in.z() != null) {
            Checks.f32(op, "z", in.z());
            Checks.shape(op, "z", in.z(), B, T, D);
        }
        if (in.deltaBias() != null) {
            Checks.f32(op, "deltaBias", in.deltaBias());
            Checks.shape(op, "deltaBias", in.deltaBias(), D);
        }
        if (in.lengths() != null) {
            Checks.i32(op, "lengths", in.lengths());
            Checks.shape(op, "lengths", in.lengths(), B);
            Checks.lengths(op, "lengths", ctx.hostInts(in.lengths()), T);
        }
        return new int[] {B, T, D, N};
    }

    private static void checkGrads(String op, ScanGrads g, Tensor dOut, ScanInputs in) {
        Checks.notNull(op, "grads", g);
        Checks.f32(op, "dOut", dOut);
        Checks.sameShape(op, "dOut", dOut, "u", in.u());
        gradLike(op, "du", g.du(), "u", in.u());
        gradLike(op, "dDelta", g.dDelta(), "delta", in.delta());
        gradLike(op, "dA", g.dA(), "a", in.a());
        gradLike(op, "dB", g.dB(), "b", in.b());
        gradLike(op, "dC", g.dC(), "c", in.c());
        gradLike(op, "dSkip gradient", g.dSkip(), "dSkip", in.dSkip());
        gradLike(op, "dz", g.dz(), "z", in.z());
        gradLike(op, "dDeltaBias", g.dDeltaBias(), "deltaBias", in.deltaBias());
    }

    private static void gradLike(String op, String gradName, Tensor grad, String inputName, Tensor input) {
        if (grad == null) return;
        if (input == null) throw Checks.error(op, gradName + " is given but input " + inputName + " is null");
        Checks.f32(op, gradName, grad);
        Checks.sameShape(op, gradName, grad, inputName, input);
    }
}
