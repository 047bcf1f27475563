package dev.speechmamba.backend.fastcpu;

import dev.speechmamba.backend.Checks;
import dev.speechmamba.tensor.Tensor;

/** Slicing the last dimension, permuting axes and embedding lookups: copies, parallel over rows. */
final class FastLayout {
    private final FastParallel par;

    FastLayout(FastParallel par) { this.par = par; }

    // ------------------------------------------------------------------ slice

    void sliceLastDim(Tensor out, Tensor x, int start) {
        String op = "sliceLastDim";
        int[] d = checkSlice(op, "out", out, "x", x, start);
        int rows = d[0], co = d[1], cx = d[2];
        float[] o = FastHost.floats(op, out), xs = FastHost.floats(op, x);
        int oo = FastHost.off(out), xo = FastHost.off(x);
        par.forRange(rows, co, (from, to) -> {
            for (int r = from; r < to; r++) System.arraycopy(xs, xo + r * cx + start, o, oo + r * co, co);
        });
    }

    void sliceLastDimBackward(Tensor dx, Tensor dOut, int start) {
        String op = "sliceLastDimBackward";
        if (dx == null) {
            Checks.f32(op, "dOut", dOut);
            return;
        }
        int[] d = checkSlice(op, "dOut", dOut, "dx", dx, start);
        int rows = d[0], co = d[1], cx = d[2];
        float[] g = FastHost.floats(op, dOut), dxs = FastHost.floats(op, dx);
        int go = FastHost.off(dOut), dxo = FastHost.off(dx);
        par.forRange(rows, co, (from, to) -> {
            for (int r = from; r < to; r++) {
                int src = go + r * co, dst = dxo + r * cx + start;
                for (int c = 0; c < co; c++) dxs[dst + c] += g[src + c];
            }
        });
    }

    /** Returns {rows, narrow width, wide width}. */
    private static int[] checkSlice(String op, String narrowName, Tensor narrow, String wideName, Tensor wide, int start) {
        Checks.f32(op, narrowName, narrow);
        Checks.f32(op, wideName, wide);
        if (narrow.rank() < 1 || narrow.rank() != wide.rank()) {
            throw Checks.error(op, narrowName + " " + narrow.shape() + " and " + wideName + " " + wide.shape()
                    + " must have the same rank >= 1");
        }
        for (int i = 0; i < narrow.rank() - 1; i++) {
            if (narrow.dim(i) != wide.dim(i)) {
                throw Checks.error(op, narrowName + " " + narrow.shape() + " and " + wideName + " " + wide.shape()
                        + " must have the same leading dimensions");
            }
        }
        int co = narrow.dim(-1), cx = wide.dim(-1);
        if (start < 0 || (long) start + co > cx) {
            throw Checks.error(op, "slice [" + start + ", " + ((long) start + co) + ") of the last dimension is outside "
                    + wideName + " " + wide.shape());
        }
        return new int[] {narrow.shape().rows(), co, cx};
    }

    // ------------------------------------------------------------------ permute

    void permute(Tensor out, Tensor x, int... perm) {
        String op = "permute";
        Checks.f32(op, "x", x);
        Checks.f32(op, "out", out);
        checkPermutation(op, out, "out", x, perm);
        permuteCopy(op, FastHost.floats(op, x), FastHost.off(x), x.shape().dims(),
                FastHost.floats(op, out), FastHost.off(out), perm, false);
    }

    void permuteBackward(Tensor dx, Tensor dOut, int... perm) {
        String op = "permuteBackward";
        Checks.f32(op, "dOut", dOut);
        if (dx == null) return;
        Checks.f32(op, "dx", dx);
        checkPermutation(op, dOut, "dOut", dx, perm);
        // dOut[o] belongs to dx[x-index of o]; walking dOut in its own order, every dx element is hit once.
        permuteCopy(op, FastHost.floats(op, dOut), FastHost.off(dOut), dOut.shape().dims(),
                FastHost.floats(op, dx), FastHost.off(dx), perm, true);
    }

    private static void checkPermutation(String op, Tensor permuted, String permutedName, Tensor x, int[] perm) {
        Checks.notNull(op, "perm", perm);
        int rank = x.rank();
        if (rank < 2 || rank > 4) throw Checks.error(op, "rank must be 2 to 4, got x " + x.shape());
        if (perm.length != rank) {
            throw Checks.error(op, "perm " + java.util.Arrays.toString(perm) + " must have " + rank + " entries for x " + x.shape());
        }
        boolean[] seen = new boolean[rank];
        for (int p : perm) {
            if (p < 0 || p >= rank || seen[p]) {
                throw Checks.error(op, "perm " + java.util.Arrays.toString(perm) + " is not a permutation of 0.." + (rank - 1));
            }
            seen[p] = true;
        }
        int[] expected = new int[rank];
        for (int i = 0; i < rank; i++) expected[i] = x.dim(perm[i]);
        Checks.shape(op, permutedName, permuted, expected);
    }

