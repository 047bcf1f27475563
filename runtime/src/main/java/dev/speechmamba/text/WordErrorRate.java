package dev.speechmamba.text;

import java.util.List;

/**
 * Word error counts from a minimum-edit-distance alignment of a hypothesis to a reference. Among alignments
 * with the fewest edits, the backtrace prefers a match or substitution, then a deletion, then an insertion, so
 * the split into S/D/I is deterministic.
 */
public final class WordErrorRate {

    /** Counts of one or more aligned utterances; {@code referenceWords} is the WER denominator. */
    public record Counts(long substitutions, long deletions, long insertions, long referenceWords) {
        public Counts {
            if (substitutions < 0 || deletions < 0 || insertions < 0 || referenceWords < 0) {
                throw new IllegalArgumentException("negative word error counts: S=" + substitutions + " D=" + deletions
                        + " I=" + insertions + " N=" + referenceWords);
            }
        }

        public static final Counts ZERO = new Counts(0, 0, 0, 0);

        public long errors() { return substitutions + deletions + insertions; }

        /** Errors over reference words; NaN for an empty reference with no errors, +inf with errors. */
        public double wer() {
            if (referenceWords == 0) return errors() == 0 ? Double.NaN : Double.POSITIVE_INFINITY;
            return errors() / (double) referenceWords;
        }

        public Counts plus(Counts o) {
            return new Counts(substitutions + o.substitutions, deletions + o.deletions, insertions + o.insertions,
                    referenceWords + o.referenceWords);
        }
    }

    private WordErrorRate() { }

    /** Aligns whitespace-separated words of {@code hypothesis} to those of {@code reference}. */
    public static Counts count(String reference, String hypothesis) {
        if (reference == null || hypothesis == null) throw new IllegalArgumentException("WER: reference and hypothesis must not be null");
        return count(words(reference), words(hypothesis));
    }

    /**
     * Character error rate counts: the characters of both texts (spaces included, runs of whitespace collapsed to
     * one space, ends stripped) aligned like words. Shows progress where a weak model gets few words fully right.
     */
    public static Counts countCharacters(String reference, String hypothesis) {
        if (reference == null || hypothesis == null) throw new IllegalArgumentException("CER: reference and hypothesis must not be null");
        return count(characters(reference), characters(hypothesis));
    }

    private static List<String> characters(String text) {
        String s = text.strip().replaceAll("\\s+", " ");
        return s.codePoints().mapToObj(Character::toString).toList();
    }

    private static List<String> words(String text) {
        String s = text.strip();
        return s.isEmpty() ? List.of() : List.of(s.split("\\s+"));
    }

    /** Aligns two token sequences. */
    public static Counts count(List<String> ref, List<String> hyp) {
        int n = ref.size(), m = hyp.size();
        int[][] cost = new int[n + 1][m + 1]; // cost[i][j]: edits turning ref[0,i) into hyp[0,j)
        for (int i = 0; i <= n; i++) cost[i][0] = i;
        for (int j = 0; j <= m; j++) cost[0][j] = j;
        for (int i = 1; i <= n; i++) {
            for (int j = 1; j <= m; j++) {
                int diagonal = cost[i - 1][j - 1] + (ref.get(i - 1).equals(hyp.get(j - 1)) ? 0 : 1);
                cost[i][j] = Math.min(diagonal, Math.min(cost[i - 1][j], cost[i][j - 1]) + 1);
            }
        }
        long s = 0, d = 0, ins = 0;
        int i = n, j = m;
        while (i > 0 || j > 0) {
            if (i > 0 && j > 0) {
                boolean same = ref.get(i - 1).equals(hyp.get(j - 1));
                if (cost[i][j] == cost[i - 1][j - 1] + (same ? 0 : 1)) {
                    if (!same) s++;
                    i--;
                    j--;
                    continue;
                }
            }
            if (i > 0 && cost[i][j] == cost[i - 1][j] + 1) {
                d++;
                i--;
            } else {
                ins++;
                j--;
            }
        }
        return new Counts(s, d, ins, n);
    }
}
