package dev.speechmamba.backend.fastcpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector math whose results do not depend on how the JIT compiled the caller.
 *
 * <p>The Vector API leaves two things implementation-defined that matter for reproducible training:
 * {@code lanewise(EXP)} (an intrinsic such as SVML once C2 compiles the loop, {@code Math.exp} per lane
 * before) and the association order of {@code reduceLanes(ADD)}. Either makes two runs of the same
 * training step differ in the last bits depending on JIT timing, which breaks exact resume. Here
 * everything is built from lane-wise IEEE operations (add, multiply, fused multiply-add, conversions,
 * shifts, fixed shuffles), which are exact in every execution mode, so the same inputs always give the
 * same bits.
 */
final class FastMath {
    private FastMath() { }

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;          // exact in 9 bits, so n·LN2_HI is exact
    private static final float LN2_LO = -2.12194440e-4f;      // ln 2 - LN2_HI
    private static final float ROUND = 12582912f;              // 1.5·2^23: adding it rounds to an integer
    // Taylor coefficients of e^r up to r^7: for |r| <= ln2/2 the truncation error is below 2^-25.
    private static final float[] TAYLOR = {1f / 5040, 1f / 720, 1f / 120, 1f / 24, 1f / 6, 1f / 2, 1f, 1f};

    /** Sum of the lanes in a fixed pairwise order (bit-identical interpreted and compiled). */
    static float sumLanes(FloatVector v) {
        // Same additions, same order as adding the vector to its halves rotated down (lane i + lane i+h,
        // h = lanes/2 … 1), written out with constant lane indices: C2 turns each lane(k) into one
        // extract instruction, whereas rearrange with these shuffles is not intrinsified and spilling to
        // a scratch array cost a quarter of a small-model training step.
        return switch (v.length()) {
            case 16 -> {
                float a0 = v.lane(0) + v.lane(8), a1 = v.lane(1) + v.lane(9);
                float a2 = v.lane(2) + v.lane(10), a3 = v.lane(3) + v.lane(11);
                float a4 = v.lane(4) + v.lane(12), a5 = v.lane(5) + v.lane(13);
                float a6 = v.lane(6) + v.lane(14), a7 = v.lane(7) + v.lane(15);
                yield ((a0 + a4) + (a2 + a6)) + ((a1 + a5) + (a3 + a7));
            }
            case 8 -> ((v.lane(0) + v.lane(4)) + (v.lane(2) + v.lane(6)))
                    + ((v.lane(1) + v.lane(5)) + (v.lane(3) + v.lane(7)));
            case 4 -> (v.lane(0) + v.lane(2)) + (v.lane(1) + v.lane(3));
            case 2 -> v.lane(0) + v.lane(1);
            case 1 -> v.lane(0);
            default -> sumLanesInPairs(v);
        };
    }

    private static float sumLanesInPairs(FloatVector v) {
        float[] lanes = new float[v.length()];
        v.intoArray(lanes, 0);
        for (int half = lanes.length / 2; half >= 1; half /= 2) {
            for (int i = 0; i < half; i++) lanes[i] += lanes[i + half];
        }
        return lanes[0];
    }

    /**
     * e^x per lane, within 2 ulp of {@link Math#exp} for normal results; +inf above ~88.72, 0 below
     * ~-103.97, NaN for NaN. Cody–Waite reduction x = n·ln2 + r, a degree-7 polynomial for e^r, and
     * 2^n applied as two exact powers of two so that n = ±128 neither overflows nor underflows the
     * exponent field early.
     */
    static FloatVector exp(FloatVector x) {
        VectorSpecies<Float> sp = x.species();
        FloatVector xc = x.max(-104f).min(89f);
        FloatVector n = xc.fma(FloatVector.broadcast(sp, LOG2E), FloatVector.broadcast(sp, ROUND)).sub(ROUND);
        FloatVector r = n.fma(FloatVector.broadcast(sp, -LN2_HI), xc);
        r = n.fma(FloatVector.broadcast(sp, -LN2_LO), r);
        FloatVector p = FloatVector.broadcast(sp, TAYLOR[0]);
        for (int k = 1; k < TAYLOR.length; k++) p = p.fma(r, FloatVector.broadcast(sp, TAYLOR[k]));
        IntVector ni = (IntVector) n.convert(VectorOperators.F2I, 0);
        IntVector n1 = ni.lanewise(VectorOperators.ASHR, 1);
        IntVector n2 = ni.sub(n1);
        FloatVector scale1 = n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector scale2 = n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(scale1).mul(scale2);
    }

