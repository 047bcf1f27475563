package dev.speechmamba.backend.fastcpu;

import dev.speechmamba.backend.AttentionChecks;
import dev.speechmamba.backend.AttentionMask;
import dev.speechmamba.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Flash-style attention on the CPU: each query row walks its visible keys (at most two contiguous ranges
 * under {@link AttentionMask}'s rules: the global keys and the window) in blocks, keeping a running max, sum and
 * output accumulator (online softmax), so no Tq×Tk matrix is ever formed. Backward recomputes the
 * probabilities from the saved log-sum-exp. Work items are (batch, head) pairs, which own their slices of
 * dk and dv and first transpose their head's keys (and values, for backward) to (Dh, Tk): a block of scores
 * is then Dh broadcast multiply-adds over vectors of consecutive keys, with no per-key lane sum (for
 * Dh = 36, the small config's heads, one dot product per key was a fifth of a training step).
 */
final class FastAttention {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int V = S.length();
    private static final int KEY_BLOCK = 64;

    private final FastParallel par;

    FastAttention(FastParallel par) { this.par = par; }

    private record Dims(int batch, int tq, int tk, int heads, int dh, int[] keyLengths) { }

    /** The shared attention checks; rows without key lengths see all Tk keys. */
    private static Dims check(String op, Tensor q, Tensor k, Tensor v, AttentionMask mask) {
        AttentionChecks.Dims d = AttentionChecks.inputs(op, q, k, v, mask, t -> FastHost.intsCopy(op, t));
        int[] lengths = d.keyLengths();
        if (lengths == null) {
            lengths = new int[d.batch()];
            java.util.Arrays.fill(lengths, d.keys());
        }
        return new Dims(d.batch(), d.queries(), d.keys(), d.heads(), d.headDim(), lengths);
    }

    /** First key of query i's window (may exceed {@link #lastKey}: then none is visible). */
    private static int firstKey(AttentionMask mask, int i) {
        return mask.windowLeft() >= 0 ? Math.max(0, i - mask.windowLeft()) : 0;
    }

    private static int lastKey(AttentionMask mask, int i, int keyLength) {
        long last = lastKeyAnyWindow(mask, i, keyLength);
        if (mask.windowRight() >= 0) last = Math.min(last, (long) i + mask.windowRight());
        return (int) last;
    }

    /** The last key query i sees when the window is ignored (key length and causality only). */
    private static int lastKeyAnyWindow(AttentionMask mask, int i, int keyLength) {
        return mask.causal() ? Math.min(keyLength - 1, i) : keyLength - 1;
    }

    /**
     * Writes query i's visible keys as two disjoint inclusive ranges, ordered by position, into
     * ranges = {first0, last0, first1, last1}; a range with first &gt; last is empty. The first range holds the
     * global keys [0, G), the second the window beyond them; a global query (i &lt; G) gets one full range.
     */
    private static void keyRanges(AttentionMask mask, int i, int keyLength, int[] ranges) {
        int globals = mask.windowed() ? mask.globalTokens() : 0;
        int unwindowedLast = lastKeyAnyWindow(mask, i, keyLength);
        if (i < globals) {
            ranges[0] = 0;
            ranges[1] = unwindowedLast;
            ranges[2] = 0;
            ranges[3] = -1;
            return;
        }
        ranges[0] = 0;
        ranges[1] = Math.min(globals - 1, unwindowedLast);
        ranges[2] = Math.max(firstKey(mask, i), globals);
        ranges[3] = lastKey(mask, i, keyLength);
    }

    void attention(Tensor out, Tensor lse, Tensor q, Tensor k, Tensor v, AttentionMask mask, float scale) {
        String op = "attention";
        Dims d = check(op, q, k, v, mask);
        AttentionChecks.outputs(op, out, lse, q);
        float[] qs = FastHost.floats(op, q), ks = FastHost.floats(op, k), vs = FastHost.floats(op, v);
        float[] os = FastHost.floats(op, out), ls = FastHost.floats(op, lse);
        int qo = FastHost.off(q), ko = FastHost.off(k), vo = FastHost.off(v), oo = FastHost.off(out), lo = FastHost.off(lse);
        int heads = d.heads, dh = d.dh, tq = d.tq, tk = d.tk;
        par.forRange(d.batch * heads, 4L * dh * tq * Math.max(1, tk), (from, to) -> {
            float[] keysT = new float[dh * tk];                          // (Dh, Tk) of one head
            float[] scores = new float[KEY_BLOCK];
            float[] acc = new float[dh];
            int[] ranges = new int[4];
            for (int item = from; item < to; item++) {
                int b = item / heads, h = item % heads, keyLength = d.keyLengths[b];
                transposeHead(ks, ko, b, h, tk, heads, dh, keyLength, keysT);
                for (int i = 0; i < tq; i++) {
                    int row = ((b * tq + i) * heads + h) * dh, qRow = qo + row, oRow = oo + row;
                    keyRanges(mask, i, keyLength, ranges);
                    java.util.Arrays.fill(acc, 0f);
                    float max = Float.NEGATIVE_INFINITY;
                    double sum = 0;
                    boolean anyVisible = false;
                    for (int range = 0; range < 2; range++) {
                        int first = ranges[2 * range], last = ranges[2 * range + 1];
                        if (first <= last) anyVisible = true;
                        for (int j0 = first; j0 <= last; j0 += KEY_BLOCK) {
                            int j1 = Math.min(last + 1, j0 + KEY_BLOCK);
                            dotsWithKeys(qs, qRow, keysT, tk, dh, j0, j1, scores);
                            float blockMax = Float.NEGATIVE_INFINITY;
                            for (int j = 0; j < j1 - j0; j++) {
                                scores[j] *= scale;
                                blockMax = Math.max(blockMax, scores[j]);
                            }
                            if (blockMax > max) {
                                float rescale = (float) Math.exp(max - blockMax);
                                sum *= rescale;
                                scaleInPlace(acc, rescale, dh);
                                max = blockMax;
                            }
                            expInPlace(scores, j1 - j0, 1f, max);                // p_j = e^(s_j - max)
                            for (int j = j0; j < j1; j++) {
                                float p = scores[j - j0];
                                sum += p;
                                axpy(acc, p, vs, vo + ((b * tk + j) * heads + h) * dh, dh);
                            }
                        }
                    }
                    int lseIdx = lo + (b * heads + h) * tq + i;
                    if (!anyVisible) {
                        java.util.Arrays.fill(os, oRow, oRow + dh, 0f);
                        ls[lseIdx] = Float.NEGATIVE_INFINITY;
                        continue;
                    }
                    float inv = (float) (1.0 / sum);
                    for (int c = 0; c < dh; c++) os[oRow + c] = acc[c] * inv;
                    ls[lseIdx] = (float) (max + Math.log(sum));
                }
            }
        });
    }

    void attentionBackward(Tensor dq, Tensor dk, Tensor dv, Tensor dOut, Tensor q, Tensor k, Tensor v, Tensor out,
                           Tensor lse, AttentionMask mask, float scale) {
        String op = "attentionBackward";
        Dims d = check(op, q, k, v, mask);
        AttentionChecks.outputs(op, out, lse, q);
        AttentionChecks.grads(op, dq, dk, dv, dOut, q, k, v);
        if (dq == null && dk == null && dv == null) return;
        float[] qs = FastHost.floats(op, q), ks = FastHost.floats(op, k), vs = FastHost.floats(op, v);
        float[] gs = FastHost.floats(op, dOut), os = FastHost.floats(op, out), ls = FastHost.floats(op, lse);
        int qo = FastHost.off(q), ko = FastHost.off(k), vo = FastHost.off(v), go = FastHost.off(dOut),
                oo = FastHost.off(out), lo = FastHost.off(lse);
        float[] dqs = dq == null ? null : FastHost.floats(op, dq), dks = dk == null ? null : FastHost.floats(op, dk),
                dvs = dv == null ? null : FastHost.floats(op, dv);
        int dqo = dq == null ? 0 : FastHost.off(dq), dko = dk == null ? 0 : FastHost.off(dk),
                dvo = dv == null ? 0 : FastHost.off(dv);
        int heads = d.heads, dh = d.dh, tq = d.tq, tk = d.tk;
        par.forRange(d.batch * heads, 8L * dh * tq * Math.max(1, tk), (from, to) -> {
            float[] keysT = new float[dh * tk], valuesT = new float[dh * tk]; // (Dh, Tk) of one head
            float[] qk = new float[KEY_BLOCK], gv = new float[KEY_BLOCK];   // q·k_j and dOut·v_j of a key block
            float[] dqAcc = new float[dh];
            int[] ranges = new int[4];
            for (int item = from; item < to; item++) {
                int b = item / heads, h = item % heads, keyLength = d.keyLengths[b];
                transposeHead(ks, ko, b, h, tk, heads, dh, keyLength, keysT);
                transposeHead(vs, vo, b, h, tk, heads, dh, keyLength, valuesT);
                for (int i = 0; i < tq; i++) {
                    keyRanges(mask, i, keyLength, ranges);
                    if (ranges[0] > ranges[1] && ranges[2] > ranges[3]) continue;
                    int row = ((b * tq + i) * heads + h) * dh;
                    float rowLse = ls[lo + (b * heads + h) * tq + i];
                    float rowDot = dot(gs, go + row, os, oo + row, dh); // Σ dOut·out = Σ_j p_j·(dOut·v_j)
                    java.util.Arrays.fill(dqAcc, 0f);
                    for (int range = 0; range < 2; range++) {
                        int first = ranges[2 * range], last = ranges[2 * range + 1];
                        for (int j0 = first; j0 <= last; j0 += KEY_BLOCK) {
                            int j1 = Math.min(last + 1, j0 + KEY_BLOCK);
                            dotsWithKeys(qs, qo + row, keysT, tk, dh, j0, j1, qk);
                            dotsWithKeys(gs, go + row, valuesT, tk, dh, j0, j1, gv);
                            expInPlace(qk, j1 - j0, scale, rowLse);               // p_j = e^(scale·q·k_j - lse)
                            for (int j = j0; j < j1; j++) {
                                int kRow = ((b * tk + j) * heads + h) * dh;
                                float p = qk[j - j0];
                                if (dvs != null) axpy(dvs, dvo + kRow, p, gs, go + row, dh);
                                float ds = p * (gv[j - j0] - rowDot) * scale;
                                if (dqs != null) axpy(dqAcc, ds, ks, ko + kRow, dh);
                                if (dks != null) axpy(dks, dko + kRow, ds, qs, qo + row, dh);
                            }
                        }
                    }
                    if (dqs != null) for (int c = 0; c < dh; c++) dqs[dqo + row + c] += dqAcc[c];
                }
            }
        });
    }

    /**
     * x[j] = e^(scale·x[j] - shift) for j &lt; n, with {@link FastMath#exp}: lane-wise IEEE operations, the same
     * value for a lane and for the scalar tail, so forward and backward agree on every probability.
     */
    private static void expInPlace(float[] x, int n, float scale, float shift) {
        int j = 0;
        for (int bound = S.loopBound(n); j < bound; j += V) {
            FastMath.exp(FloatVector.fromArray(S, x, j).mul(scale).sub(shift)).intoArray(x, j);
        }
        for (; j < n; j++) x[j] = FastMath.exp(x[j] * scale - shift);
    }

    /** keysT[e·Tk + j] = x[b, j, h, e] for the first {@code keyLength} positions of head h of row b. */
    private static void transposeHead(float[] x, int xo, int b, int h, int tk, int heads, int dh, int keyLength,
                                      float[] keysT) {
        for (int j = 0; j < keyLength; j++) {
            int src = xo + ((b * tk + j) * heads + h) * dh;
            for (int e = 0; e < dh; e++) keysT[e * tk + j] = x[src + e];
        }
    }

    /**
     * out[j - j0] = Σ_e x[xo + e] · keysT[e·Tk + j] for keys j in [j0, j1): V keys at a time as Dh broadcast
     * fused multiply-adds, in the order e = 0, 1, ...; the keys past the last full vector get the same
     * sequence of scalar fused multiply-adds, so a key's score does not depend on where its block starts.
     */
    static void dotsWithKeys(float[] x, int xo, float[] keysT, int tk, int dh, int j0, int j1, float[] out) {
        int j = j0;
        for (; j + V <= j1; j += V) {
            FloatVector acc = FloatVector.zero(S);
            for (int e = 0; e < dh; e++) {
                acc = FloatVector.fromArray(S, keysT, e * tk + j).fma(FloatVector.broadcast(S, x[xo + e]), acc);
            }
            acc.intoArray(out, j - j0);
        }
        for (; j < j1; j++) {
            float acc = 0f;
            for (int e = 0; e < dh; e++) acc = Math.fma(keysT[e * tk + j], x[xo + e], acc);
            out[j - j0] = acc;
        }
    }

    // ------------------------------------------------------------------ vector helpers

    static float dot(float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        float s = 0f;
        if (n >= V) {
            FloatVector acc = FloatVector.zero(S);
            for (int bound = S.loopBound(n); i < bound; i += V) {
                acc = FloatVector.fromArray(S, x, xo + i).fma(FloatVector.fromArray(S, y, yo + i), acc);
            }
            s = FastMath.sumLanes(acc);
        }
        for (; i < n; i++) s += x[xo + i] * y[yo + i];
        return s;
    }

    /** acc[0..n) += p · y[yo..yo+n). */
    private static void axpy(float[] acc, float p, float[] y, int yo, int n) { axpy(acc, 0, p, y, yo, n); }

    /** dst[dOff..dOff+n) += p · y[yo..yo+n). */
    static void axpy(float[] dst, int dOff, float p, float[] y, int yo, int n) {
        int i = 0;
        if (n >= V) {
            FloatVector pv = FloatVector.broadcast(S, p);
            for (int bound = S.loopBound(n); i < bound; i += V) {
                FloatVector.fromArray(S, y, yo + i).fma(pv, FloatVector.fromArray(S, dst, dOff + i))
                        .intoArray(dst, dOff + i);
            }
        }
        for (; i < n; i++) dst[dOff + i] += p * y[yo + i];
    }

    private static void scaleInPlace(float[] acc, float s, int n) {
        for (int i = 0; i < n; i++) acc[i] *= s;
    }
}
