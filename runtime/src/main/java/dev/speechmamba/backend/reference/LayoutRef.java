package dev.speechmamba.backend.reference;

/** Slicing along the last dimension and axis permutations, in float64. */
final class LayoutRef {
    private LayoutRef() { }

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
