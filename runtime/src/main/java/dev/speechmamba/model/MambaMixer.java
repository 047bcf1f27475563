package dev.speechmamba.model;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.backend.ScanGrads;
import dev.speechmamba.backend.ScanInputs;
import dev.speechmamba.backend.Unary;
import dev.speechmamba.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * Mamba's mixer: in_proj (no bias) → split x, z → causal depthwise conv1d + SiLU → x_proj → (Δ, B, C)
 * → dt_proj (bias applied inside the scan) → selective scan with softplus on Δ, D skip and z gate →
 * out_proj (no bias). Explicit forward/backward, llm.c style: forward returns the activations that
 * backward needs; both run on any {@link Backend}.
 */
public final class MambaMixer {
    private final MambaConfig cfg;
    private final Parameter inProj;   // (2·Di, d)
    private final Parameter convW;    // (Di, K)
    private final Parameter convB;    // (Di)
    private final Parameter xProj;    // (R + 2N, Di)
    private final Parameter dtProj;   // (Di, R)
    private final Parameter dtBias;   // (Di)
    private final Parameter aLog;     // (Di, N)
    private final Parameter dSkip;    // (Di)
    private final Parameter outProj;  // (d, Di)

    /** Registers the mixer's weights under {@code prefix} with Mamba's standard initialisation. */
    public MambaMixer(ParameterSet params, String prefix, MambaConfig cfg, SplittableRandom rng) {
        this.cfg = cfg;
        int d = cfg.dModel(), di = cfg.dInner(), n = cfg.dState(), r = cfg.dtRank(), k = cfg.convKernel();
        inProj = params.add(prefix + "in_proj.weight", Init.uniform(rng, 2 * di * d, 1 / Math.sqrt(d)), 2 * di, d);
        convW = params.add(prefix + "conv1d.weight", Init.uniform(rng, di * k, 1 / Math.sqrt(k)), di, k);
        convB = params.add(prefix + "conv1d.bias", Init.uniform(rng, di, 1 / Math.sqrt(k)), di);
        xProj = params.add(prefix + "x_proj.weight", Init.uniform(rng, (r + 2 * n) * di, 1 / Math.sqrt(di)), r + 2 * n, di);
        double dtInitStd = 1 / Math.sqrt(r);
        dtProj = params.add(prefix + "dt_proj.weight", Init.uniform(rng, di * r, dtInitStd), di, r);
        // Δ starts log-uniform in [1e-3, 1e-1]; the bias is softplus⁻¹ of it, as in Mamba.
        float[] bias = new float[di];
        for (int i = 0; i < di; i++) {
            double dt = Math.exp(rng.nextDouble() * (Math.log(0.1) - Math.log(1e-3)) + Math.log(1e-3));
            bias[i] = (float) (dt + Math.log(-Math.expm1(-dt)));
        }
        dtBias = params.add(prefix + "dt_proj.bias", bias, di);
        float[] aInit = new float[di * n]; // A = -(1..N) per channel (S4D-real)
        for (int c = 0; c < di; c++) for (int s = 0; s < n; s++) aInit[c * n + s] = (float) Math.log(s + 1);
        aLog = params.add(prefix + "A_log", aInit, di, n);
        dSkip = params.add(prefix + "D", Init.constant(di, 1f), di);
        outProj = params.add(prefix + "out_proj.weight", Init.uniform(rng, d * di, 1 / Math.sqrt(di)), d, di);
    }

    /** Zeroes the output projection, so the mixer outputs zeros until training moves it. */
    void zeroOutput(Backend be) { be.fill(outProj.value(), 0f); }

    public MambaConfig config() { return cfg; }

    /** What forward keeps for backward; all tensors belong to the step's arena. */
    public record Activations(Tensor x, Tensor xs, Tensor z, Tensor xc, Tensor u, Tensor dtLow, Tensor bm,
                              Tensor cm, Tensor delta, Tensor a, Tensor y, Tensor scanSaved, Tensor lengths,
                              Tensor out) {
    }