    /**
     * Walks the permuted tensor (dims pdims[i] = xdims[perm[i]]) in row-major order. Forward reads
     * x[xIndex] into permuted[o]; backward (fromPermuted) adds permuted[o] into x[xIndex].
     * Here {@code src} is x for forward and the permuted gradient for backward.
     */
    private void permuteCopy(String op, float[] src, int srcOff, int[] srcDims, float[] dst, int dstOff, int[] perm,
                             boolean fromPermuted) {
        int rank = perm.length;
        int[] xDims = new int[rank];
        int[] pDims = new int[rank];
        if (fromPermuted) {
            pDims = srcDims;
            for (int i = 0; i < rank; i++) xDims[perm[i]] = pDims[i];
        } else {
            xDims = srcDims;
            for (int i = 0; i < rank; i++) pDims[i] = xDims[perm[i]];
        }
        int[] xStrides = new int[rank];
        int s = 1;
        for (int i = rank - 1; i >= 0; i--) { xStrides[i] = s; s *= xDims[i]; }
        // x stride of each permuted axis, padded to rank 4 with size-1 leading axes.
        int[] dim4 = {1, 1, 1, 1}, stride4 = {0, 0, 0, 0};
        for (int i = 0; i < rank; i++) {
            dim4[4 - rank + i] = pDims[i];
            stride4[4 - rank + i] = xStrides[perm[i]];
        }
        int outerRows = dim4[0] * dim4[1] * dim4[2];
        int inner = dim4[3];
        final int[] d4 = dim4, s4 = stride4;
        par.forRange(outerRows, inner, (from, to) -> {
            for (int row = from; row < to; row++) {
                int i2 = row % d4[2], rest = row / d4[2];
                int i1 = rest % d4[1], i0 = rest / d4[1];
                int xBase = i0 * s4[0] + i1 * s4[1] + i2 * s4[2];
                int pBase = row * inner;
                if (fromPermuted) {
                    for (int j = 0; j < inner; j++) dst[dstOff + xBase + j * s4[3]] += src[srcOff + pBase + j];
                } else {
                    for (int j = 0; j < inner; j++) dst[dstOff + pBase + j] = src[srcOff + xBase + j * s4[3]];
                }
            }
        });
    }

    // ------------------------------------------------------------------ embedding

    void embedding(Tensor out, Tensor ids, Tensor table) {
        String op = "embedding";
        int[] idv = checkEmbedding(op, out, "out", ids, table);
        int c = table.dim(1);
        float[] o = FastHost.floats(op, out), t = FastHost.floats(op, table);
        int oo = FastHost.off(out), to0 = FastHost.off(table);
        par.forRange(idv.length, c, (from, to) -> {
            for (int i = from; i < to; i++) System.arraycopy(t, to0 + idv[i] * c, o, oo + i * c, c);
        });
    }

    void embeddingBackward(Tensor dTable, Tensor dOut, Tensor ids) {
        String op = "embeddingBackward";
        Checks.f32(op, "dOut", dOut);
        Checks.i32(op, "ids", ids);
        int count = FastHost.size(ids);
        Checks.shape(op, "dOut", dOut, count, Checks.ANY);
        int c = dOut.dim(1);
        if (dTable == null) return;
        Checks.f32(op, "dTable", dTable);
        Checks.shape(op, "dTable", dTable, Checks.ANY, c);
        int vocab = dTable.dim(0);
        int[] idv = FastHost.intsCopy(op, ids);
        requireIds(op, idv, vocab);
        float[] d = FastHost.floats(op, dTable), g = FastHost.floats(op, dOut);
        int dOff = FastHost.off(dTable), gOff = FastHost.off(dOut);
        // Threads own disjoint vocabulary ranges, so repeated ids never race and sums keep id order.
        par.forRange(vocab, (long) idv.length / Math.max(vocab, 1) * c + 1, (from, to) -> {
            for (int i = 0; i < idv.length; i++) {
                int id = idv[i];
                if (id < from || id >= to) continue;
                int dst = dOff + id * c, src = gOff + i * c;
                for (int j = 0; j < c; j++) d[dst + j] += g[src + j];
            }
        });
    }

    private static int[] checkEmbedding(String op, Tensor rows, String rowsName, Tensor ids, Tensor table) {
        Checks.f32(op, rowsName, rows);
        Checks.i32(op, "ids", ids);
        Checks.f32(op, "table", table);
        Checks.shape(op, "table", table, Checks.ANY, Checks.ANY);
        Checks.shape(op, rowsName, rows, FastHost.size(ids), table.dim(1));
        int[] idv = FastHost.intsCopy(op, ids);
        requireIds(op, idv, table.dim(0));
        return idv;
    }

    private static void requireIds(String op, int[] ids, int vocab) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocab) {
                throw Checks.error(op, "ids[" + i + "] = " + ids[i] + " is outside [0, " + vocab + ")");
            }
        }
    }
}
