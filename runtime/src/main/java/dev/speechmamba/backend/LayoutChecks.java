package dev.speechmamba.backend;

import dev.speechmamba.tensor.Tensor;

import java.util.Arrays;

/**
 * Argument checks of the layout ops (last-dimension slices, axis permutations, embedding lookups), shared by
 * every backend.
 */
public final class LayoutChecks {
    private LayoutChecks() { }

    /** Checks out (..., Co) and x (..., Cx) F32 with columns [start, start + Co) inside x. */
    public static void sliceLastDim(String op, Tensor out, Tensor x, int start) {
        Checks.f32(op, "out", out);
        Checks.f32(op, "x", x);
        slice(op, "x", x, "out", out, start);
    }

    /** Checks dOut F32 and, when given, dx F32 wide enough for dOut at start. */
    public static void sliceLastDimBackward(String op, Tensor dx, Tensor dOut, int start) {
        Checks.f32(op, "dOut", dOut);
        if (dx == null) return;
        Checks.f32(op, "dx", dx);
        slice(op, "dx", dx, "dOut", dOut, start);
    }

    /** Checks out and x F32 and out shaped like x permuted by perm. */
    public static void permute(String op, Tensor out, Tensor x, int[] perm) {
        Checks.f32(op, "out", out);
        Checks.f32(op, "x", x);
        permutation(op, "x", x, "out", out, perm);
    }

    /** Checks dOut F32 and, when given, dx F32 with dOut shaped like dx permuted by perm. */
    public static void permuteBackward(String op, Tensor dx, Tensor dOut, int[] perm) {
        Checks.f32(op, "dOut", dOut);
        if (dx == null) return;
        Checks.f32(op, "dx", dx);
        permutation(op, "dx", dx, "dOut", dOut, perm);
    }

    /** Checks wide (..., Cx) against narrow (..., Co): same leading dims and 0 &lt;= start, start + Co &lt;= Cx. */
    private static void slice(String op, String wideName, Tensor wide, String narrowName, Tensor narrow, int start) {
        int[] w = wide.shape().dims();
        int[] n = narrow.shape().dims();
        boolean sameLeading = w.length >= 1 && w.length == n.length
                && Arrays.equals(Arrays.copyOf(w, w.length - 1), Arrays.copyOf(n, n.length - 1));
        if (!sameLeading) {
            throw Checks.error(op, wideName + " " + wide.shape() + " and " + narrowName + " " + narrow.shape()
                    + " must share every dimension but the last");
        }
        long end = (long) start + n[n.length - 1]; // long: a huge start must not wrap around and pass
        if (start < 0 || end > w[w.length - 1]) {
            throw Checks.error(op, "columns [" + start + ", " + end + ") of " + narrowName + " "
                    + narrow.shape() + " do not fit in " + wideName + " " + wide.shape());
        }
    }

    /** Checks that perm is a permutation of x's axes (rank 2 to 4) and out.dim(i) == x.dim(perm[i]). */
    private static void permutation(String op, String xName, Tensor x, String outName, Tensor out, int[] perm) {
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

    /**
     * Sizes of a checked embedding call.
     *
     * @param ids the ids as read from the host, each in [0, vocab)
     */
    public record EmbeddingDims(int count, int vocab, int channels, int[] ids) { }

    /** Checks out (N, C) F32, ids I32 with N elements each in [0, V), table (V, C) F32. */
    public static EmbeddingDims embedding(String op, Tensor out, Tensor ids, Tensor table, HostInts hostInts) {
        Checks.f32(op, "out", out);
        Checks.i32(op, "ids", ids);
        Checks.f32(op, "table", table);
        Checks.shape(op, "table", table, Checks.ANY, Checks.ANY);
        int count = Math.toIntExact(ids.size());
        int vocab = table.dim(0);
        int channels = table.dim(1);
        Checks.shape(op, "out", out, count, channels);
        int[] idValues = hostInts.read(ids);
        ids(op, idValues, vocab);
        return new EmbeddingDims(count, vocab, channels, idValues);
    }

    /**
     * Checks dOut (N, C) F32 and ids I32 with N elements, then, when dTable is given, dTable (V, C) F32 and each
     * id in [0, V).
     *
     * @return the sizes, or null when dTable is null (nothing to accumulate)
     */
    public static EmbeddingDims embeddingBackward(String op, Tensor dTable, Tensor dOut, Tensor ids,
                                                  HostInts hostInts) {
        Checks.f32(op, "dOut", dOut);
        Checks.i32(op, "ids", ids);
        int count = Math.toIntExact(ids.size());
        Checks.shape(op, "dOut", dOut, count, Checks.ANY);
        int channels = dOut.dim(1);
        if (dTable == null) return null;
        Checks.f32(op, "dTable", dTable);
        Checks.shape(op, "dTable", dTable, Checks.ANY, channels);
        int vocab = dTable.dim(0);
        int[] idValues = hostInts.read(ids);
        ids(op, idValues, vocab);
        return new EmbeddingDims(count, vocab, channels, idValues);
    }

    /** The first id outside [0, vocab) fails, naming its index. */
    public static void ids(String op, int[] ids, int vocab) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocab) {
                throw Checks.error(op, "ids[" + i + "] = " + ids[i] + " is outside [0, " + vocab + ")");
            }
        }
    }
}
