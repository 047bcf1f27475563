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

    /**
     * Aligns two token sequences. Two rows of the edit-distance table are kept, each cell carrying the substitution,
     * deletion and insertion counts of its best path (ties: substitution or match, then deletion, then insertion),
     * so memory is linear: an hour-long recording's characters (50 000 × 50 000 cells) fit where a full table of
     * 10 GB did not.
     */
    public static Counts count(List<String> ref, List<String> hyp) {
        int n = ref.size(), m = hyp.size();
        // Row i of the table: cost[j] edits turning ref[0,i) into hyp[0,j), and that path's S, D, I.
        int[] cost = new int[m + 1], subs = new int[m + 1], dels = new int[m + 1], inss = new int[m + 1];
        int[] nextCost = new int[m + 1], nextSubs = new int[m + 1], nextDels = new int[m + 1], nextInss = new int[m + 1];
        for (int j = 0; j <= m; j++) {
            cost[j] = j;
            inss[j] = j;
        }
        for (int i = 1; i <= n; i++) {
            nextCost[0] = i;
            nextSubs[0] = 0;
            nextDels[0] = i;
            nextInss[0] = 0;
            String r = ref.get(i - 1);
            for (int j = 1; j <= m; j++) {
                boolean same = r.equals(hyp.get(j - 1));
                int diagonal = cost[j - 1] + (same ? 0 : 1), deletion = cost[j] + 1, insertion = nextCost[j - 1] + 1;
                if (diagonal <= deletion && diagonal <= insertion) {
                    nextCost[j] = diagonal;
                    nextSubs[j] = subs[j - 1] + (same ? 0 : 1);
                    nextDels[j] = dels[j - 1];
                    nextInss[j] = inss[j - 1];
                } else if (deletion <= insertion) {
                    nextCost[j] = deletion;
                    nextSubs[j] = subs[j];
                    nextDels[j] = dels[j] + 1;
                    nextInss[j] = inss[j];
                } else {
                    nextCost[j] = insertion;
                    nextSubs[j] = nextSubs[j - 1];
                    nextDels[j] = nextDels[j - 1];
                    nextInss[j] = nextInss[j - 1] + 1;
                }
            }
            int[] t = cost; cost = nextCost; nextCost = t;
            t = subs; subs = nextSubs; nextSubs = t;
            t = dels; dels = nextDels; nextDels = t;
            t = inss; inss = nextInss; nextInss = t;
        }
        return new Counts(subs[m], dels[m], inss[m], n);
    }
}
