package dev.speechmamba.backend;

import dev.speechmamba.backend.ParitySupport.Pair;
import dev.speechmamba.backend.reference.ReferenceBackend;
import dev.speechmamba.tensor.DType;
import dev.speechmamba.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Backend parity: every {@link Backend} operation, forward and every gradient, on each backend under test
 * against {@link ReferenceBackend} (float64), from fresh seeded random inputs. Outputs start as NaN and
 * gradients as random values, so a missed element or an overwrite instead of += fails. Tolerances are per
 * op and printed with the worst element on failure.
 *
 * <p>Backends under test come from the system property {@value #PROPERTY} (comma list, default
 * "cpu,cuda"); "cuda" runs only where {@link Backends#cudaUsable()} and is tagged "gpu", so the suite skips
 * it cleanly elsewhere. On the GPU machine: {@code -Dspeechmamba.parity.backends=cuda}.
 */
class BackendParityTest {
    static final String PROPERTY = "speechmamba.parity.backends";

    static boolean selected(String name) {
        return Arrays.stream(System.getProperty(PROPERTY, "cpu,cuda").split(","))
                .map(String::trim).anyMatch(name::equalsIgnoreCase);
    }

    @Nested
    class Cpu extends Cases {
        @Override String backendName() { return "cpu"; }
    }

    @Nested
    @Tag("gpu")
    class Cuda extends Cases {
        @Override String backendName() { return "cuda"; }
    }

    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    abstract static class Cases {
        abstract String backendName();

        private Backend dut;
        private ParitySupport s;

        @BeforeAll
        void open() {
            String name = backendName();
            assumeTrue(selected(name), name + " is not in -D" + PROPERTY);
            if (name.equals("cuda")) assumeTrue(Backends.cudaUsable(), "no usable CUDA device here");
            dut = Backends.create(name);
            s = new ParitySupport(new ReferenceBackend(), dut);
        }

        @AfterAll
        void close() {
            if (dut != null) dut.close();
        }

        private static Random rng(String key) {
            return new Random(0x5EEDL * 31 + key.hashCode());
        }

        private Backend ref() { return s.ref(); }

        // ------------------------------------------------------------------ GEMM

        static Stream<Arguments> matmulCases() {
            List<Arguments> cases = new ArrayList<>();
            String[] layouts = {"2d", "batched", "sharedA", "sharedB", "sharedBoth"};
            for (String layout : layouts) {
                for (boolean ta : new boolean[] {false, true}) {
                    for (boolean tb : new boolean[] {false, true}) cases.add(Arguments.of(layout, ta, tb));
                }
            }
            return cases.stream();
        }

        @ParameterizedTest(name = "matmul {0} transA={1} transB={2}")
        @MethodSource("matmulCases")
        void matmul(String layout, boolean transA, boolean transB) {
            Random r = rng("matmul" + layout + transA + transB);
            int batch = 3, m = 37, k = 53, n = 45;
            boolean aBatched = layout.equals("batched") || layout.equals("sharedB");
            boolean bBatched = layout.equals("batched") || layout.equals("sharedA");
            boolean outBatched = !layout.equals("2d");
            int[] aDims = transA ? new int[] {k, m} : new int[] {m, k};
            int[] bDims = transB ? new int[] {n, k} : new int[] {k, n};
            if (aBatched) aDims = new int[] {batch, aDims[0], aDims[1]};
            if (bBatched) bDims = new int[] {batch, bDims[0], bDims[1]};
            int[] outDims = outBatched ? new int[] {batch, m, n} : new int[] {m, n};
            Pair a = s.uniform(r, -1, 1, aDims), b = s.uniform(r, -1, 1, bDims);

            Pair out = s.poisoned(outDims);
            ref().matmul(out.ref(), a.ref(), transA, b.ref(), transB, 1f, 0f);
            dut.matmul(out.dut(), a.dut(), transA, b.dut(), transB, 1f, 0f);
            s.assertClose("matmul out (beta 0 over NaN)", out, 1e-4, 1e-5);

            Pair acc = s.uniform(r, -1, 1, outDims);
            ref().matmul(acc.ref(), a.ref(), transA, b.ref(), transB, 0.7f, 0.3f);
            dut.matmul(acc.dut(), a.dut(), transA, b.dut(), transB, 0.7f, 0.3f);
            s.assertClose("matmul out (alpha 0.7, beta 0.3)", acc, 1e-4, 1e-5);

            Pair dOut = s.uniform(r, -1, 1, outDims);
            Pair da = s.gradient(r, aDims), db = s.gradient(r, bDims);
            ref().matmulBackward(da.ref(), db.ref(), dOut.ref(), a.ref(), transA, b.ref(), transB);
            dut.matmulBackward(da.dut(), db.dut(), dOut.dut(), a.dut(), transA, b.dut(), transB);
            double sharedScale = outBatched ? 3 : 1; // a shared operand's gradient sums over the batch
            s.assertClose("matmul da", da, 1e-4, 1e-5 * sharedScale);
            s.assertClose("matmul db", db, 1e-4, 1e-5 * sharedScale);

            Pair onlyDa = s.gradient(r, aDims);
            ref().matmulBackward(onlyDa.ref(), null, dOut.ref(), a.ref(), transA, b.ref(), transB);
            dut.matmulBackward(onlyDa.dut(), null, dOut.dut(), a.dut(), transA, b.dut(), transB);
            s.assertClose("matmul da alone", onlyDa, 1e-4, 1e-5 * sharedScale);
        }

        @ParameterizedTest(name = "matmul large K transA={0} transB={1}")
        @CsvSource({"false,false", "true,true"})
        void matmulLargeK(boolean transA, boolean transB) {
            // K above the CPU kernel's K block and M, N not multiples of its register tile.
            Random r = rng("matmulLargeK" + transA + transB);
            int m = 70, k = 300, n = 75;
            int[] aDims = transA ? new int[] {k, m} : new int[] {m, k};
            int[] bDims = transB ? new int[] {n, k} : new int[] {k, n};
            Pair a = s.uniform(r, -1, 1, aDims), b = s.uniform(r, -1, 1, bDims);
            Pair out = s.poisoned(m, n);
            ref().matmul(out.ref(), a.ref(), transA, b.ref(), transB, 1f, 0f);
            dut.matmul(out.dut(), a.dut(), transA, b.dut(), transB, 1f, 0f);
            s.assertClose("matmul K=300 out", out, 1e-4, 1e-4);
            Pair dOut = s.uniform(r, -1, 1, m, n);
            Pair da = s.gradient(r, aDims), db = s.gradient(r, bDims);
            ref().matmulBackward(da.ref(), db.ref(), dOut.ref(), a.ref(), transA, b.ref(), transB);
            dut.matmulBackward(da.dut(), db.dut(), dOut.dut(), a.dut(), transA, b.dut(), transB);
            s.assertClose("matmul K=300 da", da, 1e-4, 1e-4);
            s.assertClose("matmul K=300 db", db, 1e-4, 1e-4);
        }

        @Test
        void viewsAtAnOffset() {
            // Row ranges of larger tensors (narrowFirst) start at a non-zero element offset.
            Random r = rng("views");
            Pair bigA = s.uniform(r, -1, 1, 10, 8), bigB = s.uniform(r, -1, 1, 12, 8);
            Pair a = new Pair(bigA.ref().narrowFirst(3, 5), bigA.dut().narrowFirst(3, 5));
            Pair b = new Pair(bigB.ref().narrowFirst(2, 8), bigB.dut().narrowFirst(2, 8));
            Pair bigOut = s.poisoned(9, 8);
            Pair out = new Pair(bigOut.ref().narrowFirst(4, 5), bigOut.dut().narrowFirst(4, 5));
            ref().matmul(out.ref(), a.ref(), false, b.ref(), false, 1f, 0f);
            dut.matmul(out.dut(), a.dut(), false, b.dut(), false, 1f, 0f);
            s.assertClose("matmul on views (rows outside the view stay NaN)", bigOut, 1e-5, 1e-6);
            Pair sum = s.poisoned(9, 8);
            Pair sumView = new Pair(sum.ref().narrowFirst(1, 5), sum.dut().narrowFirst(1, 5));
            Pair other = new Pair(bigB.ref().narrowFirst(7, 5), bigB.dut().narrowFirst(7, 5));
            ref().add(sumView.ref(), a.ref(), other.ref());
            dut.add(sumView.dut(), a.dut(), other.dut());
            s.assertClose("add on views", sum, 0, 0);
            Pair soft = s.poisoned(9, 8);
            Pair softView = new Pair(soft.ref().narrowFirst(2, 5), soft.dut().narrowFirst(2, 5));
            ref().softmax(softView.ref(), a.ref());
            dut.softmax(softView.dut(), a.dut());
            s.assertClose("softmax on views", soft, 1e-5, 1e-7);
        }

        // ------------------------------------------------------------------ elementwise

        @ParameterizedTest(name = "unary {0}")
        @EnumSource(Unary.class)
        void unary(Unary op) {
            Random r = rng("unary" + op);
            float[] x = ParitySupport.uniformArray(r, -6, 6, 300);
            if (op == Unary.SOFTPLUS) { x[0] = 25f; x[1] = 20.5f; x[2] = -25f; x[3] = 19.5f; }
            Pair xs = s.floats(x, 3, 100);
            Pair out = s.poisoned(3, 100);
            ref().unary(op, out.ref(), xs.ref());
            dut.unary(op, out.dut(), xs.dut());
            s.assertClose("unary " + op, out, 1e-5, 1e-6);
            Pair dOut = s.uniform(r, -1, 1, 3, 100), dx = s.gradient(r, 3, 100);
            ref().unaryBackward(op, dx.ref(), dOut.ref(), xs.ref());
            dut.unaryBackward(op, dx.dut(), dOut.dut(), xs.dut());
            s.assertClose("unaryBackward " + op, dx, 1e-5, 1e-6);
        }

        @Test
        void addAndMul() {
            Random r = rng("addmul");
            int[] dims = {4, 7, 33};
            Pair a = s.uniform(r, -2, 2, dims), b = s.uniform(r, -2, 2, dims);
            Pair sum = s.poisoned(dims), prod = s.poisoned(dims);
            ref().add(sum.ref(), a.ref(), b.ref());
            dut.add(sum.dut(), a.dut(), b.dut());
            s.assertClose("add", sum, 1e-7, 0);
            ref().mul(prod.ref(), a.ref(), b.ref());
            dut.mul(prod.dut(), a.dut(), b.dut());
            s.assertClose("mul", prod, 1e-7, 0);
            Pair dOut = s.uniform(r, -1, 1, dims);
            Pair da = s.gradient(r, dims), db = s.gradient(r, dims);
            ref().addBackward(da.ref(), db.ref(), dOut.ref());
            dut.addBackward(da.dut(), db.dut(), dOut.dut());
            s.assertClose("addBackward da", da, 1e-6, 1e-7);
            s.assertClose("addBackward db", db, 1e-6, 1e-7);
            Pair ma = s.gradient(r, dims), mb = s.gradient(r, dims);
            ref().mulBackward(ma.ref(), mb.ref(), dOut.ref(), a.ref(), b.ref());
            dut.mulBackward(ma.dut(), mb.dut(), dOut.dut(), a.dut(), b.dut());
            s.assertClose("mulBackward da", ma, 1e-6, 1e-6);
            s.assertClose("mulBackward db", mb, 1e-6, 1e-6);
            Pair onlyB = s.gradient(r, dims);
            ref().mulBackward(null, onlyB.ref(), dOut.ref(), a.ref(), b.ref());
            dut.mulBackward(null, onlyB.dut(), dOut.dut(), a.dut(), b.dut());
            s.assertClose("mulBackward db alone", onlyB, 1e-6, 1e-6);
        }

        @Test
        void biasAxpyScaleSumOfSquares() {
            Random r = rng("bias");
            int[] dims = {3, 11, 40};
            Pair x = s.uniform(r, -2, 2, dims), bias = s.uniform(r, -1, 1, 40);
            Pair out = s.poisoned(dims);
            ref().addBias(out.ref(), x.ref(), bias.ref());
            dut.addBias(out.dut(), x.dut(), bias.dut());
            s.assertClose("addBias", out, 1e-7, 0);
            Pair dOut = s.uniform(r, -1, 1, dims), dx = s.gradient(r, dims), dBias = s.gradient(r, 40);
            ref().addBiasBackward(dx.ref(), dBias.ref(), dOut.ref());
            dut.addBiasBackward(dx.dut(), dBias.dut(), dOut.dut());
            s.assertClose("addBiasBackward dx", dx, 1e-6, 1e-7);
            s.assertClose("addBiasBackward dBias", dBias, 1e-5, 1e-5);

            Pair y = s.uniform(r, -1, 1, dims);
            ref().axpy(y.ref(), -0.35f, x.ref());
            dut.axpy(y.dut(), -0.35f, x.dut());
            s.assertClose("axpy", y, 1e-6, 1e-6);
            ref().scale(y.ref(), 1.7f);
            dut.scale(y.dut(), 1.7f);
            s.assertClose("scale", y, 1e-6, 1e-6);

            Pair big = s.uniform(r, -3, 3, 257, 129);
            double expected = ref().sumOfSquares(big.ref()), actual = dut.sumOfSquares(big.dut());
            assertTrue(Math.abs(expected - actual) <= 1e-6 * expected,
                    dut.name() + " sumOfSquares: expected " + expected + ", got " + actual);
        }

        // ------------------------------------------------------------------ layout

        @Test
        void sliceLastDim() {
            Random r = rng("slice");
            Pair x = s.uniform(r, -1, 1, 2, 5, 24);
            Pair out = s.poisoned(2, 5, 9);
            ref().sliceLastDim(out.ref(), x.ref(), 7);
            dut.sliceLastDim(out.dut(), x.dut(), 7);
            s.assertClose("sliceLastDim", out, 0, 0);
            Pair dOut = s.uniform(r, -1, 1, 2, 5, 9), dx = s.gradient(r, 2, 5, 24);
            ref().sliceLastDimBackward(dx.ref(), dOut.ref(), 7);
            dut.sliceLastDimBackward(dx.dut(), dOut.dut(), 7);
            s.assertClose("sliceLastDimBackward", dx, 1e-6, 1e-7);
        }

        static Stream<Arguments> permutations() {
            return Stream.of(
                    Arguments.of(new int[] {6, 9}, new int[] {1, 0}),
                    Arguments.of(new int[] {3, 4, 5}, new int[] {2, 0, 1}),
                    Arguments.of(new int[] {3, 4, 5}, new int[] {0, 2, 1}),
                    Arguments.of(new int[] {2, 3, 4, 5}, new int[] {0, 2, 1, 3}),
                    Arguments.of(new int[] {2, 3, 4, 5}, new int[] {3, 1, 0, 2}));
        }

        @ParameterizedTest(name = "permute {0} by {1}")
        @MethodSource("permutations")
        void permute(int[] dims, int[] perm) {
            Random r = rng("permute" + Arrays.toString(dims) + Arrays.toString(perm));
            int[] outDims = new int[dims.length];
            for (int i = 0; i < dims.length; i++) outDims[i] = dims[perm[i]];
            Pair x = s.uniform(r, -1, 1, dims);
            Pair out = s.poisoned(outDims);
            ref().permute(out.ref(), x.ref(), perm);
            dut.permute(out.dut(), x.dut(), perm);
            s.assertClose("permute", out, 0, 0);
            Pair dOut = s.uniform(r, -1, 1, outDims), dx = s.gradient(r, dims);
            ref().permuteBackward(dx.ref(), dOut.ref(), perm);
            dut.permuteBackward(dx.dut(), dOut.dut(), perm);
            s.assertClose("permuteBackward", dx, 1e-6, 1e-7);
        }

        // ------------------------------------------------------------------ normalization

        @Test
        void rmsNorm() {
            Random r = rng("rms");
            int[] dims = {3, 5, 48};
            Pair x = s.uniform(r, -2, 2, dims), w = s.uniform(r, 0.5f, 1.5f, 48);
            Pair out = s.poisoned(dims), rstd = s.poisoned(3, 5);
            ref().rmsNorm(out.ref(), rstd.ref(), x.ref(), w.ref(), 1e-5f);
            dut.rmsNorm(out.dut(), rstd.dut(), x.dut(), w.dut(), 1e-5f);
            s.assertClose("rmsNorm out", out, 1e-5, 1e-6);
            s.assertClose("rmsNorm rstd", rstd, 1e-5, 1e-6);
            Pair dOut = s.uniform(r, -1, 1, dims), dx = s.gradient(r, dims), dw = s.gradient(r, 48);
            ref().rmsNormBackward(dx.ref(), dw.ref(), dOut.ref(), x.ref(), w.ref(), rstd.ref());
            dut.rmsNormBackward(dx.dut(), dw.dut(), dOut.dut(), x.dut(), w.dut(), rstd.dut());
            s.assertClose("rmsNormBackward dx", dx, 1e-4, 1e-5);
            s.assertClose("rmsNormBackward dWeight", dw, 1e-4, 1e-5);
        }

        @Test
        void layerNorm() {
            Random r = rng("layer");
            int[] dims = {4, 6, 40};
            Pair x = s.uniform(r, -2, 3, dims), w = s.uniform(r, 0.5f, 1.5f, 40), b = s.uniform(r, -0.5f, 0.5f, 40);
            Pair out = s.poisoned(dims), mean = s.poisoned(4, 6), rstd = s.poisoned(4, 6);
            ref().layerNorm(out.ref(), mean.ref(), rstd.ref(), x.ref(), w.ref(), b.ref(), 1e-5f);
            dut.layerNorm(out.dut(), mean.dut(), rstd.dut(), x.dut(), w.dut(), b.dut(), 1e-5f);
            s.assertClose("layerNorm out", out, 1e-5, 1e-5);
            s.assertClose("layerNorm mean", mean, 1e-5, 1e-6);
            s.assertClose("layerNorm rstd", rstd, 1e-5, 1e-6);
            Pair dOut = s.uniform(r, -1, 1, dims), dx = s.gradient(r, dims);
            Pair dw = s.gradient(r, 40), db = s.gradient(r, 40);
            ref().layerNormBackward(dx.ref(), dw.ref(), db.ref(), dOut.ref(), x.ref(), w.ref(), mean.ref(), rstd.ref());
            dut.layerNormBackward(dx.dut(), dw.dut(), db.dut(), dOut.dut(), x.dut(), w.dut(), mean.dut(), rstd.dut());
            s.assertClose("layerNormBackward dx", dx, 1e-4, 1e-5);
            s.assertClose("layerNormBackward dWeight", dw, 1e-4, 1e-5);
            s.assertClose("layerNormBackward dBias", db, 1e-4, 1e-5);
        }

        @ParameterizedTest(name = "softmax log={0}")
        @ValueSource(booleans = {false, true})
        void softmax(boolean log) {
            Random r = rng("softmax" + log);
            int[] dims = {2, 7, 133};
            Pair x = s.uniform(r, -8, 8, dims);
            Pair out = s.poisoned(dims);
            if (log) {
                ref().logSoftmax(out.ref(), x.ref());
                dut.logSoftmax(out.dut(), x.dut());
            } else {
                ref().softmax(out.ref(), x.ref());
                dut.softmax(out.dut(), x.dut());
            }
            s.assertClose(log ? "logSoftmax" : "softmax", out, 1e-5, 1e-7);
            Pair dOut = s.uniform(r, -1, 1, dims), dx = s.gradient(r, dims);
            if (log) {
                ref().logSoftmaxBackward(dx.ref(), dOut.ref(), out.ref());
                dut.logSoftmaxBackward(dx.dut(), dOut.dut(), out.dut());
            } else {
                ref().softmaxBackward(dx.ref(), dOut.ref(), out.ref());
                dut.softmaxBackward(dx.dut(), dOut.dut(), out.dut());
            }
            s.assertClose(log ? "logSoftmaxBackward" : "softmaxBackward", dx, 1e-5, 1e-5);
        }

        // ------------------------------------------------------------------ dropout and embedding

        @ParameterizedTest(name = "dropout p={0}")
        @ValueSource(floats = {0f, 0.3f})
        void dropout(float p) {
            Random r = rng("dropout" + p);
            int[] dims = {5, 301};
            long seed = 0x1234_5678_9ABCL;
            Pair x = s.uniform(r, -1, 1, dims);
            Pair out = s.poisoned(dims);
            ref().dropout(out.ref(), x.ref(), p, seed);
            dut.dropout(out.dut(), x.dut(), p, seed);
            s.assertClose("dropout", out, 1e-6, 0);
            Pair dOut = s.uniform(r, -1, 1, dims), dx = s.gradient(r, dims);
            ref().dropoutBackward(dx.ref(), dOut.ref(), p, seed);
            dut.dropoutBackward(dx.dut(), dOut.dut(), p, seed);
            s.assertClose("dropoutBackward", dx, 1e-6, 1e-7);
            if (p > 0) {
                float[] kept = dut.toHost(out.dut());
                long zeros = 0;
                for (float v : kept) if (v == 0f) zeros++;
                double rate = zeros / (double) kept.length;
                assertTrue(Math.abs(rate - p) < 0.05, dut.name() + " dropout dropped " + rate + " of the elements, p = " + p);
            }
        }

        @Test
        void embeddingWithRepeatedIds() {
            Random r = rng("embedding");
            int[] ids = {3, 0, 7, 3, 3, 10, 1, 7, 0, 4};
            Pair idPair = s.ints(ids, 2, 5);
            Pair table = s.uniform(r, -1, 1, 11, 16);
            Pair out = s.poisoned(10, 16);
            ref().embedding(out.ref(), idPair.ref(), table.ref());
            dut.embedding(out.dut(), idPair.dut(), table.dut());
            s.assertClose("embedding", out, 0, 0);
            Pair dOut = s.uniform(r, -1, 1, 10, 16), dTable = s.gradient(r, 11, 16);
            ref().embeddingBackward(dTable.ref(), dOut.ref(), idPair.ref());
            dut.embeddingBackward(dTable.dut(), dOut.dut(), idPair.dut());
            s.assertClose("embeddingBackward", dTable, 1e-6, 1e-6);
        }

        // ------------------------------------------------------------------ convolutions

        static Stream<Arguments> conv2dCases() {
            // The front end: 1 → C channels then C → C, kernel 5, stride 2, padding 2.
            return Stream.of(
                    Arguments.of(2, 1, 21, 17, 4, 5, 2, 2, true),
                    Arguments.of(2, 3, 11, 9, 5, 5, 2, 2, false),
                    Arguments.of(1, 2, 6, 7, 3, 3, 1, 0, true));
        }

        @ParameterizedTest(name = "conv2d B={0} Ci={1} {2}x{3} Co={4} k={5} stride={6} pad={7} bias={8}")
        @MethodSource("conv2dCases")
        void conv2d(int batch, int ci, int h, int w, int co, int kernel, int stride, int pad, boolean withBias) {
            Random r = rng("conv2d" + batch + ci + h + w + co + kernel + stride + pad + withBias);
            int ho = (h + 2 * pad - kernel) / stride + 1, wo = (w + 2 * pad - kernel) / stride + 1;
            Pair x = s.uniform(r, -1, 1, batch, ci, h, w), wt = s.uniform(r, -0.5f, 0.5f, co, ci, kernel, kernel);
            Pair bias = withBias ? s.uniform(r, -0.5f, 0.5f, co) : null;
            Pair out = s.poisoned(batch, co, ho, wo);
            ref().conv2d(out.ref(), x.ref(), wt.ref(), withBias ? bias.ref() : null, stride, pad);
            dut.conv2d(out.dut(), x.dut(), wt.dut(), withBias ? bias.dut() : null, stride, pad);
            s.assertClose("conv2d", out, 1e-4, 1e-5);
            Pair dOut = s.uniform(r, -1, 1, batch, co, ho, wo);
            Pair dx = s.gradient(r, batch, ci, h, w), dw = s.gradient(r, co, ci, kernel, kernel);
            Pair dBias = s.gradient(r, co);
            ref().conv2dBackward(dx.ref(), dw.ref(), dBias.ref(), dOut.ref(), x.ref(), wt.ref(), stride, pad);
            dut.conv2dBackward(dx.dut(), dw.dut(), dBias.dut(), dOut.dut(), x.dut(), wt.dut(), stride, pad);
            s.assertClose("conv2dBackward dx", dx, 1e-4, 1e-5);
            s.assertClose("conv2dBackward dw", dw, 1e-4, 1e-4);
            s.assertClose("conv2dBackward dBias", dBias, 1e-4, 1e-4);
        }

        @ParameterizedTest(name = "causalConv1d bias={0}")
        @ValueSource(booleans = {true, false})
        void causalConv1d(boolean withBias) {
            Random r = rng("conv1d" + withBias);
            int batch = 2, t = 13, c = 24, k = 4;
            Pair x = s.uniform(r, -1, 1, batch, t, c), w = s.uniform(r, -1, 1, c, k);
            Pair bias = withBias ? s.uniform(r, -1, 1, c) : null;
            Pair out = s.poisoned(batch, t, c);
            ref().causalConv1d(out.ref(), x.ref(), w.ref(), withBias ? bias.ref() : null);
            dut.causalConv1d(out.dut(), x.dut(), w.dut(), withBias ? bias.dut() : null);
            s.assertClose("causalConv1d", out, 1e-5, 1e-6);
            Pair dOut = s.uniform(r, -1, 1, batch, t, c);
            Pair dx = s.gradient(r, batch, t, c), dw = s.gradient(r, c, k), dBias = s.gradient(r, c);
            ref().causalConv1dBackward(dx.ref(), dw.ref(), withBias ? dBias.ref() : null, dOut.ref(), x.ref(), w.ref());
            dut.causalConv1dBackward(dx.dut(), dw.dut(), withBias ? dBias.dut() : null, dOut.dut(), x.dut(), w.dut());
            s.assertClose("causalConv1dBackward dx", dx, 1e-5, 1e-6);
            s.assertClose("causalConv1dBackward dw", dw, 1e-5, 1e-5);
            if (withBias) s.assertClose("causalConv1dBackward dBias", dBias, 1e-5, 1e-5);
        }

        // ------------------------------------------------------------------ selective scan

        static Stream<Arguments> scanCases() {
            // T, N, withZ, withSkip, withBias, softplus, ragged; N = 20 is not a multiple of a SIMD width.
            return Stream.of(
                    Arguments.of(40, 16, true, true, true, true, true),
                    Arguments.of(40, 16, false, false, false, false, false),
                    Arguments.of(40, 16, true, false, true, false, true),
                    Arguments.of(40, 16, false, true, false, true, false),
                    Arguments.of(33, 20, true, true, true, true, true),
                    Arguments.of(300, 16, true, true, true, true, true));
        }

        @ParameterizedTest(name = "selectiveScan T={0} N={1} z={2} D={3} bias={4} softplus={5} ragged={6}")
        @MethodSource("scanCases")
        void selectiveScan(int t, int n, boolean withZ, boolean withSkip, boolean withBias, boolean softplus,
                           boolean ragged) {
            Random r = rng("scan" + t + n + withZ + withSkip + withBias + softplus + ragged);
            int batch = 2, d = 20;
            Pair u = s.uniform(r, -1, 1, batch, t, d);
            // softplus(delta + bias) or delta + bias lands in about [0.02, 0.7], as Mamba's dt.
            Pair delta = softplus ? s.uniform(r, -4f, -0.5f, batch, t, d) : s.uniform(r, 0.02f, 0.5f, batch, t, d);
            float[] aValues = new float[d * n];
            for (int i = 0; i < aValues.length; i++) aValues[i] = (float) -Math.exp(-1 + 2.5 * r.nextDouble());
            Pair a = s.floats(aValues, d, n);
            Pair b = s.uniform(r, -1, 1, batch, t, n), c = s.uniform(r, -1, 1, batch, t, n);
            Pair skip = withSkip ? s.uniform(r, -1, 1, d) : null;
            Pair z = withZ ? s.uniform(r, -2, 2, batch, t, d) : null;
            Pair bias = withBias ? s.uniform(r, -0.2f, 0.2f, d) : null;
            Pair lengths = ragged ? s.ints(new int[] {t, t - 7}, batch) : null;
            ScanInputs inRef = new ScanInputs(u.ref(), delta.ref(), a.ref(), b.ref(), c.ref(), pick(skip, true),
                    pick(z, true), pick(bias, true), softplus, pick(lengths, true));
            ScanInputs inDut = new ScanInputs(u.dut(), delta.dut(), a.dut(), b.dut(), c.dut(), pick(skip, false),
                    pick(z, false), pick(bias, false), softplus, pick(lengths, false));
            Pair out = s.poisoned(batch, t, d);
            Tensor savedRef = ref().selectiveScan(out.ref(), inRef);
            Tensor savedDut = dut.selectiveScan(out.dut(), inDut);
            s.assertClose("selectiveScan out", out, 6e-4, 2e-4);

            Pair dOut = s.uniform(r, -1, 1, batch, t, d);
            Pair du = s.gradient(r, batch, t, d), dDelta = s.gradient(r, batch, t, d), dA = s.gradient(r, d, n);
            Pair dB = s.gradient(r, batch, t, n), dC = s.gradient(r, batch, t, n);
            Pair dSkip = withSkip ? s.gradient(r, d) : null;
            Pair dz = withZ ? s.gradient(r, batch, t, d) : null;
            Pair dBias = withBias ? s.gradient(r, d) : null;
            ref().selectiveScanBackward(new ScanGrads(du.ref(), dDelta.ref(), dA.ref(), dB.ref(), dC.ref(),
                    pick(dSkip, true), pick(dz, true), pick(dBias, true)), dOut.ref(), inRef, savedRef);
            dut.selectiveScanBackward(new ScanGrads(du.dut(), dDelta.dut(), dA.dut(), dB.dut(), dC.dut(),
                    pick(dSkip, false), pick(dz, false), pick(dBias, false)), dOut.dut(), inDut, savedDut);
            if (savedDut != null) savedDut.close();
            double rtol = 6e-4, atol = 2e-3;
            s.assertClose("selectiveScan du", du, rtol, atol);
            s.assertClose("selectiveScan dDelta", dDelta, rtol, atol);
            s.assertClose("selectiveScan dA", dA, rtol, atol);
            s.assertClose("selectiveScan dB", dB, rtol, atol);
            s.assertClose("selectiveScan dC", dC, rtol, atol);
            if (withSkip) s.assertClose("selectiveScan dSkip", dSkip, rtol, atol);
            if (withZ) s.assertClose("selectiveScan dz", dz, rtol, atol);
            if (withBias) s.assertClose("selectiveScan dDeltaBias", dBias, rtol, atol);
        }

        /**
         * Stepping T times from a zero state, with the state carried between calls, gives the scan's outputs,
         * and every step (output and state) matches the reference backend's step.
         */
        @ParameterizedTest(name = "selectiveScanStep N={0} z={1} D={2} bias={3} softplus={4}")
        @CsvSource({"16, true, true, true, true", "16, false, false, false, false", "20, true, false, true, true",
                "64, true, true, true, true"})
        void selectiveScanStep(int n, boolean withZ, boolean withSkip, boolean withBias, boolean softplus) {
            Random r = rng("scanStep" + n + withZ + withSkip + withBias + softplus);
            int batch = 3, d = 20, t = 12;
            float[] u = ParitySupport.uniformArray(r, -1, 1, batch * t * d);
            float[] delta = softplus ? ParitySupport.uniformArray(r, -4f, -0.5f, batch * t * d)
                    : ParitySupport.uniformArray(r, 0.02f, 0.5f, batch * t * d);
            float[] bm = ParitySupport.uniformArray(r, -1, 1, batch * t * n), cm = ParitySupport.uniformArray(r, -1, 1, batch * t * n);
            float[] zv = ParitySupport.uniformArray(r, -2, 2, batch * t * d);
            float[] aValues = new float[d * n];
            for (int i = 0; i < aValues.length; i++) aValues[i] = (float) -Math.exp(-1 + 2.5 * r.nextDouble());
            Pair a = s.floats(aValues, d, n);
            Pair skip = withSkip ? s.uniform(r, -1, 1, d) : null;
            Pair bias = withBias ? s.uniform(r, -0.2f, 0.2f, d) : null;

            // the whole sequence through the scan on the backend under test
            Pair full = s.poisoned(batch, t, d);
            ScanInputs whole = new ScanInputs(dut.fromHost(u, batch, t, d), dut.fromHost(delta, batch, t, d), a.dut(),
                    dut.fromHost(bm, batch, t, n), dut.fromHost(cm, batch, t, n), pick(skip, false),
                    withZ ? dut.fromHost(zv, batch, t, d) : null, pick(bias, false), softplus, null);
            Tensor saved = dut.selectiveScan(full.dut(), whole);
            if (saved != null) saved.close();
            float[] fullOut = dut.toHost(full.dut());

            Pair state = s.floats(new float[batch * d * n], batch, d, n);
            for (int step = 0; step < t; step++) {
                Pair uStep = s.floats(rows(u, batch, t, d, step), batch, 1, d);
                Pair deltaStep = s.floats(rows(delta, batch, t, d, step), batch, 1, d);
                Pair bStep = s.floats(rows(bm, batch, t, n, step), batch, 1, n);
                Pair cStep = s.floats(rows(cm, batch, t, n, step), batch, 1, n);
                Pair zStep = withZ ? s.floats(rows(zv, batch, t, d, step), batch, 1, d) : null;
                Pair out = s.poisoned(batch, 1, d);
                ref().selectiveScanStep(out.ref(), state.ref(), new ScanInputs(uStep.ref(), deltaStep.ref(), a.ref(),
                        bStep.ref(), cStep.ref(), pick(skip, true), pick(zStep, true), pick(bias, true), softplus, null));
                dut.selectiveScanStep(out.dut(), state.dut(), new ScanInputs(uStep.dut(), deltaStep.dut(), a.dut(),
                        bStep.dut(), cStep.dut(), pick(skip, false), pick(zStep, false), pick(bias, false), softplus, null));
                s.assertClose("selectiveScanStep out, step " + step, out, 6e-4, 2e-4);
                s.assertClose("selectiveScanStep state, step " + step, state, 6e-4, 2e-4);
                ParitySupport.assertClose("selectiveScanStep vs selectiveScan, step " + step,
                        rows(fullOut, batch, t, d, step), dut.toHost(out.dut()), 1e-5, 1e-6);
            }
        }

        /** Time step {@code step} of a (B, T, C) array as (B, C). */
        private static float[] rows(float[] x, int batch, int t, int c, int step) {
            float[] out = new float[batch * c];
            for (int b = 0; b < batch; b++) System.arraycopy(x, (b * t + step) * c, out, b * c, c);
            return out;
        }

        private static Tensor pick(Pair p, boolean reference) {
            return p == null ? null : reference ? p.ref() : p.dut();
        }

        // ------------------------------------------------------------------ attention

        static Stream<Arguments> attentionCases() {
            // name, Tq, Tk, Dh, padding, causal, windowLeft, windowRight, globalTokens
            return Stream.of(
                    Arguments.of("none", 19, 19, 16, false, false, -1, -1, 0),
                    Arguments.of("padding", 19, 19, 16, true, false, -1, -1, 0),
                    Arguments.of("causal+padding", 21, 21, 64, true, true, -1, -1, 0),
                    Arguments.of("window", 23, 23, 16, false, false, 3, 2, 0),
                    Arguments.of("causal window", 23, 23, 8, true, true, 4, -1, 0),
                    Arguments.of("cross Tq!=Tk", 7, 13, 64, true, false, -1, -1, 0),
                    Arguments.of("long keys", 5, 150, 64, true, false, -1, -1, 0),
                    // Global tokens: the CUDA kernels visit the global tiles, skip to the window's tiles, and give
                    // blocks that hold a global position every tile; G spanning several tiles and G > T included.
                    Arguments.of("window+global", 70, 70, 16, false, false, 5, 5, 3),
                    Arguments.of("window+global+padding", 70, 70, 64, true, false, 5, 5, 3),
                    Arguments.of("window+20 global+padding", 130, 130, 32, true, false, 4, 4, 20),
                    Arguments.of("causal window+global", 90, 90, 8, true, true, 6, -1, 17),
                    Arguments.of("window+global G>T", 23, 23, 16, true, false, 2, 2, 40));
        }

        @ParameterizedTest(name = "attention {0}")
        @MethodSource("attentionCases")
        void attention(String name, int tq, int tk, int dh, boolean padding, boolean causal, int left, int right,
                       int global) {
            Random r = rng("attention" + name);
            int batch = 3, heads = 2;
            Pair q = s.uniform(r, -1, 1, batch, tq, heads, dh), k = s.uniform(r, -1, 1, batch, tk, heads, dh);
            Pair v = s.uniform(r, -1, 1, batch, tk, heads, dh);
            // Row 2 has no keys at all when padded: zero output, lse -inf, no gradient.
            Pair lengths = padding ? s.ints(new int[] {tk, Math.max(1, tk - 5), 0}, batch) : null;
            AttentionMask maskRef = new AttentionMask(pick(lengths, true), causal, left, right, global);
            AttentionMask maskDut = new AttentionMask(pick(lengths, false), causal, left, right, global);
            float scale = (float) (1 / Math.sqrt(dh));
            Pair out = s.poisoned(batch, tq, heads, dh), lse = s.poisoned(batch, heads, tq);
            ref().attention(out.ref(), lse.ref(), q.ref(), k.ref(), v.ref(), maskRef, scale);
            dut.attention(out.dut(), lse.dut(), q.dut(), k.dut(), v.dut(), maskDut, scale);
            s.assertClose("attention out", out, 1e-4, 1e-5);
            s.assertClose("attention lse", lse, 1e-5, 1e-5);
            Pair dOut = s.uniform(r, -1, 1, batch, tq, heads, dh);
            Pair dq = s.gradient(r, batch, tq, heads, dh), dk = s.gradient(r, batch, tk, heads, dh);
            Pair dv = s.gradient(r, batch, tk, heads, dh);
            ref().attentionBackward(dq.ref(), dk.ref(), dv.ref(), dOut.ref(), q.ref(), k.ref(), v.ref(), out.ref(),
                    lse.ref(), maskRef, scale);
            dut.attentionBackward(dq.dut(), dk.dut(), dv.dut(), dOut.dut(), q.dut(), k.dut(), v.dut(), out.dut(),
                    lse.dut(), maskDut, scale);
            s.assertClose("attentionBackward dq", dq, 1e-4, 1e-5);
            s.assertClose("attentionBackward dk", dk, 1e-4, 1e-5);
            s.assertClose("attentionBackward dv", dv, 1e-4, 1e-5);
        }

        // ------------------------------------------------------------------ losses

        @ParameterizedTest(name = "ctcLoss zeroInfinity={0}")
        @ValueSource(booleans = {true, false})
        void ctcLoss(boolean zeroInfinity) {
            Random r = rng("ctc" + zeroInfinity);
            int batch = 4, t = 12, v = 6, sMax = 4;
            // Row 1 repeats a label (needs a blank between); row 3 cannot fit its target in 2 frames.
            int[] targets = {1, 2, 3, 0, 2, 2, 5, 1, 4, 0, 0, 0, 3, 3, 3, 0};
            int[] targetLengths = {3, 4, 1, 3};
            int[] inputLengths = {12, 9, 5, 2};
            Pair logits = s.uniform(r, -3, 3, batch, t, v);
            Pair il = s.ints(inputLengths, batch), tg = s.ints(targets, batch, sMax), tl = s.ints(targetLengths, batch);
            Pair losses = s.poisoned(batch);
            ref().ctcLoss(losses.ref(), logits.ref(), il.ref(), tg.ref(), tl.ref(), zeroInfinity);
            dut.ctcLoss(losses.dut(), logits.dut(), il.dut(), tg.dut(), tl.dut(), zeroInfinity);
            s.assertClose("ctcLoss", losses, 1e-5, 1e-5);
            Pair dLosses = s.uniform(r, 0.5f, 1.5f, batch), dLogits = s.gradient(r, batch, t, v);
            ref().ctcLossBackward(dLogits.ref(), dLosses.ref(), logits.ref(), il.ref(), tg.ref(), tl.ref(), zeroInfinity);
            dut.ctcLossBackward(dLogits.dut(), dLosses.dut(), logits.dut(), il.dut(), tg.dut(), tl.dut(), zeroInfinity);
            s.assertClose("ctcLossBackward", dLogits, 1e-4, 1e-5);
        }

        @ParameterizedTest(name = "crossEntropy smoothing={0}")
        @ValueSource(floats = {0f, 0.1f})
        void crossEntropy(float smoothing) {
            Random r = rng("ce" + smoothing);
            int n = 9, v = 131, ignore = -100;
            int[] targets = {5, ignore, 0, 130, 77, ignore, 12, 3, 64};
            Pair logits = s.uniform(r, -4, 4, n, v), tg = s.ints(targets, n);
            Pair losses = s.poisoned(n);
            ref().crossEntropy(losses.ref(), logits.ref(), tg.ref(), smoothing, ignore);
            dut.crossEntropy(losses.dut(), logits.dut(), tg.dut(), smoothing, ignore);
            s.assertClose("crossEntropy", losses, 1e-5, 1e-5);
            Pair dLosses = s.uniform(r, 0.5f, 1.5f, n), dLogits = s.gradient(r, n, v);
            ref().crossEntropyBackward(dLogits.ref(), dLosses.ref(), logits.ref(), tg.ref(), smoothing, ignore);
            dut.crossEntropyBackward(dLogits.dut(), dLosses.dut(), logits.dut(), tg.dut(), smoothing, ignore);
            s.assertClose("crossEntropyBackward", dLogits, 1e-5, 1e-6);
        }

        // ------------------------------------------------------------------ optimizer

        @ParameterizedTest(name = "adamStep step={0}")
        @ValueSource(ints = {1, 7})
        void adamStep(int step) {
            Random r = rng("adam" + step);
            int[] dims = {13, 29};
            Pair p = s.uniform(r, -1, 1, dims), g = s.uniform(r, -0.1f, 0.1f, dims);
            Pair m = s.uniform(r, -0.01f, 0.01f, dims), v = s.uniform(r, 0f, 1e-4f, dims);
            ref().adamStep(p.ref(), g.ref(), m.ref(), v.ref(), 1e-3f, 0.9f, 0.98f, 1e-9f, 0.01f, step);
            dut.adamStep(p.dut(), g.dut(), m.dut(), v.dut(), 1e-3f, 0.9f, 0.98f, 1e-9f, 0.01f, step);
            s.assertClose("adamStep param", p, 1e-5, 1e-6);
            s.assertClose("adamStep m", m, 1e-5, 1e-7);
            s.assertClose("adamStep v", v, 1e-5, 1e-9);
        }

        // ------------------------------------------------------------------ errors

        @Test
        void wrongShapesThrowNamingTheOp() {
            Backend b = dut;
            Tensor x23 = b.zeros(DType.F32, 2, 3), x24 = b.zeros(DType.F32, 2, 4), x32 = b.zeros(DType.F32, 3, 2);
            Tensor x2 = b.zeros(DType.F32, 2), ids = b.zeros(DType.I32, 4);
            Tensor q = b.zeros(DType.F32, 1, 4, 2, 8), kWrongHeads = b.zeros(DType.F32, 1, 4, 3, 8);
            Tensor lse = b.zeros(DType.F32, 1, 2, 4);
            Tensor u = b.zeros(DType.F32, 1, 5, 4), a = b.zeros(DType.F32, 4, 3), bc = b.zeros(DType.F32, 1, 5, 3);
            Tensor bcWrong = b.zeros(DType.F32, 1, 6, 3);
            Tensor img = b.zeros(DType.F32, 1, 2, 8, 8), w1 = b.zeros(DType.F32, 3, 1, 5, 5);
            Tensor img3 = b.zeros(DType.F32, 1, 3, 4, 4);
            Tensor logits = b.zeros(DType.F32, 2, 5, 4), lens = b.zeros(DType.I32, 2), lens3 = b.zeros(DType.I32, 3);
            Tensor targets = b.zeros(DType.I32, 2, 2);
            assertRejected("matmul", () -> b.matmul(x23, x23, false, x23, false, 1f, 0f));
            assertRejected("matmulBackward", () -> b.matmulBackward(x24, null, x23, x23, false, x32, false));
            assertRejected("add", () -> b.add(x23, x23, x24));
            assertRejected("mul", () -> b.mul(x24, x23, x23));
            assertRejected("addBias", () -> b.addBias(x23, x23, x2));
            assertRejected("axpy", () -> b.axpy(x23, 1f, x32));
            assertRejected("unary", () -> b.unary(Unary.SILU, x24, x23));
            assertRejected("sliceLastDim", () -> b.sliceLastDim(x23, x24, 2));
            assertRejected("permute", () -> b.permute(x23, x23, 1, 0));
            assertRejected("rmsNorm", () -> b.rmsNorm(x23, x2, x23, x2, 1e-5f));
            assertRejected("layerNorm", () -> b.layerNorm(x23, x23, x2, x23, x2, x2, 1e-5f));
            assertRejected("softmax", () -> b.softmax(x24, x23));
            assertRejected("dropout", () -> b.dropout(x24, x23, 0.1f, 1L));
            assertRejected("embedding", () -> b.embedding(x23, ids, x23));
            assertRejected("conv2d", () -> b.conv2d(img3, img, w1, null, 2, 2));
            assertRejected("causalConv1d", () -> b.causalConv1d(u, u, x23, null));
            assertRejected("selectiveScan", () -> b.selectiveScan(u,
                    new ScanInputs(u, u, a, bcWrong, bc, null, null, null, true, null)));
            Tensor state = b.zeros(DType.F32, 1, 4, 3);
            assertRejected("selectiveScanStep", () -> b.selectiveScanStep(u, state,
                    new ScanInputs(u, u, a, bc, bc, null, null, null, true, null)));   // 5 time steps, not 1
            assertRejected("attention", () -> b.attention(q, lse, q, kWrongHeads, kWrongHeads, AttentionMask.none(), 1f));
            assertRejected("ctcLoss", () -> b.ctcLoss(x2, logits, lens3, targets, lens, true));
            assertRejected("crossEntropy", () -> b.crossEntropy(x2, x23, lens3, 0f, -100));
            assertRejected("adamStep", () -> b.adamStep(x23, x24, x23, x23, 1e-3f, 0.9f, 0.999f, 1e-8f, 0f, 1));
        }

        private static void assertRejected(String op, Executable call) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call, op + " with a wrong shape");
            assertTrue(e.getMessage() != null && e.getMessage().startsWith(op + ":"),
                    "message should start with '" + op + ":' but was: " + e.getMessage());
        }

        @Test
        void outOfRangeIndicesThrow() {
            Tensor table = dut.zeros(DType.F32, 5, 3), out = dut.zeros(DType.F32, 2, 3);
            Tensor badIds = dut.fromHostInts(new int[] {1, 5}, 2);
            assertRejected("embedding", () -> dut.embedding(out, badIds, table));
            Tensor logits = dut.zeros(DType.F32, 1, 4, 3);
            Tensor blankTarget = dut.fromHostInts(new int[] {0, 1}, 1, 2);
            Tensor il = dut.fromHostInts(new int[] {4}, 1), tl = dut.fromHostInts(new int[] {2}, 1);
            assertRejected("ctcLoss", () -> dut.ctcLoss(dut.zeros(DType.F32, 1), logits, il, blankTarget, tl, false));
            Tensor longInput = dut.fromHostInts(new int[] {5}, 1);
            Tensor okTarget = dut.fromHostInts(new int[] {1, 2}, 1, 2);
            assertRejected("ctcLoss", () -> dut.ctcLoss(dut.zeros(DType.F32, 1), logits, longInput, okTarget, tl, false));
        }
    }
}