    /**
     * @param x       (B, T, d)
     * @param lengths (B) I32 valid frames per row, or null
     * @return activations; {@code out} is (B, T, d)
     */
    public Activations forward(TensorArena arena, Tensor x, Tensor lengths) {
        Backend be = arena.backend();
        int batch = x.dim(0), time = x.dim(1), d = cfg.dModel(), di = cfg.dInner(), n = cfg.dState(), r = cfg.dtRank();
        int rows = batch * time;
        Tensor x2 = x.reshape(rows, d);
        Tensor xz = arena.zeros(rows, 2 * di);                                // (B·T, 2Di)
        be.matmul(xz, x2, false, inProj.value(), true, 1f, 0f);
        Tensor xs = arena.zeros(batch, time, di);                             // (B, T, Di)
        Tensor z = arena.zeros(batch, time, di);                              // (B, T, Di)
        be.sliceLastDim(xs.reshape(rows, di), xz, 0);
        be.sliceLastDim(z.reshape(rows, di), xz, di);
        Tensor xc = arena.zeros(batch, time, di);                             // (B, T, Di)
        be.causalConv1d(xc, xs, convW.value(), convB.value());
        Tensor u = arena.zeros(batch, time, di);                              // (B, T, Di)
        be.unary(Unary.SILU, u, xc);
        Tensor dbc = arena.zeros(rows, r + 2 * n);                            // (B·T, R+2N)
        be.matmul(dbc, u.reshape(rows, di), false, xProj.value(), true, 1f, 0f);
        Tensor dtLow = arena.zeros(rows, r);                                  // (B·T, R)
        Tensor bm = arena.zeros(batch, time, n);                              // (B, T, N)
        Tensor cm = arena.zeros(batch, time, n);                              // (B, T, N)
        be.sliceLastDim(dtLow, dbc, 0);
        be.sliceLastDim(bm.reshape(rows, n), dbc, r);
        be.sliceLastDim(cm.reshape(rows, n), dbc, r + n);
        Tensor delta = arena.zeros(batch, time, di);                          // (B, T, Di)
        be.matmul(delta.reshape(rows, di), dtLow, false, dtProj.value(), true, 1f, 0f);
        Tensor a = arena.zeros(di, n);                                        // (Di, N)
        be.unary(Unary.EXP, a, aLog.value());
        be.scale(a, -1f);
        Tensor y = arena.zeros(batch, time, di);                              // (B, T, Di)
        ScanInputs in = new ScanInputs(u, delta, a, bm, cm, dSkip.value(), z, dtBias.value(), true, lengths);
        Tensor saved = arena.own(be.selectiveScan(y, in));
        Tensor out = arena.zeros(batch, time, d);                             // (B, T, d)
        be.matmul(out.reshape(rows, d), y.reshape(rows, di), false, outProj.value(), true, 1f, 0f);
        return new Activations(x, xs, z, xc, u, dtLow, bm, cm, delta, a, y, saved, lengths, out);
    }

    // ------------------------------------------------------------------ one position at a time (decoding)

    /**
     * The mixer's recurrent state for B rows decoded one position at a time.
     *
     * @param convWindow (B, K, Di) the conv's last K inputs, oldest first (zeros before the first position)
     * @param ssm        (B, Di, N) the scan state
     */
    public record StepState(Tensor convWindow, Tensor ssm) implements SequenceBlock.StepState {
        @Override
        public StepState selectRows(TensorArena arena, Tensor rowIds) {
            Backend be = arena.backend();
            int rows = rowIds.dim(0), from = ssm.dim(0), k = convWindow.dim(1), di = convWindow.dim(2), n = ssm.dim(2);
            Tensor window = arena.zeros(rows, k, di);                         // (B', K, Di)
            be.embedding(window.reshape(rows, k * di), rowIds, convWindow.reshape(from, k * di));
            Tensor state = arena.zeros(rows, di, n);                           // (B', Di, N)
            be.embedding(state.reshape(rows, di * n), rowIds, ssm.reshape(from, di * n));
            return new StepState(window, state);
        }
    }

    /** The state before the first position: zero conv inputs and a zero scan state. */
    public StepState newStepState(TensorArena arena, int rows) {
        return new StepState(arena.zeros(rows, cfg.convKernel(), cfg.dInner()), arena.zeros(rows, cfg.dInner(), cfg.dState()));
    }

