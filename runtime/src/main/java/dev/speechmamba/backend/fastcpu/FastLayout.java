package dev.speechmamba.backend.fastcpu;

import dev.speechmamba.backend.LayoutChecks;
import dev.speechmamba.tensor.Tensor;

/** Slicing the last dimension, permuting axes and embedding lookups: copies, parallel over rows. */
final class FastLayout {
    private final FastParallel par;

    FastLayout(FastParallel par) { this.par = par; }

    // ------------------------------------------------------------------ slice

    void sliceLastDim(Tensor out, Tensor x, int start) {
        String op = "sliceLastDim";
        LayoutChecks.sliceLastDim(op, out, x, start);
        int rows = out.shape().rows(), co = out.dim(-1), cx = x.dim(-1);
        float[] o = FastHost.floats(op, out), xs = FastHost.floats(op, x);
        int oo = FastHost.off(out), xo = FastHost.off(x);
        par.forRange(rows, co, (from, to) -> {
            for (int r = from; r < to; r++) System.arraycopy(xs, xo + r * cx + start, o, oo + r * co, co);
        });
    }

    void sliceLastDimBackward(Tensor dx, Tensor dOut, int start) {
        String op = "sliceLastDimBackward";
        LayoutChecks.sliceLastDimBackward(op, dx, dOut, start);
        if (dx == null) return;
        int rows = dOut.shape().rows(), co = dOut.dim(-1), cx = dx.dim(-1);
        float[] g = FastHost.floats(op, dOut), dxs = FastHost.floats(op, dx);
        int go = FastHost.off(dOut), dxo = FastHost.off(dx);
        par.forRange(rows, co, (from, to) -> {
            for (int r = from; r < to; r++) {
                int src = go + r * co, dst = dxo + r * cx + start;
                for (int c = 0; c < co; c++) dxs[dst + c] += g[src + c];
            }
        });
    }

    // ------------------------------------------------------------------ permute

    void permute(Tensor out, Tensor x, int... perm) {
        String op = "permute";
        LayoutChecks.permute(op, out, x, perm);
        permuteCopy(op, FastHost.floats(op, x), FastHost.off(x), x.shape().dims(),
                FastHost.floats(op, out), FastHost.off(out), perm, false);
    }

    void permuteBackward(Tensor dx, Tensor dOut, int... perm) {
        String op = "permuteBackward";
        LayoutChecks.permuteBackward(op, dx, dOut, perm);
        if (dx == null) return;
        // dOut[o] belongs to dx[x-index of o]; walking dOut in its own order, every dx element is hit once.
        permuteCopy(op, FastHost.floats(op, dOut), FastHost.off(dOut), dOut.shape().dims(),
                FastHost.floats(op, dx), FastHost.off(dx), perm, true);
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
        LayoutChecks.EmbeddingDims dims = LayoutChecks.embedding(op, out, ids, table, t -> FastHost.intsCopy(op, t));
        int[] idv = dims.ids();
        int c = dims.channels();
        float[] o = FastHost.floats(op, out), t = FastHost.floats(op, table);
        int oo = FastHost.off(out), to0 = FastHost.off(table);
        par.forRange(idv.length, c, (from, to) -> {
            for (int i = from; i < to; i++) System.arraycopy(t, to0 + idv[i] * c, o, oo + i * c, c);
        });
    }

    void embeddingBackward(Tensor dTable, Tensor dOut, Tensor ids) {
        String op = "embeddingBackward";
        LayoutChecks.EmbeddingDims dims =
                LayoutChecks.embeddingBackward(op, dTable, dOut, ids, t -> FastHost.intsCopy(op, t));
        if (dims == null) return;
        int c = dims.channels();
        int vocab = dims.vocab();
        int[] idv = dims.ids();
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
}
