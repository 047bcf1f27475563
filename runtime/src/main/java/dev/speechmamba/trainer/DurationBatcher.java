package dev.speechmamba.trainer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * Dynamic batching by audio duration with length buckets. For each epoch, with a generator seeded by
 * (seed, epoch): shuffle all utterances, cut the shuffled list into buckets of {@code bucketSize}, sort each
 * bucket by duration, pack each sorted bucket greedily into batches whose padded duration
 * (rows × longest duration) stays within {@code batchSeconds}, then shuffle the order of all batches.
 * Sorting inside buckets keeps padding small; shuffling before bucketing keeps batches varied across epochs.
 * An utterance longer than {@code batchSeconds} forms a batch of its own. The plan of an epoch depends only
 * on (durations, options, seed, epoch), so a resumed run sees exactly the same batches.
 */
public final class DurationBatcher {
    private final double[] durations;
    private final double batchSeconds;
    private final int bucketSize;

    public DurationBatcher(double[] durations, double batchSeconds, int bucketSize) {
        if (durations.length == 0) throw new IllegalArgumentException("batcher: no utterances");
        if (!(batchSeconds > 0) || Double.isInfinite(batchSeconds)) {
            throw new IllegalArgumentException("batcher: --batch-seconds must be positive, got " + batchSeconds);
        }
        if (bucketSize < 1) throw new IllegalArgumentException("batcher: bucket size must be >= 1, got " + bucketSize);
        for (int i = 0; i < durations.length; i++) {
            if (!(durations[i] > 0) || Double.isInfinite(durations[i])) {
                throw new IllegalArgumentException("batcher: utterance " + i + " has duration " + durations[i]);
            }
        }
        this.durations = durations.clone();
        this.batchSeconds = batchSeconds;
        this.bucketSize = bucketSize;
    }

    /** The shuffled, bucketed batches of {@code epoch}: each an array of utterance indices. */
    public List<int[]> epoch(long seed, int epoch) {
        SplittableRandom rng = new SplittableRandom(Seeds.mix(seed, 0xBA7C4, epoch));
        Integer[] order = new Integer[durations.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        shuffle(order, rng);
        List<int[]> batches = new ArrayList<>();
        for (int from = 0; from < order.length; from += bucketSize) {
            Integer[] bucket = Arrays.copyOfRange(order, from, Math.min(order.length, from + bucketSize));
            Arrays.sort(bucket, Comparator.<Integer>comparingDouble(i -> durations[i]).thenComparingInt(i -> i));
            pack(bucket, batches);
        }
        Collections.shuffle(batches, new Random(rng.nextLong()));
        return batches;
    }

    /** All utterances sorted by duration and packed, without shuffling (for validation and evaluation). */
    public List<int[]> sorted() {
        Integer[] order = new Integer[durations.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> durations[i]).thenComparingInt(i -> i));
        List<int[]> batches = new ArrayList<>();
        pack(order, batches);
        return batches;
    }

    /** Greedy packing of utterances sorted by ascending duration. */
    private void pack(Integer[] sortedByDuration, List<int[]> out) {
        List<Integer> current = new ArrayList<>();
        for (int index : sortedByDuration) {
            // Ascending order: the newcomer is the longest, so the padded duration is rows × its duration.
            if (!current.isEmpty() && (current.size() + 1) * durations[index] > batchSeconds) {
                out.add(current.stream().mapToInt(Integer::intValue).toArray());
                current.clear();
            }
            current.add(index);
        }
        if (!current.isEmpty()) out.add(current.stream().mapToInt(Integer::intValue).toArray());
    }

    private static void shuffle(Integer[] a, SplittableRandom rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            Integer t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** Padded seconds of a batch: rows × the longest duration. */
    public double paddedSeconds(int[] batch) {
        double longest = 0;
        for (int i : batch) longest = Math.max(longest, durations[i]);
        return batch.length * longest;
    }
}
