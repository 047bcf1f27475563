package dev.speechmamba.backend.fastcpu;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class FastParallelTest {

    /** Every item is visited exactly once, in the chunks chunkCount promises, whatever the thread count. */
    @Test
    void everyChunkRunsOnceWithFixedBounds() {
        for (int threads : new int[] {1, 2, 3, 8}) {
            try (FastParallel par = new FastParallel(threads)) {
                for (int items : new int[] {1, 7, 100, 4096, 100_003}) {
                    AtomicIntegerArray visits = new AtomicIntegerArray(items);
                    int chunks = par.chunkCount(items, 64);
                    int[][] bounds = new int[chunks][];
                    par.forChunks(items, 64, (chunk, from, to) -> {
                        bounds[chunk] = new int[] {from, to};
                        for (int i = from; i < to; i++) visits.incrementAndGet(i);
                    });
                    for (int i = 0; i < items; i++) assertEquals(1, visits.get(i), threads + " threads, item " + i);
                    int expectedFrom = 0;
                    for (int c = 0; c < chunks; c++) {
                        assertEquals(expectedFrom, bounds[c][0], "chunk " + c + " starts where the last ended");
                        expectedFrom = bounds[c][1];
                    }
                    assertEquals(items, expectedFrom);
                }
            }
        }
    }

    /**
     * The caller claims chunks as the pool's worker does: with 2 threads and 8 chunks it runs more than the one
     * chunk it used to run before waiting on the worker, and both threads do work.
     */
    @Test
    void theCallerWorksAlongsideThePool() {
        try (FastParallel par = new FastParallel(2)) {
            int items = 1 << 16;
            assertEquals(8, par.chunkCount(items, 1 << 10), "4 chunks per thread");
            Set<Thread> workers = ConcurrentHashMap.newKeySet();
            Thread caller = Thread.currentThread();
            int mostByCaller = 0;
            for (int round = 0; round < 50 && (workers.size() < 2 || mostByCaller < 2); round++) {
                AtomicIntegerArray byCaller = new AtomicIntegerArray(1);
                par.forChunks(items, 1 << 10, (chunk, from, to) -> {
                    workers.add(Thread.currentThread());
                    if (Thread.currentThread() == caller) byCaller.incrementAndGet(0);
                    long spin = System.nanoTime() + 200_000;   // 0.2 ms per chunk, so both threads get some
                    while (System.nanoTime() < spin) Thread.onSpinWait();
                });
                mostByCaller = Math.max(mostByCaller, byCaller.get(0));
            }
            assertTrue(mostByCaller >= 2, "the calling thread ran " + mostByCaller + " of 8 chunks at most");
            assertEquals(2, workers.size(), "both threads ran chunks: " + workers);
        }
    }

    @Test
    void aFailingChunkSurfacesItsException() {
        for (int threads : new int[] {1, 2, 4}) {
            try (FastParallel par = new FastParallel(threads)) {
                int last = par.chunkCount(1 << 16, 1 << 10) - 1;
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> par.forChunks(1 << 16, 1 << 10,
                        (chunk, from, to) -> {
                            if (chunk == last) throw new IllegalStateException("the last chunk failed");
                        }));
                assertTrue(String.valueOf(e.getMessage()).contains("the last chunk failed")
                        || String.valueOf(e.getCause()).contains("the last chunk failed"), String.valueOf(e));
                // The pool still works afterwards.
                AtomicIntegerArray visits = new AtomicIntegerArray(1000);
                par.forRange(1000, 1 << 10, (from, to) -> { for (int i = from; i < to; i++) visits.incrementAndGet(i); });
                for (int i = 0; i < 1000; i++) assertEquals(1, visits.get(i));
            }
        }
    }
}
