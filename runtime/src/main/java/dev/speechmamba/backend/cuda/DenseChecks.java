package dev.speechmamba.backend.cuda;

import dev.speechmamba.backend.Checks;
import dev.speechmamba.tensor.Tensor;

import java.util.Arrays;

/**
 * Shape checks of the dense ops that go beyond {@link Checks}, worded like the reference backend's
 * so a wrong call fails the same way on every backend.
 */
final class DenseChecks {
    private DenseChecks() { }

    /** wide (..., Cx) and narrow (..., Co): same leading dims and 0 &lt;= start, start + Co &lt;= Cx. */
    static void slice(String op, String wideName, Tensor wide, String narrowName, Tensor narrow, int start) {
        int[] w = wide.shape().dims();
        int[] n = narrow.shape().dims();
        boolean sameLeading = w.length >= 1 && w.length == n.length
                && Arrays.equals(Arrays.copyOf(w, w.length - 1), Arrays.copyOf(n, n.length - 1));
        if (!sameLeading) {
            throw Checks.error(op, wideName + " " + wide.shape() + " and " + narrowName + " " + narrow.shape()
                    + " must share every dimension but the last");
        }
        if (start < 0 || start + n[n.length - 1] > w[w.length - 1]) {
            throw Checks.error(op, "columns [" + start + ", " + (start + n[n.length - 1]) + ") of " + narrowName + " "
                    + narrow.shape() + " do not fit in " + wideName + " " + wide.shape());
        }
    }

    /** perm is a permutation of x's axes (rank 2 to 4) and out.dim(i) == x.dim(perm[i]). */
    static void permute(String op, String xName, Tensor x, String outName, Tensor out, int[] perm) {
        Checks.notNull(op, "perm", perm);
        int rank = x.rank();
        if (rank < 2 || rank > 4) throw Checks.error(op, xName + " " + x.shape() + " must have rank 2 to 4");
        boolean[] seen = new boolean[rank];
        boolean valid = perm.length == rank;
        for (int i = 0; valid && i < rank; i++) {
            valid = perm[i] >= 0 && perm[i] < rank && !seen[perm[i]];
            if (valid) seen[perm[i]] = true;
        }
        if (!valid) {
            throw Checks.error(op, "perm " + Arrays.toString(perm) + " is not a permutation of the axes of " + xName
                    + " " + x.shape());
        }
        int[] expected = new int[rank];
        for (int i = 0; i < rank; i++) expected[i] = x.dim(perm[i]);
        if (!Arrays.equals(out.shape().dims(), expected)) {
            throw Checks.error(op, outName + " has shape " + out.shape() + ", expected " + Arrays.toString(expected)
                    + " for " + xName + " " + x.shape() + " permuted by " + Arrays.toString(perm));
        }
    }

    /** x is (..., C) with rank &gt;= 2 and a per-row statistic has x's leading dims. */
    static void rows(String op, Tensor x, String statName, Tensor stat) {
        Checks.notNull(op, "x", x);
        Checks.notNull(op, statName, stat);
        int[] dims = x.shape().dims();
        if (dims.length < 2) throw Checks.error(op, "x has shape " + x.shape() + ", expected (R, C)");
        int[] leading = Arrays.copyOf(dims, dims.length - 1);
        if (!Arrays.equals(stat.shape().dims(), leading)) {
            throw Checks.error(op, statName + " has shape " + stat.shape() + ", expected "
                    + Arrays.toString(leading).replace('[', '(').replace(']', ')') + " for x " + x.shape());
        }
    }

    /** Dropout's p must lie in [0, 1). */
    static void probability(String op, float p) {
        if (!(p >= 0f && p < 1f)) throw Checks.error(op, "drop probability p = " + p + " is outside [0, 1)");
    }

    /** The first id outside [0, vocab) fails, naming its index. */
    static void ids(String op, int[] ids, int vocab) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocab) {
                throw Checks.error(op, "ids[" + i + "] = " + ids[i] + " is outside [0, " + vocab + ")");
            }
        }
    }

    /** Optional gradient: when present, F32 and shaped like {@code like}. */
    static void gradLike(String op, String name, Tensor grad, String likeName, Tensor like) {
        if (grad == null) return;
        Checks.f32(op, name, grad);
        Checks.sameShape(op, name, grad, likeName, like);
    }

    /** Elements of a tensor as an int, for kernels that index rows with 32-bit math on one axis. */
    static int intSize(String op, String name, long value) {
        if (value > Integer.MAX_VALUE) throw Checks.error(op, name + " = " + value + " exceeds 2^31 - 1");
        return (int) value;
    }
}
