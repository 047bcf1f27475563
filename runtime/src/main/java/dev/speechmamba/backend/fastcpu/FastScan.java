package dev.speechmamba.backend.fastcpu;

import dev.speechmamba.backend.Checks;
import dev.speechmamba.backend.ScanGrads;
import dev.speechmamba.backend.ScanInputs;
import dev.speechmamba.tensor.Tensor;

/**
 * The selective scan on the CPU: work items are (batch row, block of channels); each keeps the state of
 * its channels (block × N floats) and runs the time loop inside, so u, delta and z are read a block of
 * channels at a time and B_t, C_t once per block. The backward pass recomputes the forward states of its
 * block (kept for the whole row, T × block × N floats) and runs the adjoint recurrence backwards in time.
 * dB and dC sum over channels, and dA, dSkip and dDeltaBias over batch rows, so each work item adds into
 * private partials that are merged in a fixed order afterwards.
 */
final class FastScan {
    /** Channels per work item. */
    private static final int BLOCK = 16;

    private final FastParallel par;

    FastScan(FastParallel par) { this.par = par; }

    /** Host views of the scan inputs with their sizes. */
    private record Views(int batch, int t, int d, int n,
                         float[] u, int uo, float[] delta, int deltaO, float[] a, int ao, float[] bm, int bo,
                         float[] cm, int co, float[] skip, int skipO, float[] z, int zo, float[] bias, int biasO,
                         boolean softplus, int[] lengths) { }

    private static Views views(String op, ScanInputs in) {
        Checks.notNull(op, "inputs", in);
        Checks.f32(op, "u", in.u());
        if (in.u().rank() != 3) throw Checks.error(op, "u has shape " + in.u().shape() + ", expected (B, T, D)");
        int batch = in.u().dim(0), t = in.u().dim(1), d = in.u().dim(2);
        Checks.f32(op, "delta", in.delta());
        Checks.shape(op, "delta", in.delta(), batch, t, d);
        Checks.f32(op, "a", in.a());
        Checks.shape(op, "a", in.a(), d, Checks.ANY);
        int n = in.a().dim(1);
        Checks.f32(op, "b", in.b());
        Checks.shape(op, "b", in.b(), batch, t, n);
        Checks.f32(op, "c", in.c());
        Checks.shape(op, "c", in.c(), batch, t, n);
        if (in.dSkip() != null) { Checks.f32(op, "dSkip", in.dSkip()); Checks.shape(op, "dSkip", in.dSkip(), d); }
        if (in.z() != null) { Checks.f32(op, "z", in.z()); Checks.shape(op, "z", in.z(), batch, t, d); }
        if (in.deltaBias() != null) {
            Checks.f32(op, "deltaBias", in.deltaBias());
            Checks.shape(op, "deltaBias", in.deltaBias(), d);
        }
        int[] lengths;
        if (in.lengths() != null) {
            Checks.i32(op, "lengths", in.lengths());
            Checks.shape(op, "lengths", in.lengths(), batch);
            lengths = FastHost.intsCopy(op, in.lengths());
            Checks.lengths(op, "lengths", lengths, t);
        } else {
            lengths = new int[batch];
            java.util.Arrays.fill(lengths, t);
        }
        return new Views(batch, t, d, n,
                FastHost.floats(op, in.u()), FastHost.off(in.u()), FastHost.floats(op, in.delta()), FastHost.off(in.delta()),
                FastHost.floats(op, in.a()), FastHost.off(in.a()), FastHost.floats(op, in.b()), FastHost.off(in.b()),
                FastHost.floats(op, in.c()), FastHost.off(in.c()),
                in.dSkip() == null ? null : FastHost.floats(op, in.dSkip()), in.dSkip() == null ? 0 : FastHost.off(in.dSkip()),
                in.z() == null ? null : FastHost.floats(op, in.z()), in.z() == null ? 0 : FastHost.off(in.z()),
                in.deltaBias() == null ? null : FastHost.floats(op, in.deltaBias()),
                in.deltaBias() == null ? 0 : FastHost.off(in.deltaBias()),
                in.deltaSoftplus(), lengths);
    }

    private static float dtOf(Views v, int idx, int ch) {
        float raw = v.delta[v.deltaO + idx] + (v.bias == null ? 0f : v.bias[v.biasO + ch]);
        return v.softplus ? FastElementwise.softplus(raw) : raw;
    }