    /**
     * One new position per row, {@link #forward}'s computation for it given everything before it in
     * {@code state}, which moves on by one position. Intermediate tensors go to {@code arena}.
     *
     * @param x (B, 1, d)
     * @return (B, 1, d)
     */
    public Tensor step(TensorArena arena, Tensor x, StepState state) {
        Backend be = arena.backend();
        int rows = x.dim(0), d = cfg.dModel(), di = cfg.dInner(), n = cfg.dState(), r = cfg.dtRank(), k = cfg.convKernel();
        if (x.dim(1) != 1 || state.ssm().dim(0) != rows) {
            throw new IllegalArgumentException("mamba step: x " + x.shape() + " must be (B, 1, d) with B = the state's "
                    + state.ssm().dim(0) + " rows");
        }
        Tensor xz = arena.zeros(rows, 2 * di);                                // (B, 2Di)
        be.matmul(xz, x.reshape(rows, d), false, inProj.value(), true, 1f, 0f);
        Tensor xs = arena.zeros(rows, di);                                    // (B, Di)
        Tensor z = arena.zeros(rows, 1, di);                                  // (B, 1, Di)
        be.sliceLastDim(xs, xz, 0);
        be.sliceLastDim(z.reshape(rows, di), xz, di);
        // The window drops its oldest input and takes xs; the causal conv over the K-long window then ends
        // with exactly the output forward computes at this position.
        Tensor window = state.convWindow().reshape(rows, k * di);             // (B, K·Di)
        Tensor shifted = arena.zeros(rows, k * di);                           // (B, K·Di)
        if (k > 1) {
            Tensor older = arena.zeros(rows, (k - 1) * di);                   // (B, (K-1)·Di)
            be.sliceLastDim(older, window, di);
            be.sliceLastDimBackward(shifted, older, 0);
        }
        be.sliceLastDimBackward(shifted, xs, (k - 1) * di);
        be.copy(window, shifted);
        Tensor convOut = arena.zeros(rows, k, di);                            // (B, K, Di)
        be.causalConv1d(convOut, state.convWindow(), convW.value(), convB.value());
        Tensor xc = arena.zeros(rows, 1, di);                                 // (B, 1, Di)
        be.sliceLastDim(xc.reshape(rows, di), convOut.reshape(rows, k * di), (k - 1) * di);
        Tensor u = arena.zeros(rows, 1, di);                                  // (B, 1, Di)
        be.unary(Unary.SILU, u, xc);
        Tensor dbc = arena.zeros(rows, r + 2 * n);                            // (B, R+2N)
        be.matmul(dbc, u.reshape(rows, di), false, xProj.value(), true, 1f, 0f);
        Tensor dtLow = arena.zeros(rows, r);                                  // (B, R)
        Tensor bm = arena.zeros(rows, 1, n);                                  // (B, 1, N)
        Tensor cm = arena.zeros(rows, 1, n);                                  // (B, 1, N)
        be.sliceLastDim(dtLow, dbc, 0);
        be.sliceLastDim(bm.reshape(rows, n), dbc, r);
        be.sliceLastDim(cm.reshape(rows, n), dbc, r + n);
        Tensor delta = arena.zeros(rows, 1, di);                              // (B, 1, Di)
        be.matmul(delta.reshape(rows, di), dtLow, false, dtProj.value(), true, 1f, 0f);
        Tensor a = arena.zeros(di, n);                                        // (Di, N)
        be.unary(Unary.EXP, a, aLog.value());
        be.scale(a, -1f);
        Tensor y = arena.zeros(rows, 1, di);                                  // (B, 1, Di)
        be.selectiveScanStep(y, state.ssm(), new ScanInputs(u, delta, a, bm, cm, dSkip.value(), z, dtBias.value(), true, null));
        Tensor out = arena.zeros(rows, 1, d);                                 // (B, 1, d)
        be.matmul(out.reshape(rows, d), y.reshape(rows, di), false, outProj.value(), true, 1f, 0f);
        return out;
    }

    /** Accumulates into dx (B, T, d) and the weight gradients, given dOut (B, T, d). */
    public void backward(TensorArena arena, Tensor dx, Tensor dOut, Activations act) {
        Backend be = arena.backend();
        int batch = act.x().dim(0), time = act.x().dim(1), d = cfg.dModel(), di = cfg.dInner();
        int n = cfg.dState(), r = cfg.dtRank(), rows = batch * time;
        Tensor dy = arena.zeros(batch, time, di);
        be.matmulBackward(dy.reshape(rows, di), outProj.grad(), dOut.reshape(rows, d), act.y().reshape(rows, di),
                false, outProj.value(), true);
        Tensor du = arena.zeros(batch, time, di);
        Tensor dDelta = arena.zeros(batch, time, di);
        Tensor dA = arena.zeros(di, n);
        Tensor dBm = arena.zeros(batch, time, n);
        Tensor dCm = arena.zeros(batch, time, n);
        Tensor dz = arena.zeros(batch, time, di);
        ScanInputs in = new ScanInputs(act.u(), act.delta(), act.a(), act.bm(), act.cm(), dSkip.value(), act.z(),
                dtBias.value(), true, act.lengths());
        be.selectiveScanBackward(new ScanGrads(du, dDelta, dA, dBm, dCm, dSkip.grad(), dz, dtBias.grad()), dy, in,
                act.scanSaved());
        // A = -exp(A_log), so dA_log = dA · A.
        be.mulBackward(aLog.grad(), null, dA, act.a(), act.a());
        Tensor dDtLow = arena.zeros(rows, r);
        be.matmulBackward(dDtLow, dtProj.grad(), dDelta.reshape(rows, di), act.dtLow(), false, dtProj.value(), true);
        Tensor dDbc = arena.zeros(rows, r + 2 * n);
        be.sliceLastDimBackward(dDbc, dDtLow, 0);
        be.sliceLastDimBackward(dDbc, dBm.reshape(rows, n), r);
        be.sliceLastDimBackward(dDbc, dCm.reshape(rows, n), r + n);
        be.matmulBackward(du.reshape(rows, di), xProj.grad(), dDbc, act.u().reshape(rows, di), false,
                xProj.value(), true);
        Tensor dxc = arena.zeros(batch, time, di);
        be.unaryBackward(Unary.SILU, dxc, du, act.xc());
        Tensor dxs = arena.zeros(batch, time, di);
        be.causalConv1dBackward(dxs, convW.grad(), convB.grad(), dxc, act.xs(), convW.value());
        Tensor dxz = arena.zeros(rows, 2 * di);
        be.sliceLastDimBackward(dxz, dxs.reshape(rows, di), 0);
        be.sliceLastDimBackward(dxz, dz.reshape(rows, di), di);
        be.matmulBackward(dx.reshape(rows, d), inProj.grad(), dxz, act.x().reshape(rows, d), false, inProj.value(),
                true);
    }
}
