package dev.speechmamba.backend.fastcpu;

/** Column sums over rows (bias, norm-weight and conv-weight gradients) with per-chunk partials in double. */
final class FastReduce {
    private FastReduce() { }

    @FunctionalInterface
    interface RowAccumulator {
        /** Adds row r's contributions into acc (length = the width passed to columnSums). */
        void add(int r, double[] acc);
    }

    /** Σ over rows of each row's contributions, each chunk of rows into its own partial, merged in order. */
    static double[] columnSums(FastParallel par, int rows, int width, RowAccumulator body) {
        int chunks = par.chunkCount(rows, width);
        double[][] partial = new double[Math.max(chunks, 1)][width];
        par.forChunks(rows, width, (chunk, from, to) -> {
            double[] acc = partial[chunk];
            for (int r = from; r < to; r++) body.add(r, acc);
        });
        double[] total = partial[0];
        for (int c = 1; c < partial.length; c++) {
            for (int j = 0; j < width; j++) total[j] += partial[c][j];
        }
        return total;
    }

    static void addInto(float[] dst, int off, double[] sums) {
        for (int j = 0; j < sums.length; j++) dst[off + j] = (float) (dst[off + j] + sums[j]);
    }
}