    Tensor selectiveScan(Tensor out, ScanInputs in) {
        String op = "selectiveScan";
        Views v = views(op, in);
        Checks.f32(op, "out", out);
        Checks.shape(op, "out", out, v.batch, v.t, v.d);
        float[] o = FastHost.floats(op, out);
        int oo = FastHost.off(out);
        int blocks = (v.d + BLOCK - 1) / BLOCK;
        int n = v.n, d = v.d, t = v.t;
        par.forRange(v.batch * blocks, 10L * t * BLOCK * n, (from, to) -> {
            float[] h = new float[BLOCK * n]; // (block, N)
            for (int item = from; item < to; item++) {
                int b = item / blocks, d0 = (item % blocks) * BLOCK, d1 = Math.min(d, d0 + BLOCK);
                java.util.Arrays.fill(h, 0f);
                int len = v.lengths[b];
                for (int tt = 0; tt < t; tt++) {
                    int row = (b * t + tt) * d;
                    if (tt >= len) {
                        for (int ch = d0; ch < d1; ch++) o[oo + row + ch] = 0f;
                        continue;
                    }
                    int bc = (b * t + tt) * n;
                    for (int ch = d0; ch < d1; ch++) {
                        int idx = row + ch;
                        float dt = dtOf(v, idx, ch), u = v.u[v.uo + idx];
                        float dtu = dt * u;
                        int hs = (ch - d0) * n, as = v.ao + ch * n;
                        float y = 0f;
                        for (int s = 0; s < n; s++) {
                            float hv = (float) Math.exp(dt * v.a[as + s]) * h[hs + s] + dtu * v.bm[v.bo + bc + s];
                            h[hs + s] = hv;
                            y += v.cm[v.co + bc + s] * hv;
                        }
                        if (v.skip != null) y += v.skip[v.skipO + ch] * u;
                        if (v.z != null) y *= FastElementwise.silu(v.z[v.zo + idx]);
                        o[oo + idx] = y;
                    }
                }
            }
        });
        return null;
    }

