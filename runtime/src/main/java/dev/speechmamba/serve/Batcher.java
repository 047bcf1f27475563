package dev.speechmamba.serve;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Dynamic batching: requests wait in a bounded queue; one thread takes the first, then waits at most
 * {@code maxWait} (or until {@code maxBatch} have arrived) for more, and runs them as one engine call. A failing
 * call fails that batch only. Requests that timed out while queued are dropped before they reach the engine.
 */
final class Batcher implements AutoCloseable {

    /** One queued utterance and the future its HTTP request waits on. */
    static final class Job {
        private static final int QUEUED = 0, RUNNING = 1, ABANDONED = 2;
        final float[] pcm16k;
        final CompletableFuture<TranscriptionEngine.Result> result = new CompletableFuture<>();
        private final AtomicInteger state = new AtomicInteger(QUEUED);

        Job(float[] pcm16k) { this.pcm16k = pcm16k; }

        /** Called by a request that gave up waiting; true when the job had not reached the engine yet. */
        boolean abandon() { return state.compareAndSet(QUEUED, ABANDONED); }

        private boolean claim() { return state.compareAndSet(QUEUED, RUNNING); }
    }

    private final TranscriptionEngine engine;
    private final int maxBatch;
    private final long maxWaitNanos;
    private final BlockingQueue<Job> queue;
    private final ServerMetrics metrics;
    private final Thread thread;
    private volatile boolean running = true;
    /** Exponentially weighted mean seconds per engine call, for Retry-After. */
    private volatile double meanBatchSeconds = 1.0;

    Batcher(TranscriptionEngine engine, ServerConfig config, ServerMetrics metrics) {
        this.engine = engine;
        this.maxBatch = config.maxBatch();
        this.maxWaitNanos = config.maxWait().toNanos();
        this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
        this.metrics = metrics;
        this.thread = Thread.ofPlatform().name("speech-mamba-batcher").daemon(true).unstarted(this::loop);
    }

    void start() { thread.start(); }

    /** Queues a job; false when the queue is full (or the batcher is stopping). */
    boolean offer(Job job) { return running && queue.offer(job); }

    int queueDepth() { return queue.size(); }

    /** Seconds a client should wait before retrying a refused request: time to drain the queue ahead of it. */
    long retryAfterSeconds() {
        double batchesAhead = Math.ceil((queue.size() + 1) / (double) maxBatch);
        return Math.max(1, (long) Math.ceil(batchesAhead * meanBatchSeconds));
    }

    private void loop() {
        List<Job> batch = new ArrayList<>(maxBatch);
        while (running || !queue.isEmpty()) {
            try {
                Job first = queue.poll(50, TimeUnit.MILLISECONDS);
                if (first == null) continue;
                batch.add(first);
                long deadline = System.nanoTime() + maxWaitNanos;
                while (batch.size() < maxBatch) {
                    Job next = queue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    if (next == null) break;
                    batch.add(next);
                }
            } catch (InterruptedException e) {
                // close() interrupts only to end the wait; the loop condition decides whether to stop
            }
            batch.removeIf(job -> !job.claim());
            if (!batch.isEmpty()) run(batch);
            batch.clear();
        }
    }

    private void run(List<Job> batch) {
        List<float[]> audio = new ArrayList<>(batch.size());
        for (Job job : batch) audio.add(job.pcm16k);
        long start = System.nanoTime();
        try {
            List<TranscriptionEngine.Result> results = engine.transcribe(audio);
            if (results == null || results.size() != batch.size()) {
                throw new IllegalStateException("engine returned " + (results == null ? "null" : results.size() + " results")
                        + " for a batch of " + batch.size());
            }
            for (int i = 0; i < batch.size(); i++) batch.get(i).result.complete(results.get(i));
        } catch (Throwable failure) {
            // Any failure, GPU or heap out-of-memory included, ends this batch only; the next batch starts clean.
            metrics.engineFailed();
            for (Job job : batch) job.result.completeExceptionally(failure);
        } finally {
            double seconds = (System.nanoTime() - start) / 1e9;
            meanBatchSeconds = 0.8 * meanBatchSeconds + 0.2 * seconds;
            metrics.batchRan(batch.size(), seconds);
        }
    }

    /**
     * Stops taking jobs and waits up to {@code waitMillis} for queued ones to run; jobs still queued after that
     * fail with {@link IllegalStateException}.
     */
    void close(long waitMillis) {
        running = false;
        try {
            thread.join(Math.max(1, waitMillis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread.interrupt();
        Job left;
        while ((left = queue.poll()) != null) {
            if (left.claim()) left.result.completeExceptionally(new IllegalStateException("the server is shutting down"));
        }
    }

    @Override
    public void close() { close(0); }
}
