package dev.speechmamba.trainer;

import dev.speechmamba.audio.Features;
import dev.speechmamba.model.AsrBatch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Builds padded batches in background threads with a bounded prefetch queue: at most {@code prefetch}
 * batches are in flight or waiting, and they come out in plan order whatever thread finishes first.
 * Each utterance's augmentation seed is (seed, epoch, utterance index), so the result does not depend on
 * the number of threads.
 */
public final class BatchLoader implements AutoCloseable {

    /** A batch ready for the model, with what the progress bar needs. */
    public record Loaded(int planIndex, int[] utterances, AsrBatch batch, double seconds) { }

    private final List<Utterance> utterances;
    private final int[][] tokens;              // per utterance, null for inference
    private final FeaturePipeline pipeline;
    private final ExecutorService pool;
    private final int prefetch;

    /**
     * @param tokens per utterance (manifest order) the target ids, or null to build batches without targets
     */
    public BatchLoader(List<Utterance> utterances, int[][] tokens, FeaturePipeline pipeline, int threads, int prefetch) {
        if (threads < 1 || prefetch < 1) {
            throw new IllegalArgumentException("batch loader: threads and prefetch must be >= 1, got " + threads + ", " + prefetch);
        }
        if (tokens != null && tokens.length != utterances.size()) {
            throw new IllegalArgumentException("batch loader: " + tokens.length + " token rows for " + utterances.size() + " utterances");
        }
        this.utterances = List.copyOf(utterances);
        this.tokens = tokens;
        this.pipeline = pipeline;
        this.prefetch = prefetch;
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "features");
            t.setDaemon(true);
            return t;
        });
    }

    /** Iterates {@code plan} from batch {@code start} on; {@code seed}/{@code epoch} drive augmentation. */
    public Iterator iterate(List<int[]> plan, int start, long seed, int epoch) {
        return new Iterator(plan, start, seed, epoch);
    }

    /** Builds one batch on the calling thread. */
    public AsrBatch build(int[] members, long seed, int epoch) throws IOException {
        List<float[]> feats = new ArrayList<>(members.length);
        List<int[]> targets = tokens == null ? null : new ArrayList<>(members.length);
        int dims = -1;
        for (int index : members) {
            Utterance u = utterances.get(index);
            Features f = pipeline.features(u, Seeds.mix(seed, 0xFEA7, epoch, u.index()));
            dims = f.dims();
            feats.add(f.data());
            if (targets != null) targets.add(tokens[index]);
        }
        return AsrBatch.of(dims, feats, targets);
    }

    /** Plan-ordered batches with background prefetch. */
    public final class Iterator implements java.util.Iterator<Loaded> {
        private final List<int[]> plan;
        private final long seed;
        private final int epoch;
        private final ArrayDeque<Future<Loaded>> queue = new ArrayDeque<>();
        private int nextToSubmit;

        private Iterator(List<int[]> plan, int start, long seed, int epoch) {
            if (start < 0 || start > plan.size()) {
                throw new IllegalArgumentException("batch loader: start " + start + " outside [0, " + plan.size() + "]");
            }
            this.plan = plan;
            this.seed = seed;
            this.epoch = epoch;
            this.nextToSubmit = start;
            fill();
        }

        private void fill() {
            while (queue.size() < prefetch && nextToSubmit < plan.size()) {
                int planIndex = nextToSubmit++;
                int[] members = plan.get(planIndex);
                queue.add(pool.submit(() -> {
                    double seconds = 0;
                    for (int i : members) seconds += utterances.get(i).duration();
                    return new Loaded(planIndex, members, build(members, seed, epoch), seconds);
                }));
            }
        }

        @Override public boolean hasNext() { return !queue.isEmpty(); }

        @Override public Loaded next() {
            Future<Loaded> head = queue.poll();
            if (head == null) throw new NoSuchElementException();
            Loaded loaded = await(head);
            fill();
            return loaded;
        }
    }

    /** The future's value; a worker's IOException comes back unchecked with its message (file and problem). */
    static <T> T await(Future<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for features", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) throw new UncheckedIOException(io.getMessage(), io);
            if (cause instanceof RuntimeException re) throw re;
            if (cause instanceof Error err) throw err;
            throw new IllegalStateException(cause);
        }
    }

    @Override public void close() { pool.shutdownNow(); }
}
