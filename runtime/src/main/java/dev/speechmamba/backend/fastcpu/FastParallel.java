package dev.speechmamba.backend.fastcpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.TimeUnit;

/**
 * The fast backend's thread pool and its one way of splitting work: a range of independent items cut
 * into contiguous chunks. Work below {@link #MIN_PARALLEL_WORK} runs on the calling thread, because
 * handing a few microseconds of work to other threads costs more than it saves. The chunking depends only
 * on (items, cost, threads), so per-chunk partial sums are merged in the same order every run.
 */
final class FastParallel implements AutoCloseable {

    /** Below about this many scalar operations an op stays on the calling thread. */
    static final long MIN_PARALLEL_WORK = 1L << 15;

    /** Each chunk gets at least this much work, so chunks are not smaller than a task's overhead. */
    private static final long MIN_CHUNK_WORK = 1L << 13;

    @FunctionalInterface
    interface RangeBody {
        void run(int from, int to);
    }

    @FunctionalInterface
    interface ChunkBody {
        void run(int chunk, int from, int to);
    }

    private final int threads;
    private final ForkJoinPool pool;

    FastParallel(int threads) {
        if (threads < 1) throw new IllegalArgumentException("cpu backend: thread count must be >= 1, got " + threads);
        this.threads = threads;
        // The common pool has (cores - 1) workers; a private pool plus the calling thread uses every core.
        this.pool = threads > 1 ? new ForkJoinPool(threads - 1) : null;
    }

    int threads() { return threads; }

    /** How many chunks {@link #forChunks} cuts {@code items} of {@code costPerItem} work into. */
    int chunkCount(int items, long costPerItem) {
        if (items <= 0) return 0;
        if (items == 1 || pool == null) return 1;
        long total = (long) items * Math.max(costPerItem, 1);
        if (total < MIN_PARALLEL_WORK) return 1;
        long byWork = Math.max(1, total / MIN_CHUNK_WORK);
        // Up to 4 chunks per thread evens out chunks of uneven cost (ragged lengths, causal masks).
        return (int) Math.min(items, Math.min(byWork, 4L * threads));
    }

    /** Runs body over [0, items) in contiguous ranges, possibly on several threads. */
    void forRange(int items, long costPerItem, RangeBody body) {
        forChunks(items, costPerItem, (chunk, from, to) -> body.run(from, to));
    }

    /** Runs body once per chunk of [0, items); chunk indices are 0 .. chunkCount(items, cost) - 1. */
    void forChunks(int items, long costPerItem, ChunkBody body) {
        int chunks = chunkCount(items, costPerItem);
        if (chunks == 0) return;
        if (chunks == 1) {
            body.run(0, 0, items);
            return;
        }
        ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[chunks];
        for (int c = 1; c < chunks; c++) {
            final int chunk = c;
            tasks[c] = pool.submit(() -> body.run(chunk, start(items, chunks, chunk), start(items, chunks, chunk + 1)));
        }
        Throwable failure = null;
        try {
            body.run(0, 0, start(items, chunks, 1));
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        for (int c = 1; c < chunks; c++) {
            try {
                tasks[c].join();
            } catch (RuntimeException | Error e) {
                if (failure == null) failure = e;
            }
        }
        if (failure instanceof RuntimeException re) throw re;
        if (failure instanceof Error er) throw er;
    }

    private static int start(int items, int chunks, int chunk) {
        return (int) ((long) items * chunk / chunks);
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdown();
            try {
                pool.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
