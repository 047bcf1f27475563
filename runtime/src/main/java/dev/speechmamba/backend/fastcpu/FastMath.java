package dev.speechmamba.backend.fastcpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
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

    /** Rotations by V/2, V/4, ..., 1 lanes: a fixed pairwise summation tree. */
    private static final VectorShuffle<Float>[] HALVING = halvingShuffles();

    @SuppressWarnings({"unchecked", "rawtypes"}) // Java has no generic array creation
    private static VectorShuffle<Float>[] halvingShuffles() {
        int lanes = S.length(), steps = Integer.numberOfTrailingZeros(lanes);
        VectorShuffle<Float>[] shuffles = new VectorShuffle[steps];
        for (int k = 0, half = lanes / 2; half >= 1; k++, half /= 2) {
            int h = half;
            shuffles[k] = VectorShuffle.fromOp(S, i -> (i + h) & (lanes - 1));
        }
        return shuffles;
    }

    /** Sum of the lanes in a fixed pairwise order (bit-identical interpreted and compiled). */
    static float sumLanes(FloatVector v) {
        FloatVector x = v;
        for (VectorShuffle<Float> s : HALVING) x = x.add(x.rearrange(s));
        return x.lane(0);
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
}
