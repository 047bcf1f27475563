package dev.speechmamba.backend.fastcpu;

import dev.speechmamba.backend.Checks;
import dev.speechmamba.backend.ScanChecks;
import dev.speechmamba.backend.ScanGrads;
import dev.speechmamba.backend.ScanInputs;
import dev.speechmamba.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The selective scan on the CPU: work items are (batch row, block of channels); each keeps the state of
 * its channels (N × block floats) and runs the time loop inside, so u, delta and z are read a block of
 * channels at a time and B_t, C_t once per block. Forward and backward are vectorized across channels with
 * the loop over the N states inside: outputs and per-channel gradients then need no lane sums (a lane sum
 * per channel and step was most of the scan's time at N = 16). The backward recomputes the forward states of
 * its block (kept for the whole row, T × N × block floats) and runs the adjoint recurrence backwards in time.
 * dB and dC sum over channels (lane partials, summed once per block), and dA, dSkip and dDeltaBias over batch
 * rows, so each work item adds into private partials that are merged in a fixed order afterwards. One step
 * with a carried state ({@link #selectiveScanStep}) keeps the (B, D, N) state layout and vectorizes over N.
 */
final class FastScan {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int V = S.length();

    /** Channels per work item of the forward and of one step. */
    private static final int BLOCK = 16;

    /**
     * Channels per work item of the backward: several vectors, so that the sums over channels that dB and dC need
     * are lane sums once per (time, state) and block rather than once per vector.
     */
    private static final int BACKWARD_BLOCK = 64;

    private final FastParallel par;

    FastScan(FastParallel par) { this.par = par; }

    /** Host views of the scan inputs with their sizes. */
    private record Views(int batch, int t, int d, int n,
                         float[] u, int uo, float[] delta, int deltaO, float[] a, int ao, float[] bm, int bo,
                         float[] cm, int co, float[] skip, int skipO, float[] z, int zo, float[] bias, int biasO,
                         boolean softplus, int[] lengths) { }

    private static Views views(String op, ScanInputs in) {
        ScanChecks.Dims dims = ScanChecks.inputs(op, in, lengthsTensor -> FastHost.intsCopy(op, lengthsTensor));
        int batch = dims.batch(), t = dims.time(), d = dims.channels(), n = dims.states();
        int[] lengths = dims.lengths();
        if (lengths == null) {
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

    /**
     * dt for channels [ch0, ch0 + width) at flat (b, t, d) index idx0: delta + bias, then softplus (the
     * identity above 20, as PyTorch) when asked; slope, when non-null, gets d dt / d delta. Vectorized
     * across channels so the transcendental work is SIMD too.
     */
    private static void timeSteps(Views v, int idx0, int ch0, int width, float[] dt, float[] slope) {
        int j = 0;
        for (int bound = S.loopBound(width); j < bound; j += V) {
            FloatVector raw = FloatVector.fromArray(S, v.delta, v.deltaO + idx0 + j);
            if (v.bias != null) raw = raw.add(FloatVector.fromArray(S, v.bias, v.biasO + ch0 + j));
            if (!v.softplus) {
                raw.intoArray(dt, j);
                if (slope != null) FloatVector.broadcast(S, 1f).intoArray(slope, j);
                continue;
            }
            // FastMath's softplus, not lanewise(LOG1P): the Vector API leaves that one implementation-defined.
            FastMath.softplus(raw).intoArray(dt, j);
            if (slope != null) FastMath.softplusSlope(raw).intoArray(slope, j);
        }
        for (; j < width; j++) {
            float raw = v.delta[v.deltaO + idx0 + j] + (v.bias == null ? 0f : v.bias[v.biasO + ch0 + j]);
            dt[j] = v.softplus ? FastMath.softplus(raw) : raw;
            if (slope != null) slope[j] = v.softplus ? FastMath.softplusSlope(raw) : 1f;
        }
    }

    /** silu(z) for z[off, off + width) into gate, and when non-null its derivative into slope; vectorized. */
    private static void gates(float[] z, int off, int width, float[] gate, float[] slope) {
        int j = 0;
        for (int bound = S.loopBound(width); j < bound; j += V) {
            FloatVector zv = FloatVector.fromArray(S, z, off + j);
            FloatVector sig = FloatVector.broadcast(S, 1f).div(FastMath.exp(zv.neg()).add(1f));
            zv.mul(sig).intoArray(gate, j);
            if (slope != null) sig.mul(zv.mul(sig.neg().add(1f)).add(1f)).intoArray(slope, j);
        }
        for (; j < width; j++) {
            gate[j] = FastElementwise.silu(z[off + j]);
            if (slope != null) slope[j] = FastElementwise.siluDerivative(z[off + j]);
        }
    }

    Tensor selectiveScan(Tensor out, ScanInputs in) {
        String op = "selectiveScan";
        Views v = views(op, in);
        ScanChecks.output(op, out, in);
        float[] o = FastHost.floats(op, out);
        int oo = FastHost.off(out);
        int blocks = (v.d + BLOCK - 1) / BLOCK;
        int n = v.n, d = v.d, t = v.t;
        float[] aT = transposedA(v);                                          // (N, D)
        par.forRange(v.batch * blocks, 10L * t * BLOCK * n, (from, to) -> {
            float[] h = new float[n * BLOCK]; // (N, block): the state, channels contiguous per state
            float[] dtRow = new float[BLOCK], gateRow = new float[BLOCK], yRow = new float[BLOCK]; // (block)
            for (int item = from; item < to; item++) {
                int b = item / blocks, d0 = (item % blocks) * BLOCK, d1 = Math.min(d, d0 + BLOCK), width = d1 - d0;
                java.util.Arrays.fill(h, 0f);
                int len = v.lengths[b];
                for (int tt = 0; tt < t; tt++) {
                    int row = (b * t + tt) * d;
                    if (tt >= len) {
                        for (int ch = d0; ch < d1; ch++) o[oo + row + ch] = 0f;
                        continue;
                    }
                    int bc = (b * t + tt) * n;
                    timeSteps(v, row + d0, d0, width, dtRow, null);
                    if (v.z != null) gates(v.z, v.zo + row + d0, width, gateRow, null);
                    stepChannels(h, aT, d, d0, width, v.bm, v.bo + bc, v.cm, v.co + bc, dtRow, v.u, v.uo + row + d0, n, yRow);
                    for (int ch = d0; ch < d1; ch++) {
                        float y = yRow[ch - d0];
                        if (v.skip != null) y += v.skip[v.skipO + ch] * v.u[v.uo + row + ch];
                        if (v.z != null) y *= gateRow[ch - d0];
                        o[oo + row + ch] = y;
                    }
                }
            }
        });
        return null;
    }

    /** A (D, N) as (N, D), so that one state's decay rates of consecutive channels are one vector load. */
    private static float[] transposedA(Views v) {
        float[] aT = new float[v.n * v.d];
        for (int c = 0; c < v.d; c++) for (int s = 0; s < v.n; s++) aT[s * v.d + c] = v.a[v.ao + c * v.n + s];
        return aT;
    }

    /**
     * One time step for channels [d0, d0 + width), vectorized across channels and looping over the N states,
     * so the output needs no lane sum: h (N, BLOCK) is updated in place, y[c] = Σ_s C_s·h[s, c] (before skip and
     * gate). The channels past the last full vector take the same fused operations in scalar form.
     */
    private static void stepChannels(float[] h, float[] aT, int d, int d0, int width, float[] bm, int bOff, float[] cm,
                                     int cOff, float[] dt, float[] u, int uOff, int n, float[] y) {
        int c = 0;
        for (int bound = S.loopBound(width); c < bound; c += V) {
            FloatVector dtv = FloatVector.fromArray(S, dt, c);
            FloatVector dtu = dtv.mul(FloatVector.fromArray(S, u, uOff + c));
            FloatVector yv = FloatVector.zero(S);
            for (int s = 0; s < n; s++) {
                FloatVector decay = FastMath.exp(FloatVector.fromArray(S, aT, s * d + d0 + c).mul(dtv));
                FloatVector hv = decay.fma(FloatVector.fromArray(S, h, s * BLOCK + c), dtu.mul(bm[bOff + s]));
                hv.intoArray(h, s * BLOCK + c);
                yv = hv.fma(FloatVector.broadcast(S, cm[cOff + s]), yv);
            }
            yv.intoArray(y, c);
        }
        for (; c < width; c++) {
            float dtc = dt[c], dtu = dtc * u[uOff + c], yc = 0f;
            for (int s = 0; s < n; s++) {
                float decay = FastMath.exp(aT[s * d + d0 + c] * dtc);
                float hv = Math.fma(decay, h[s * BLOCK + c], dtu * bm[bOff + s]);
                h[s * BLOCK + c] = hv;
                yc = Math.fma(hv, cm[cOff + s], yc);
            }
            y[c] = yc;
        }
    }

    /**
     * One step from the carried state (B, D, N): the forward's per-step work (same time-step, gate and state
     * update code), with h read from and written back to the state tensor.
     */
    void selectiveScanStep(Tensor out, Tensor state, ScanInputs in) {
        String op = "selectiveScanStep";
        ScanChecks.step(op, out, state, in, lengthsTensor -> FastHost.intsCopy(op, lengthsTensor));
        Views v = views(op, in);
        float[] o = FastHost.floats(op, out), h = FastHost.floats(op, state);
        int oo = FastHost.off(out), ho = FastHost.off(state);
        int blocks = (v.d + BLOCK - 1) / BLOCK;
        int n = v.n, d = v.d;
        par.forRange(v.batch * blocks, 10L * BLOCK * n, (from, to) -> {
            float[] dtRow = new float[BLOCK], gateRow = new float[BLOCK]; // (block)
            for (int item = from; item < to; item++) {
                int b = item / blocks, d0 = (item % blocks) * BLOCK, d1 = Math.min(d, d0 + BLOCK);
                int row = b * d, bc = b * n;
                timeSteps(v, row + d0, d0, d1 - d0, dtRow, null);
                if (v.z != null) gates(v.z, v.zo + row + d0, d1 - d0, gateRow, null);
                for (int ch = d0; ch < d1; ch++) {
                    int idx = row + ch;
                    float dt = dtRow[ch - d0], u = v.u[v.uo + idx];
                    int hs = ho + idx * n;
                    float y = step(h, hs, h, hs, v.a, v.ao + ch * n, v.bm, v.bo + bc, v.cm, v.co + bc, dt, dt * u, n);
                    if (v.skip != null) y += v.skip[v.skipO + ch] * u;
                    if (v.z != null) y *= gateRow[ch - d0];
                    o[oo + idx] = y;
                }
            }
        });
    }

    void selectiveScanBackward(ScanGrads grads, Tensor dOut, ScanInputs in, Tensor saved) {
        String op = "selectiveScanBackward";
        Views v = views(op, in);
        ScanChecks.grads(op, grads, dOut, in);
        if (saved != null) {
            throw Checks.error(op, "this backend saves nothing (it recomputes the states), but got saved "
                    + saved.shape() + " (from another backend?)");
        }

        float[] g = FastHost.floats(op, dOut);
        int go = FastHost.off(dOut);
        int n = v.n, d = v.d, t = v.t;
        int blocks = (d + BACKWARD_BLOCK - 1) / BACKWARD_BLOCK;
        int items = v.batch * blocks;
        long cost = 40L * t * BACKWARD_BLOCK * n;
        int chunks = par.chunkCount(items, cost);
        boolean needB = grads.dB() != null, needC = grads.dC() != null;
        boolean needA = grads.dA() != null, needSkip = grads.dSkip() != null, needBias = grads.dDeltaBias() != null;
        // Per chunk partials: dB and dC (B, T, N), dA as (N, D), in float; dSkip (D) and dDeltaBias (D) in double.
        float[][] dBPart = new float[chunks][], dCPart = new float[chunks][];
        float[][] dATPart = new float[chunks][];
        double[][] dSkipPart = new double[chunks][], dBiasPart = new double[chunks][];
        float[] du = grads.du() == null ? null : FastHost.floats(op, grads.du());
        int duo = grads.du() == null ? 0 : FastHost.off(grads.du());
        float[] dDelta = grads.dDelta() == null ? null : FastHost.floats(op, grads.dDelta());
        int dDeltaO = grads.dDelta() == null ? 0 : FastHost.off(grads.dDelta());
        float[] dz = grads.dz() == null ? null : FastHost.floats(op, grads.dz());
        int dzo = grads.dz() == null ? 0 : FastHost.off(grads.dz());
        float[] aT = transposedA(v);                                          // (N, D)

        par.forChunks(items, cost, (chunk, from, to) -> {
            float[] pB = needB ? new float[v.batch * t * n] : null;
            float[] pC = needC ? new float[v.batch * t * n] : null;
            float[] pAT = needA ? new float[n * d] : null;
            double[] pSkip = needSkip ? new double[d] : null;
            double[] pBias = needBias ? new double[d] : null;
            int stride = n * BACKWARD_BLOCK;
            float[] states = new float[(t + 1) * stride]; // (T + 1, N, block); row 0 is h_{-1} = 0
            float[] dh = new float[stride];               // (N, block): adjoint of the state
            // The dB and dC sums over this block's channels, per (time, state), kept as V lanes and summed once per
            // block: (T, N, V).
            float[] laneB = needB ? new float[t * n * V] : null, laneC = needC ? new float[t * n * V] : null;
            float[] dtRow = new float[BACKWARD_BLOCK], dtSlope = new float[BACKWARD_BLOCK];
            float[] gateRow = new float[BACKWARD_BLOCK], gateSlope = new float[BACKWARD_BLOCK];
            float[] gyRow = new float[BACKWARD_BLOCK], dRawRow = new float[BACKWARD_BLOCK];
            for (int item = from; item < to; item++) {
                int b = item / blocks, d0 = (item % blocks) * BACKWARD_BLOCK, d1 = Math.min(d, d0 + BACKWARD_BLOCK);
                int width = d1 - d0, len = v.lengths[b];
                java.util.Arrays.fill(states, 0, stride, 0f);
                for (int tt = 0; tt < len; tt++) {
                    int row = (b * t + tt) * d;
                    timeSteps(v, row + d0, d0, width, dtRow, null);
                    recomputeStates(states, tt * stride, (tt + 1) * stride, aT, d, d0, width, v.bm, v.bo + (b * t + tt) * n,
                            dtRow, v.u, v.uo + row + d0, n);
                }
                java.util.Arrays.fill(dh, 0f);
                if (laneB != null) java.util.Arrays.fill(laneB, 0, len * n * V, 0f);
                if (laneC != null) java.util.Arrays.fill(laneC, 0, len * n * V, 0f);
                for (int tt = len - 1; tt >= 0; tt--) {
                    int row = (b * t + tt) * d, bcRel = (b * t + tt) * n;
                    timeSteps(v, row + d0, d0, width, dtRow, dtSlope);
                    if (v.z != null) gates(v.z, v.zo + row + d0, width, gateRow, gateSlope);
                    for (int c = 0; c < width; c += V) {
                        VectorMask<Float> m = S.indexInRange(c, width);
                        int idx = row + d0 + c;
                        FloatVector dt = FloatVector.fromArray(S, dtRow, c, m);
                        FloatVector u = FloatVector.fromArray(S, v.u, v.uo + idx, m);
                        FloatVector gOut = FloatVector.fromArray(S, g, go + idx, m);
                        FloatVector gy = gOut;
                        int prev = tt * stride + c, cur = (tt + 1) * stride + c;
                        if (v.z != null) {
                            gy = gOut.mul(FloatVector.fromArray(S, gateRow, c, m));
                            if (dz != null) {
                                FloatVector y = FloatVector.zero(S);
                                for (int st = 0; st < n; st++) {
                                    y = FloatVector.fromArray(S, states, cur + st * BACKWARD_BLOCK).fma(
                                            FloatVector.broadcast(S, v.cm[v.co + bcRel + st]), y);
                                }
                                if (v.skip != null) y = FloatVector.fromArray(S, v.skip, v.skipO + d0 + c, m).fma(u, y);
                                gOut.mul(y).mul(FloatVector.fromArray(S, gateSlope, c, m))
                                        .add(FloatVector.fromArray(S, dz, dzo + idx, m)).intoArray(dz, dzo + idx, m);
                            }
                        }
                        FloatVector dtu = dt.mul(u);
                        FloatVector dUState = FloatVector.zero(S), dDt = FloatVector.zero(S);
                        for (int st = 0; st < n; st++) {
                            int at = st * BACKWARD_BLOCK;
                            FloatVector h = FloatVector.fromArray(S, states, cur + at);
                            int lane = (tt * n + st) * V;
                            if (laneC != null) h.fma(gy, FloatVector.fromArray(S, laneC, lane)).intoArray(laneC, lane);
                            FloatVector dhv = gy.fma(FloatVector.broadcast(S, v.cm[v.co + bcRel + st]),
                                    FloatVector.fromArray(S, dh, at + c));
                            FloatVector a = FloatVector.fromArray(S, aT, st * d + d0 + c, m);
                            FloatVector decay = FastMath.exp(a.mul(dt));
                            float bs = v.bm[v.bo + bcRel + st];
                            FloatVector dDecay = dhv.mul(FloatVector.fromArray(S, states, prev + at)).mul(decay);
                            dDt = dDecay.fma(a, dDt).add(dhv.mul(bs).mul(u));
                            if (pAT != null) {
                                int ai = st * d + d0 + c;
                                dDecay.mul(dt).add(FloatVector.fromArray(S, pAT, ai, m)).intoArray(pAT, ai, m);
                            }
                            if (laneB != null) dhv.mul(dtu).add(FloatVector.fromArray(S, laneB, lane)).intoArray(laneB, lane);
                            dUState = dhv.fma(FloatVector.broadcast(S, bs), dUState);
                            dhv.mul(decay).intoArray(dh, at + c);
                        }
                        FloatVector dU = dUState.mul(dt);
                        if (v.skip != null) dU = gy.fma(FloatVector.fromArray(S, v.skip, v.skipO + d0 + c, m), dU);
                        if (du != null) dU.add(FloatVector.fromArray(S, du, duo + idx, m)).intoArray(du, duo + idx, m);
                        FloatVector dRaw = dDt.mul(FloatVector.fromArray(S, dtSlope, c, m));
                        if (dDelta != null) {
                            dRaw.add(FloatVector.fromArray(S, dDelta, dDeltaO + idx, m)).intoArray(dDelta, dDeltaO + idx, m);
                        }
                        gy.intoArray(gyRow, c, m);
                        dRaw.intoArray(dRawRow, c, m);
                    }
                    for (int ch = d0; ch < d1; ch++) {
                        if (pSkip != null) pSkip[ch] += (double) gyRow[ch - d0] * v.u[v.uo + row + ch];
                        if (pBias != null) pBias[ch] += dRawRow[ch - d0];
                    }
                }
                for (int tt = 0; tt < len; tt++) {
                    for (int st = 0; st < n; st++) {
                        int lane = (tt * n + st) * V, bt = (b * t + tt) * n + st;
                        if (laneB != null) pB[bt] += FastMath.sumLanes(FloatVector.fromArray(S, laneB, lane));
                        if (laneC != null) pC[bt] += FastMath.sumLanes(FloatVector.fromArray(S, laneC, lane));
                    }
                }
            }
            dBPart[chunk] = pB;
            dCPart[chunk] = pC;
            dATPart[chunk] = pAT;
            dSkipPart[chunk] = pSkip;
            dBiasPart[chunk] = pBias;
        });
        if (needB) mergeFloat(op, grads.dB(), dBPart);
        if (needC) mergeFloat(op, grads.dC(), dCPart);
        if (needA) mergeTransposed(op, grads.dA(), dATPart, n, d);
        if (needSkip) mergeDouble(op, grads.dSkip(), dSkipPart);
        if (needBias) mergeDouble(op, grads.dDeltaBias(), dBiasPart);
    }

    /**
     * The forward states again for the backward: one step for channels [d0, d0 + width) from row {@code prev} to
     * row {@code cur} of {@code states} (each row (N, BACKWARD_BLOCK)), vectorized across channels; the same
     * operations as {@link #stepChannels}, so the states are the forward's.
     */
    private static void recomputeStates(float[] states, int prev, int cur, float[] aT, int d, int d0, int width,
                                        float[] bm, int bOff, float[] dt, float[] u, int uOff, int n) {
        for (int c = 0; c < width; c += V) {
            VectorMask<Float> m = S.indexInRange(c, width);
            FloatVector dtv = FloatVector.fromArray(S, dt, c, m);
            FloatVector dtu = dtv.mul(FloatVector.fromArray(S, u, uOff + c, m));
            for (int s = 0; s < n; s++) {
                int at = s * BACKWARD_BLOCK + c;
                FloatVector decay = FastMath.exp(FloatVector.fromArray(S, aT, s * d + d0 + c, m).mul(dtv));
                decay.fma(FloatVector.fromArray(S, states, prev + at), dtu.mul(bm[bOff + s])).intoArray(states, cur + at);
            }
        }
    }

    /** dst (D, N) += Σ_chunks part (N, D), in chunk order. */
    private void mergeTransposed(String op, Tensor dst, float[][] parts, int n, int d) {
        float[] out = FastHost.floats(op, dst);
        int off = FastHost.off(dst);
        par.forRange(d, (long) n * parts.length, (from, to) -> {
            for (float[] p : parts) {
                if (p == null) continue;
                for (int c = from; c < to; c++) for (int s = 0; s < n; s++) out[off + c * n + s] += p[s * d + c];
            }
        });
    }

    /**
     * One recurrence step for one channel, vectorized over the state: dst[s] = exp(dt·A[s])·src[s] + dtu·B[s]
     * (src may be dst). Returns Σ_s C[s]·dst[s] when cm is non-null, else 0.
     */
    private static float step(float[] src, int srcOff, float[] dst, int dstOff, float[] a, int aOff, float[] bm, int bOff,
                              float[] cm, int cOff, float dt, float dtu, int n) {
        int s = 0;
        float y = 0f;
        int bound = S.loopBound(n);
        if (bound > 0) {
            FloatVector yv = FloatVector.zero(S);
            for (; s < bound; s += V) {
                FloatVector decay = FastMath.exp(FloatVector.fromArray(S, a, aOff + s).mul(dt));
                FloatVector hv = decay.fma(FloatVector.fromArray(S, src, srcOff + s),
                        FloatVector.fromArray(S, bm, bOff + s).mul(dtu));
                hv.intoArray(dst, dstOff + s);
                if (cm != null) yv = FloatVector.fromArray(S, cm, cOff + s).fma(hv, yv);
            }
            if (cm != null) y = FastMath.sumLanes(yv);
        }
        for (; s < n; s++) {
            float hv = FastMath.exp(dt * a[aOff + s]) * src[srcOff + s] + dtu * bm[bOff + s];
            dst[dstOff + s] = hv;
            if (cm != null) y += cm[cOff + s] * hv;
        }
        return y;
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
}
