package dev.speechmamba.backend.cuda;

import dev.speechmamba.backend.LayoutChecks;
import dev.speechmamba.cuda.KernelArgs;
import dev.speechmamba.tensor.Tensor;

/** Launchers of layout.cu (slicing the last dimension, permuting axes) and embedding.cu. */
final class LayoutLauncher {
    private static final String LAYOUT = "layout.cu";
    private static final String EMBEDDING = "embedding.cu";
    private static final int THREADS = 256;

    private final CudaContext ctx;

    LayoutLauncher(CudaContext ctx) { this.ctx = ctx; }

    private void flat(String file, String kernel, long n, KernelArgs args) {
        ctx.launch(file, kernel, ctx.gridFor(n, THREADS), 1, 1, THREADS, 1, 1, 0, args);
    }

    void sliceLastDim(Tensor out, Tensor x, int start) {
        LayoutChecks.sliceLastDim("sliceLastDim", out, x, start);
        flat(LAYOUT, "slice_last_forward", out.size(), KernelArgs.of().ptr(ctx.ptr(out)).ptr(ctx.ptr(x))
                .i64(x.shape().rows()).i32(x.dim(-1)).i32(out.dim(-1)).i32(start));
    }

    void sliceLastDimBackward(Tensor dx, Tensor dOut, int start) {
        LayoutChecks.sliceLastDimBackward("sliceLastDimBackward", dx, dOut, start);
        if (dx == null) return;
        flat(LAYOUT, "slice_last_backward", dOut.size(), KernelArgs.of().ptr(ctx.ptr(dx)).ptr(ctx.ptr(dOut))
                .i64(dx.shape().rows()).i32(dx.dim(-1)).i32(dOut.dim(-1)).i32(start));
    }

    void permute(Tensor out, Tensor x, int[] perm) {
        LayoutChecks.permute("permute", out, x, perm);
        permuteKernel(out, x, perm, false);
    }

    void permuteBackward(Tensor dx, Tensor dOut, int[] perm) {
        LayoutChecks.permuteBackward("permuteBackward", dx, dOut, perm);
        if (dx == null) return;
        permuteKernel(dOut, dx, perm, true);
    }

    /**
     * permuted has source's axes reordered by perm. Both are padded to rank 4 with leading axes of size 1
     * (stride 0), so one kernel serves ranks 2 to 4.
     */
    private void permuteKernel(Tensor permuted, Tensor source, int[] perm, boolean accumulate) {
        int rank = source.rank();
        long[] sourceStrides = new long[rank];
        long stride = 1;
        for (int i = rank - 1; i >= 0; i--) {
            sourceStrides[i] = stride;
            stride *= source.dim(i);
        }
        int pad = 4 - rank;
        int[] dims = new int[4];
        long[] strides = new long[4];
        for (int i = 0; i < 4; i++) {
            if (i < pad) {
                dims[i] = 1;
                strides[i] = 0;
            } else {
                dims[i] = permuted.dim(i - pad);
                strides[i] = sourceStrides[perm[i - pad]];
            }
        }
        long n = permuted.size();
        if (n == 0) return;
        flat(LAYOUT, "permute_kernel", n, KernelArgs.of().ptr(ctx.ptr(permuted)).ptr(ctx.ptr(source)).i64(n)
                .i32(dims[1]).i32(dims[2]).i32(dims[3])
                .i64(strides[0]).i64(strides[1]).i64(strides[2]).i64(strides[3]).i32(accumulate ? 1 : 0));
    }

    /** Ids are copied to the host and checked first (a synchronising read), so a bad id fails here. */
    void embedding(Tensor out, Tensor ids, Tensor table) {
        LayoutChecks.EmbeddingDims dims = LayoutChecks.embedding("embedding", out, ids, table, ctx::hostInts);
        int count = dims.count();
        int channels = dims.channels();
        flat(EMBEDDING, "embedding_forward", out.size(), KernelArgs.of().ptr(ctx.ptr(out)).ptr(ctx.ptr(ids))
                .ptr(ctx.ptr(table)).i64(count).i32(channels));
    }

    void embeddingBackward(Tensor dTable, Tensor dOut, Tensor ids) {
        LayoutChecks.EmbeddingDims dims =
                LayoutChecks.embeddingBackward("embeddingBackward", dTable, dOut, ids, ctx::hostInts);
        if (dims == null) return;
        int count = dims.count();
        int channels = dims.channels();
        flat(EMBEDDING, "embedding_backward", dOut.size(), KernelArgs.of().ptr(ctx.ptr(dTable)).ptr(ctx.ptr(dOut))
                .ptr(ctx.ptr(ids)).i64(count).i32(channels));
    }
}