    /** The same arithmetic as {@link #exp(FloatVector)} for one value (tails of vector loops, tests). */
    static float exp(float x) {
        float xc = Math.min(Math.max(x, -104f), 89f);
        float n = Math.fma(xc, LOG2E, ROUND) - ROUND;
        float r = Math.fma(n, -LN2_HI, xc);
        r = Math.fma(n, -LN2_LO, r);
        float p = TAYLOR[0];
        for (int k = 1; k < TAYLOR.length; k++) p = Math.fma(p, r, TAYLOR[k]);
        int ni = (int) n;
        int n1 = ni >> 1, n2 = ni - n1;
        return p * Float.intBitsToFloat((n1 + 127) << 23) * Float.intBitsToFloat((n2 + 127) << 23);
    }

    /** Above this softplus is the identity and its slope 1, as in PyTorch. */
    static final float SOFTPLUS_THRESHOLD = 20f;

    // 2·atanh series: log1p(e) = 2s·(1 + s²/3 + s⁴/5 + … + s¹⁴/15) with s = e / (2 + e). For e in [0, 1],
    // s <= 1/3, so the first dropped term is below 2^-26 of the sum.
    private static final float[] ATANH = {1f / 15, 1f / 13, 1f / 11, 1f / 9, 1f / 7, 1f / 5, 1f / 3, 1f};

    /**
     * softplus(x) = log(1 + e^x) per lane, written as max(x, 0) + log1p(e^-|x|) so nothing overflows, with
     * log1p of e in (0, 1] from the atanh series above: within 4 ulp of the float64 value (a few ulp from
     * {@link #exp}, one from the series). The identity above {@link #SOFTPLUS_THRESHOLD}; NaN for NaN.
     */
    static FloatVector softplus(FloatVector x) {
        FloatVector e = exp(x.abs().neg());
        FloatVector sp = x.max(0f).add(log1pUnit(e));
        return sp.blend(x, x.compare(VectorOperators.GT, SOFTPLUS_THRESHOLD));
    }

    /** d softplus / dx = sigmoid(x) per lane, 1 above {@link #SOFTPLUS_THRESHOLD}; e^-|x| keeps it finite. */
    static FloatVector softplusSlope(FloatVector x) {
        FloatVector e = exp(x.abs().neg());
        FloatVector one = FloatVector.broadcast(x.species(), 1f);
        FloatVector numerator = one.blend(e, x.compare(VectorOperators.LT, 0f));
        return numerator.div(e.add(1f)).blend(one, x.compare(VectorOperators.GT, SOFTPLUS_THRESHOLD));
    }

    /** log(1 + e) for e in [0, 1]. */
    private static FloatVector log1pUnit(FloatVector e) {
        VectorSpecies<Float> sp = e.species();
        FloatVector s = e.div(e.add(2f));
        FloatVector s2 = s.mul(s);
        FloatVector p = FloatVector.broadcast(sp, ATANH[0]);
        for (int k = 1; k < ATANH.length; k++) p = p.fma(s2, FloatVector.broadcast(sp, ATANH[k]));
        return s.add(s).mul(p);
    }

    /** The same arithmetic as {@link #softplus(FloatVector)} for one value. */
    static float softplus(float x) {
        if (x > SOFTPLUS_THRESHOLD) return x;
        float e = exp(-Math.abs(x));
        return Math.max(x, 0f) + log1pUnit(e);
    }

    /** The same arithmetic as {@link #softplusSlope(FloatVector)} for one value. */
    static float softplusSlope(float x) {
        if (x > SOFTPLUS_THRESHOLD) return 1f;
        float e = exp(-Math.abs(x));
        return (x < 0f ? e : 1f) / (e + 1f);
    }

    private static float log1pUnit(float e) {
        float s = e / (e + 2f);
        float s2 = s * s;
        float p = ATANH[0];
        for (int k = 1; k < ATANH.length; k++) p = Math.fma(p, s2, ATANH[k]);
        return (s + s) * p;
    }
}
