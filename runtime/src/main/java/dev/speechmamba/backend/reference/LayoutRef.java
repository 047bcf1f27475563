package dev.speechmamba.backend.reference;

import dev.speechmamba.backend.Checks;
import dev.speechmamba.tensor.Tensor;

import java.util.Arrays;

/** Slicing along the last dimension and axis permutations, in float64. */
final class LayoutRef {
    private LayoutRef() { }

    /** Checks wide (..., Cx) against narrow (..., Co): same leading dims and 0 <= start, start + Co <= Cx. */
    static void checkSlice(String op, String wideName, Tensor wide, String narrowName, Tensor narrow, int start) {
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

    /** Checks that perm is a permutation of x's axes (rank 2 to 4) and out.dim(i) == x.dim(perm[i]). */
    static void checkPermute(String op, String xName, Tensor x, String outName, Tensor out, int[] perm) {
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

    /** out[r, c] = x[r, start + c]. x: (rows, Cx); out: (rows, Co). */
    static void sliceForward(double[] out, double[] x, int rows, int xCols, int outCols, int start) {
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < outCols; c++) out[r * outCols + c] = x[r * xCols + start + c];
        }
    }

    /** dx[r, start + c] += dOut[r, c]. dx: (rows, Cx); dOut: (rows, Co). */
    static void sliceBackward(double[] dx, double[] dOut, int rows, int xCols, int outCols, int start) {
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < outCols; c++) dx[r * xCols + start + c] += dOut[r * outCols + c];
        }
    }

    /** Row-major strides of a tensor with dimensions {@code dims}. */
    static int[] strides(int[] dims) {
        int[] s = new int[dims.length];
        int stride = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = stride;
            stride *= dims[i];
        }
        return s;
    }

    /**
     * For every flat index of out (dims: xDims permuted by perm), the flat index of the x element it
     * copies: out coordinate i walks x's axis perm[i].
     */
    static int[] sourceIndex(int[] xDims, int[] perm) {
        int rank = xDims.length;
        int[] xStrides = strides(xDims);
        int[] outDims = new int[rank];
        int n = 1;
        for (int i = 0; i < rank; i++) {
            outDims[i] = xDims[perm[i]];
            n *= outDims[i];
        }
        int[] source = new int[n];
        int[] coord = new int[rank]; // coordinates in out, odometer order (last fastest)
        for (int o = 0; o < n; o++) {
            int xIndex = 0;
            for (int i = 0; i < rank; i++) xIndex += coord[i] * xStrides[perm[i]];
            source[o] = xIndex;
            for (int i = rank - 1; i >= 0; i--) {
                if (++coord[i] < outDims[i]) break;
                coord[i] = 0;
            }
        }
        return source;
    }

    /** out = x with axes permuted: out.dim(i) == xDims[perm[i]]. */
    static void permuteForward(double[] out, double[] x, int[] xDims, int[] perm) {
        int[] source = sourceIndex(xDims, perm);
        for (int o = 0; o < source.length; o++) out[o] = x[source[o]];
    }

    /** dx += dOut permuted back. dx has dimensions xDims; dOut has xDims permuted by perm. */
    static void permuteBackward(double[] dx, double[] dOut, int[] xDims, int[] perm) {
        int[] source = sourceIndex(xDims, perm);
        for (int o = 0; o < source.length; o++) dx[source[o]] += dOut[o];
    }
}
