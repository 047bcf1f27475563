package dev.speechmamba.backend.fastcpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

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

    /**
     * Runs body once per chunk of [0, items); chunk indices are 0 .. chunkCount(items, cost) - 1. The caller and
     * up to threads - 1 pool workers claim chunks from one counter until none is left, so the caller keeps
     * working instead of waiting while a single worker runs through a queue of chunks (with 4 chunks per
     * thread, handing chunks 1.. to the pool left a 2-thread backend running mostly on one core). Which thread
     * runs a chunk varies; the chunks and their bounds do not, so results stay deterministic.
     */
    void forChunks(int items, long costPerItem, ChunkBody body) {
        int chunks = chunkCount(items, costPerItem);
        if (chunks == 0) return;
        if (chunks == 1) {
            body.run(0, 0, items);
            return;
        }
        AtomicInteger next = new AtomicInteger();
        Runnable claimChunks = () -> {
            for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
                body.run(c, start(items, chunks, c), start(items, chunks, c + 1));
            }
        };
        int helpers = Math.min(chunks, threads) - 1;
        ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[helpers];
        for (int h = 0; h < helpers; h++) tasks[h] = pool.submit(claimChunks);
        Throwable failure = null;
        try {
            claimChunks.run();
        } catch (RuntimeException | Error e) {
            failure = e;
            next.set(chunks); // the others stop claiming
        }
        for (ForkJoinTask<?> task : tasks) {
            try {
                task.join();
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