    void selectiveScanBackward(ScanGrads grads, Tensor dOut, ScanInputs in, Tensor saved) {
        String op = "selectiveScanBackward";
        Checks.notNull(op, "grads", grads);
        Views v = views(op, in);
        Checks.f32(op, "dOut", dOut);
        Checks.shape(op, "dOut", dOut, v.batch, v.t, v.d);
        checkGrad(op, "du", grads.du(), in.u());
        checkGrad(op, "dDelta", grads.dDelta(), in.delta());
        checkGrad(op, "dA", grads.dA(), in.a());
        checkGrad(op, "dB", grads.dB(), in.b());
        checkGrad(op, "dC", grads.dC(), in.c());
        checkOptionalGrad(op, "dSkip", grads.dSkip(), "dSkip", in.dSkip());
        checkOptionalGrad(op, "dz", grads.dz(), "z", in.z());
        checkOptionalGrad(op, "dDeltaBias", grads.dDeltaBias(), "deltaBias", in.deltaBias());
        // saved is always null here: this backend recomputes the forward states.

        float[] g = FastHost.floats(op, dOut);
        int go = FastHost.off(dOut);
        int n = v.n, d = v.d, t = v.t;
        int blocks = (d + BLOCK - 1) / BLOCK;
        int items = v.batch * blocks;
        int chunks = par.chunkCount(items, 30L * t * BLOCK * n);
        boolean needB = grads.dB() != null, needC = grads.dC() != null;
        boolean needA = grads.dA() != null, needSkip = grads.dSkip() != null, needBias = grads.dDeltaBias() != null;
        // Per chunk partials: dB and dC over (B, T, N), and dA (D, N), dSkip (D), dDeltaBias (D) in double.
        float[][] dBPart = new float[chunks][], dCPart = new float[chunks][];
        double[][] dAPart = new double[chunks][], dSkipPart = new double[chunks][], dBiasPart = new double[chunks][];
        float[] du = grads.du() == null ? null : FastHost.floats(op, grads.du());
        int duo = grads.du() == null ? 0 : FastHost.off(grads.du());
        float[] dDelta = grads.dDelta() == null ? null : FastHost.floats(op, grads.dDelta());
        int dDeltaO = grads.dDelta() == null ? 0 : FastHost.off(grads.dDelta());
        float[] dz = grads.dz() == null ? null : FastHost.floats(op, grads.dz());
        int dzo = grads.dz() == null ? 0 : FastHost.off(grads.dz());

        par.forChunks(items, 30L * t * BLOCK * n, (chunk, from, to) -> {
            float[] pB = needB ? new float[v.batch * t * n] : null;
            float[] pC = needC ? new float[v.batch * t * n] : null;
            double[] pA = needA ? new double[d * n] : null;
            double[] pSkip = needSkip ? new double[d] : null;
            double[] pBias = needBias ? new double[d] : null;
            float[] states = new float[(t + 1) * BLOCK * n]; // (T + 1, block, N); row 0 is h_{-1} = 0
            float[] dh = new float[BLOCK * n];
            for (int item = from; item < to; item++) {
                int b = item / blocks, d0 = (item % blocks) * BLOCK, d1 = Math.min(d, d0 + BLOCK), width = d1 - d0;
                int len = v.lengths[b];
                int stride = width * n;
                java.util.Arrays.fill(states, 0, stride, 0f);
                for (int tt = 0; tt < len; tt++) {
                    int row = (b * t + tt) * d, bc = v.bo + (b * t + tt) * n;
                    int prev = tt * stride, cur = (tt + 1) * stride;
                    for (int ch = d0; ch < d1; ch++) {
                        int idx = row + ch;
                        float dt = dtOf(v, idx, ch), dtu = dt * v.u[v.uo + idx];
                        int hs = (ch - d0) * n, as = v.ao + ch * n;
                        for (int s = 0; s < n; s++) {
                            states[cur + hs + s] = (float) Math.exp(dt * v.a[as + s]) * states[prev + hs + s]
                                    + dtu * v.bm[bc + s];
                        }
                    }
                }
                java.util.Arrays.fill(dh, 0f);
                for (int tt = len - 1; tt >= 0; tt--) {
                    int row = (b * t + tt) * d, bcRel = (b * t + tt) * n;
                    int bc = v.bo + bcRel, cc = v.co + bcRel;
                    int prev = tt * stride, cur = (tt + 1) * stride;
                    for (int ch = d0; ch < d1; ch++) {
                        int idx = row + ch;
                        float u = v.u[v.uo + idx];
                        float raw = v.delta[v.deltaO + idx] + (v.bias == null ? 0f : v.bias[v.biasO + ch]);
                        float dt = v.softplus ? FastElementwise.softplus(raw) : raw;
                        int hs = (ch - d0) * n, as = v.ao + ch * n;
                        float gOut = g[go + idx];
                        float gy = gOut;
                        if (v.z != null) {
                            float zv = v.z[v.zo + idx];
                            gy = gOut * FastElementwise.silu(zv);
                            if (dz != null) {
                                float y = 0f;
                                for (int s = 0; s < n; s++) y += v.cm[cc + s] * states[cur + hs + s];
                                if (v.skip != null) y += v.skip[v.skipO + ch] * u;
                                dz[dzo + idx] += gOut * y * FastElementwise.siluDerivative(zv);
                            }
                        }
                        float dU = 0f, dDt = 0f;
                        if (v.skip != null) {
                            float skip = v.skip[v.skipO + ch];
                            dU += gy * skip;
                            if (pSkip != null) pSkip[ch] += (double) gy * u;
                        }
                        for (int s = 0; s < n; s++) {
                            float hv = states[cur + hs + s];
                            if (pC != null) pC[bcRel + s] += gy * hv;
                            float dhv = dh[hs + s] + gy * v.cm[cc + s];
                            float aVal = v.a[as + s];
                            float decay = (float) Math.exp(dt * aVal);
                            float hPrev = states[prev + hs + s];
                            float bVal = v.bm[bc + s];
                            // h = decay·hPrev + dt·B·u
                            float dDecay = dhv * hPrev;
                            dDt += dDecay * decay * aVal + dhv * bVal * u;
                            if (pA != null) pA[ch * n + s] += (double) dDecay * decay * dt;
                            if (pB != null) pB[bcRel + s] += dhv * dt * u;
                            dU += dhv * dt * bVal;
                            dh[hs + s] = dhv * decay;
                        }
                        if (du != null) du[duo + idx] += dU;
                        float dRaw = v.softplus ? (raw > 20f ? dDt : dDt * FastElementwise.sigmoid(raw)) : dDt;
                        if (dDelta != null) dDelta[dDeltaO + idx] += dRaw;
                        if (pBias != null) pBias[ch] += dRaw;
                    }
                }
            }
            dBPart[chunk] = pB;
            dCPart[chunk] = pC;
            dAPart[chunk] = pA;
            dSkipPart[chunk] = pSkip;
            dBiasPart[chunk] = pBias;
        });
        if (needB) mergeFloat(op, grads.dB(), dBPart);
        if (needC) mergeFloat(op, grads.dC(), dCPart);
        if (needA) mergeDouble(op, grads.dA(), dAPart);
        if (needSkip) mergeDouble(op, grads.dSkip(), dSkipPart);
        if (needBias) mergeDouble(op, grads.dDeltaBias(), dBiasPart);
    }

    private void mergeFloat(String op, Tensor dst, float[][] parts) {
        float[] out = FastHost.floats(op, dst);
        int off = FastHost.off(dst);
        par.forRange(FastHost.size(dst), parts.length, (from, to) -> {
            for (float[] p : parts) {
                if (p == null) continue;
                for (int i = from; i < to; i++) out[off + i] += p[i];
            }
        });
    }

    private static void mergeDouble(String op, Tensor dst, double[][] parts) {
        float[] out = FastHost.floats(op, dst);
        int off = FastHost.off(dst);
        int size = FastHost.size(dst);
        for (int i = 0; i < size; i++) {
            double s = out[off + i];
            for (double[] p : parts) if (p != null) s += p[i];
            out[off + i] = (float) s;
        }
    }

    private static void checkGrad(String op, String name, Tensor grad, Tensor like) {
        if (grad == null) return;
        Checks.f32(op, name, grad);
        Checks.shape(op, name, grad, like.shape().dims());
    }

    private static void checkOptionalGrad(String op, String name, Tensor grad, String inputName, Tensor input) {
        if (grad == null) return;
        if (input == null) throw Checks.error(op, name + " is given but the input " + inputName + " is null");
        checkGrad(op, name, grad, input);
    }
}
