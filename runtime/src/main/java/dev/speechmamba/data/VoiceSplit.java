package dev.speechmamba.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Assigns whole voices to train, valid and test, so that no test (or valid) voice is ever heard in training.
 * Within each kind of voice ({@link Voice#kind()}: the engine, with espeak-ng's mbrola diphone voices apart from
 * its formant voices) the voices are shuffled with the seed; a kind with at least 3 voices gives
 * {@code max(1, round(testFraction * n))} to test and {@code max(1, round(validFraction * n))} to valid (valid
 * voices are held out too, not a subset of train); smaller kinds go entirely to train. Every kind with at
 * least one voice therefore contributes to training, and test holds every kind that has 3 voices or more.
 */
public final class VoiceSplit {
    public enum Split { TRAIN, VALID, TEST;
        public String fileName() { return name().toLowerCase(java.util.Locale.ROOT) + ".jsonl"; }
    }

    private VoiceSplit() { }

    public static Map<Voice, Split> assign(List<Voice> voices, double validFraction, double testFraction, long seed) {
        if (validFraction < 0 || testFraction < 0 || validFraction + testFraction >= 1) {
            throw new IllegalArgumentException("valid and test fractions must be >= 0 with a sum below 1, got " + validFraction + " and " + testFraction);
        }
        Map<String, List<Voice>> byKind = new TreeMap<>();
        for (Voice v : voices) byKind.computeIfAbsent(v.kind(), k -> new ArrayList<>()).add(v);
        Map<Voice, Split> out = new TreeMap<>();
        Random rng = new Random(seed);
        for (List<Voice> group : byKind.values()) {
            List<Voice> shuffled = new ArrayList<>(group.stream().distinct().sorted().toList());
            Collections.shuffle(shuffled, rng);
            int n = shuffled.size();
            int test = 0, valid = 0;
            if (n >= 3) {
                test = testFraction > 0 ? Math.max(1, (int) Math.round(testFraction * n)) : 0;
                valid = validFraction > 0 ? Math.max(1, (int) Math.round(validFraction * n)) : 0;
                while (test + valid >= n) { if (valid > 0) valid--; else test--; }
            }
            for (int i = 0; i < n; i++) {
                out.put(shuffled.get(i), i < test ? Split.TEST : i < test + valid ? Split.VALID : Split.TRAIN);
            }
        }
        return out;
    }
}
