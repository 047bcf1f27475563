package dev.speechmamba.backend.cuda;

import dev.speechmamba.backend.Checks;
import dev.speechmamba.backend.ScanChecks;
import dev.speechmamba.backend.ScanGrads;
import dev.speechmamba.backend.ScanInputs;
import dev.speechmamba.cuda.KernelArgs;
import dev.speechmamba.tensor.DType;
import dev.speechmamba.tensor.Tensor;

/**
 * Launches the fused selective scan (cuda-kernels/src/selective_scan.cu). The forward saves the state entering
 * every {@link #CHUNK}-step chunk, (B, D, nChunks, N), which the backward uses to recompute each chunk.
 *
 * <p>Two forward kernels write the same outputs and the same saved states; the system property
 * {@value #FORWARD_KERNEL_PROPERTY} picks one, read once per launcher (that is, per CUDA backend):
 * <ul>
 *   <li>{@code auto} (default): v2 when N &ge; {@link #V2_MIN_STATES}, else v1. Measured on an H200 (B=1, D=1024,
 *       T=16384): N=256 v2 8.3 ms vs v1 18.8 ms; N=16 v2 3.8 ms vs v1 2.3 ms — with few states per lane v2's
 *       sequential walk over time has too little work per step to hide its latency.</li>
 *   <li>{@code v2}: {@code selective_scan_fwd_v2}, "lane per state": one warp per channel, lane l
 *       owns the states l + 32 j and walks time sequentially; the partial outputs are summed across lanes
 *       once per {@link #V2_STEPS} steps through shared memory, and the B/C rows are staged in dynamic
 *       shared memory ({@link #sharedBytesV2}) with asynchronous copies.</li>
 *   <li>{@code v1}: {@code selective_scan_fwd}, one block per ({@link #CHANNELS} channels, batch row b), time
 *       in chunks scanned in parallel across the warp's lanes with shuffles.</li>
 * </ul>
 * The backward always uses the v1-family kernels.
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
    // Mirrors ScanTraitsV2 in scan_traits.cuh.
    static final int V2_CHANNELS = 8;
    static final int V2_THREADS = V2_CHANNELS * 32;
    static final int V2_STEPS = 32;
    static final int V2_REDUCE_STRIDE = V2_STEPS + 1;
    /** Smallest state size for which {@code auto} picks v2. */
    static final int V2_MIN_STATES = 64;

    /** System property choosing the forward kernel: {@code auto} (default), {@code v1} or {@code v2}. */
    static final String FORWARD_KERNEL_PROPERTY = "speechmamba.cuda.scanForward";

    /** The forward kernels, by the property value that selects them. */
    enum ForwardKernel {
        AUTO("auto", null),
        V1("v1", "selective_scan_fwd"),
        V2("v2", "selective_scan_fwd_v2");

        final String value;
        final String kernelName;

        ForwardKernel(String value, String kernelName) {
            this.value = value;
            this.kernelName = kernelName;
        }

        /** The kernel named by a property value; null (property unset) means the default, auto. */
        static ForwardKernel parse(String propertyValue) {
            if (propertyValue == null) return AUTO;
            for (ForwardKernel k : values()) {
                if (k.value.equals(propertyValue.trim())) return k;
            }
            throw new IllegalArgumentException("system property " + FORWARD_KERNEL_PROPERTY + " = '" + propertyValue
                    + "' is not a scan forward kernel; allowed values: auto, v1, v2 (default auto)");
        }

        /** The kernel named by {@value #FORWARD_KERNEL_PROPERTY} now. */
        static ForwardKernel fromProperty() { return parse(System.getProperty(FORWARD_KERNEL_PROPERTY)); }
    }

    private static final String FORWARD = "selectiveScan";
    private static final String BACKWARD = "selectiveScanBackward";

    private final CudaContext ctx;
    private final ForwardKernel forwardKernel;

    /** A launcher whose forward kernel is chosen by {@value #FORWARD_KERNEL_PROPERTY}. */
    ScanLauncher(CudaContext ctx) { this(ctx, ForwardKernel.fromProperty()); }

    ScanLauncher(CudaContext ctx, ForwardKernel forwardKernel) {
        this.ctx = ctx;
        this.forwardKernel = forwardKernel;
    }

    ForwardKernel forwardKernel() { return forwardKernel; }

    /**
     * Dynamic shared memory of selective_scan_fwd_v2 for N states: two buffers of the B and C rows of a
     * tile, (2, 2, V2_STEPS, N), then each warp's (32, V2_REDUCE_STRIDE) partial outputs; 161 KiB at N = 256.
     */
    static int sharedBytesV2(int N) {
        return Float.BYTES * (4 * V2_STEPS * N + V2_CHANNELS * 32 * V2_REDUCE_STRIDE);
    }

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

    /** Threads per block of selective_scan_step: one thread per (b, d), each looping over the N states. */
    static final int STEP_THREADS = 128;

    /** out (B, 1, D) = one scan step from {@code state} (B, D, N), which is overwritten with the new state. */
    void step(Tensor out, Tensor state, ScanInputs in) {
        String op = "selectiveScanStep";
        ScanChecks.Dims dims = ScanChecks.step(op, out, state, in, ctx::hostInts);
        int B = dims.batch(), D = dims.channels(), N = dims.states();
        KernelArgs args = KernelArgs.of().ptr(ctx.ptr(out)).ptr(ctx.ptr(state))
                .ptr(ctx.ptr(in.u())).ptr(ctx.ptr(in.delta())).ptr(ctx.ptr(in.a())).ptr(ctx.ptr(in.b()))
                .ptr(ctx.ptr(in.c())).ptr(ctx.ptrOrNull(in.dSkip())).ptr(ctx.ptrOrNull(in.z()))
                .ptr(ctx.ptrOrNull(in.deltaBias())).i32(B).i32(D).i32(N).i32(in.deltaSoftplus() ? 1 : 0);
        ctx.launch(SOURCE, "selective_scan_step", ctx.gridFor((long) B * D, STEP_THREADS), 1, 1, STEP_THREADS, 1, 1, 0, args);
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
        ForwardKernel kernel = resolve(forwardKernel, N);
        switch (kernel) {
            case V1 -> ctx.launch(SOURCE, kernel.kernelName, channelGroups(D), B, 1, THREADS, 1, 1, 0, args);
            case V2 -> ctx.launch(SOURCE, kernel.kernelName, (D + V2_CHANNELS - 1) / V2_CHANNELS, B, 1,
                    V2_THREADS, 1, 1, sharedBytesV2(N), args);
            case AUTO -> throw new IllegalStateException("auto resolves to v1 or v2");
        }
    }

    /** The kernel that runs for N states: {@code auto} resolved by {@link #V2_MIN_STATES}, the others as chosen. */
    static ForwardKernel resolve(ForwardKernel chosen, int states) {
        if (chosen != ForwardKernel.AUTO) return chosen;
        return states >= V2_MIN_STATES ? ForwardKernel.V2 : ForwardKernel.V1;
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
