package dev.speechmamba.backend.fastcpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FastMathTest {
    private static final int V = FastMath.S.length();

    private static float[] vectorExp(float[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i + V <= x.length; i += V) FastMath.exp(FloatVector.fromArray(FastMath.S, x, i)).intoArray(out, i);
        return out;
    }

    @Test
    void expIsWithinTwoUlpOfMathExpAndBitIdenticalToItsScalarTwin() {
        SplittableRandom rng = new SplittableRandom(5);
        float[] x = new float[V * 4096];
        for (int i = 0; i < x.length; i++) x[i] = (float) (rng.nextDouble() * 175 - 87);
        float[] got = vectorExp(x);
        for (int i = 0; i < x.length; i++) {
            float want = (float) Math.exp(x[i]);
            assertTrue(Math.abs(got[i] - want) <= 2 * Math.ulp(want), "exp(" + x[i] + ") = " + got[i] + ", want " + want);
            assertEquals(Float.floatToRawIntBits(FastMath.exp(x[i])), Float.floatToRawIntBits(got[i]),
                    "vector and scalar arithmetic agree bit for bit at " + x[i]);
        }
    }

    @Test
    void expEdgeCases() {
        float[] x = new float[V];
        float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, 88.7f, 89f, -103f, -110f};
        for (int i = 0; i < V; i++) x[i] = special[i % special.length];
        float[] got = vectorExp(x);
        for (int i = 0; i < V; i++) {
            float xi = x[i], want = (float) Math.exp(xi);
            if (Float.isNaN(xi)) assertTrue(Float.isNaN(got[i]));
            else if (Float.isInfinite(want) || want == 0f) assertEquals(want, got[i], "exp(" + xi + ")");
            else assertTrue(Math.abs(got[i] - want) <= 2 * Math.ulp(want), "exp(" + xi + ") = " + got[i]);
        }
        assertEquals(1f, FastMath.exp(0f));
    }

    /**
     * The runtime's sources use none of the Vector API operations whose results depend on how the JIT compiled the
     * caller: {@code reduceLanes} (any association order) and the transcendental lane-wise operators (an intrinsic
     * once compiled, {@code Math} per lane before). A GEMM that used {@code reduceLanes(ADD)} made two transcriptions
     * of the same audio differ in the last bits of their word confidences when the machine was busy and C2 compiled
     * later; {@link FastMath#sumLanes} and {@link FastMath#exp} are the fixed-order replacements.
     */
    @Test
    void noVectorOperationWhoseBitsDependOnTheJit() throws java.io.IOException {
        java.util.regex.Pattern jitDependent = java.util.regex.Pattern.compile(
                "reduceLanes\\(|VectorOperators\\.(EXP|EXPM1|LOG|LOG1P|LOG10|POW|SIN|COS|TAN|TANH|SINH|COSH|ASIN|ACOS|ATAN|ATAN2|CBRT|HYPOT)\\b");
        java.nio.file.Path sources = java.nio.file.Path.of("src/main/java");
        assertTrue(java.nio.file.Files.isDirectory(sources), "run from the runtime module: " + sources.toAbsolutePath());
        List<String> offenders = new java.util.ArrayList<>();
        try (var files = java.nio.file.Files.walk(sources)) {
            for (java.nio.file.Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                List<String> lines = java.nio.file.Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    String code = lines.get(i).strip();
                    if (code.startsWith("*") || code.startsWith("//") || code.startsWith("/*")) continue;
                    if (jitDependent.matcher(code).find()) offenders.add(f + ":" + (i + 1) + ": " + code);
                }
            }
        }
        assertEquals(List.of(), offenders);
    }

    @Test
    void sumLanesUsesAFixedPairwiseOrderForEveryVectorWidth() {
        for (VectorSpecies<Float> species : List.of(FloatVector.SPECIES_64, FloatVector.SPECIES_128,
                FloatVector.SPECIES_256, FloatVector.SPECIES_512, FastMath.S)) {
            int lanesCount = species.length();
            SplittableRandom rng = new SplittableRandom(9 + lanesCount);
            for (int trial = 0; trial < 50; trial++) {
                float[] lanes = new float[lanesCount];
                for (int i = 0; i < lanesCount; i++) {
                    lanes[i] = (float) (rng.nextGaussian() * Math.pow(10, rng.nextInt(-3, 4)));
                }
                // the documented tree: rotate by n/2, n/4, ..., 1 and add; lane 0 holds the result
                float[] x = lanes.clone();
                for (int half = lanesCount / 2; half >= 1; half /= 2) {
                    float[] y = new float[lanesCount];
                    for (int i = 0; i < lanesCount; i++) y[i] = x[i] + x[(i + half) & (lanesCount - 1)];
                    x = y;
                }
                assertEquals(Float.floatToRawIntBits(x[0]),
                        Float.floatToRawIntBits(FastMath.sumLanes(FloatVector.fromArray(species, lanes, 0))),
                        species + " trial " + trial);
            }
        }
    }

    @Test
    void softplusAndItsSlopeAreCloseToFloat64AndBitIdenticalToTheirScalarTwins() {
        SplittableRandom rng = new SplittableRandom(9);
        float[] x = new float[V * 8192];
        for (int i = 0; i < x.length; i++) x[i] = (float) (rng.nextDouble() * 80 - 50);
        float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 20f, 20.000002f,
                19.999998f, -20f, 1e-30f, -1e-30f, -87f, -120f};
        System.arraycopy(special, 0, x, 0, special.length);
        float[] sp = new float[x.length], slope = new float[x.length];
        for (int i = 0; i + V <= x.length; i += V) {
            FloatVector xv = FloatVector.fromArray(FastMath.S, x, i);
            FastMath.softplus(xv).intoArray(sp, i);
            FastMath.softplusSlope(xv).intoArray(slope, i);
        }
        double worstSoftplus = 0, worstSlope = 0;
        for (int i = 0; i < x.length; i++) {
            assertEquals(Float.floatToIntBits(FastMath.softplus(x[i])), Float.floatToIntBits(sp[i]), "softplus at " + x[i]);
            assertEquals(Float.floatToIntBits(FastMath.softplusSlope(x[i])), Float.floatToIntBits(slope[i]), "slope at " + x[i]);
            if (Float.isNaN(x[i])) {
                assertTrue(Float.isNaN(sp[i]) && Float.isNaN(slope[i]), "NaN in, NaN out");
                continue;
            }
            double wantSp = x[i] > 20f ? x[i] : Math.log1p(Math.exp(x[i]));
            double wantSlope = x[i] > 20f ? 1 : 1 / (1 + Math.exp(-(double) x[i]));
            if (Double.isInfinite(wantSp)) {
                assertEquals(wantSp, sp[i]);
                continue;
            }
            float spUlp = Math.ulp((float) wantSp), slopeUlp = Math.ulp((float) wantSlope);
            worstSoftplus = Math.max(worstSoftplus, Math.abs(sp[i] - wantSp) / spUlp);
            // Below ~-87 e^x is subnormal in float: there only an absolute error of one smallest normal is asked.
            if (wantSlope > Float.MIN_NORMAL) worstSlope = Math.max(worstSlope, Math.abs(slope[i] - wantSlope) / slopeUlp);
            else assertTrue(Math.abs(slope[i] - wantSlope) <= Float.MIN_NORMAL, "slope at " + x[i]);
            if (wantSp <= Float.MIN_NORMAL) assertTrue(Math.abs(sp[i] - wantSp) <= Float.MIN_NORMAL, "softplus at " + x[i]);
        }
        System.out.printf("softplus worst %.2f ulp, slope worst %.2f ulp%n", worstSoftplus, worstSlope);
        assertTrue(worstSoftplus <= 4, "softplus is " + worstSoftplus + " ulp off");
        assertTrue(worstSlope <= 4, "softplus slope is " + worstSlope + " ulp off");
    }
}
