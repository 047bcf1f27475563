package dev.speechmamba.text;

import dev.speechmamba.text.BpeTokenizer.Piece;
import dev.speechmamba.text.BpeTokenizer.PieceType;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeSet;

/**
 * Trains a {@link BpeTokenizer} on transcripts. Words are the space-separated parts of each line with the
 * {@code ▁} marker in front; the base vocabulary is every character of the training text; each step merges the
 * most frequent adjacent pair of pieces (summed over word occurrences), ties broken by the smaller left piece and
 * then the smaller right piece (Java string order), so training is deterministic. Training stops at the requested
 * vocabulary size or when no pair occurs at least twice.
 */
public final class BpeTrainer {
    /**
     * Ids the trained model reserves (see {@link BpeTokenizer}): blank and unk first; {@code <sos/eos>} is the
     * LAST id (vocabSize - 1), the ESPnet convention that {@link dev.speechmamba.model.AsrModel} relies on.
     */
    public static final int BLANK_ID = 0, UNK_ID = 1;
    public static final int MIN_VOCAB = 16, MAX_VOCAB = 1 << 20;

    /**
     * @param vocabSize    total ids including specials, bytes and characters
     * @param byteFallback add the 256 byte pieces so any text round-trips (needs room in the vocabulary)
     */
    public record Options(int vocabSize, boolean byteFallback) {
        public Options {
            if (vocabSize < MIN_VOCAB || vocabSize > MAX_VOCAB) {
                throw new IllegalArgumentException("BPE vocabulary size must be in [" + MIN_VOCAB + ", " + MAX_VOCAB + "], got " + vocabSize);
            }
        }
    }

    private BpeTrainer() { }

    /** Trains on {@code lines}; each line is split at spaces (runs of spaces count as one). */
    public static BpeTokenizer train(Iterable<String> lines, Options options) {
        Map<String, Long> wordCounts = new HashMap<>();
        TreeSet<Integer> alphabet = new TreeSet<>();
        for (String line : lines) {
            if (line == null) throw new IllegalArgumentException("BPE training: a transcript line is null");
            for (String word : line.strip().split(" +")) {
                if (word.isEmpty()) continue;
                String marked = BpeTokenizer.SPACE_MARKER + word.replace(BpeTokenizer.SPACE_MARKER, "");
                wordCounts.merge(marked, 1L, Long::sum);
                marked.codePoints().forEach(alphabet::add);
            }
        }
        if (wordCounts.isEmpty()) throw new IllegalArgumentException("BPE training: no words in the training text");
        alphabet.add(BpeTokenizer.SPACE_MARKER.codePointAt(0));

        List<Piece> pieces = new ArrayList<>();
        pieces.add(new Piece("<blank>", 0, PieceType.CONTROL));
        pieces.add(new Piece("<unk>", 0, PieceType.UNKNOWN));
        if (options.byteFallback()) for (int b = 0; b < 256; b++) pieces.add(new Piece(BpeTokenizer.bytePiece(b), 0, PieceType.BYTE));
        int base = pieces.size() + alphabet.size() + 1; // + <sos/eos>, appended after the merges
        if (base > options.vocabSize()) {
            throw new IllegalArgumentException("BPE vocabulary size " + options.vocabSize() + " is smaller than the " + base
                    + " base entries (3 specials" + (options.byteFallback() ? " + 256 bytes" : "") + " + "
                    + alphabet.size() + " characters); raise it" + (options.byteFallback() ? " or turn byte fallback off" : ""));
        }
        Map<String, Integer> idOf = new HashMap<>();
        for (int cp : alphabet) {
            String ch = new String(Character.toChars(cp));
            idOf.put(ch, pieces.size());
            pieces.add(new Piece(ch, 0, PieceType.NORMAL));
        }

        new Merger(pieces, idOf, wordCounts).run(options.vocabSize() - 1);
        int sosEos = pieces.size();
        pieces.add(new Piece("<sos/eos>", 0, PieceType.CONTROL));
        return new BpeTokenizer(pieces, BLANK_ID, UNK_ID, sosEos, true, false);
    }

    /** Incremental pair counting: only words that contain the merged pair are recounted. */
    private static final class Merger {
        private final List<Piece> pieces;
        private final Map<String, Integer> idOf;
        private final List<int[]> words = new ArrayList<>();
        private final long[] counts;
        private final Map<Long, Long> pairCounts = new HashMap<>();
        private final Map<Long, Set<Integer>> pairWords = new HashMap<>();
        private final PriorityQueue<long[]> queue; // {count, pair}; stale entries are skipped

        Merger(List<Piece> pieces, Map<String, Integer> idOf, Map<String, Long> wordCounts) {
            this.pieces = pieces;
            this.idOf = idOf;
            // Sorted word order keeps everything, including hash-set iteration below, independent of input order.
            Map<String, Long> sorted = new LinkedHashMap<>();
            wordCounts.keySet().stream().sorted().forEach(w -> sorted.put(w, wordCounts.get(w)));
            counts = new long[sorted.size()];
            int w = 0;
            for (Map.Entry<String, Long> e : sorted.entrySet()) {
                words.add(e.getKey().codePoints().map(cp -> idOf.get(new String(Character.toChars(cp)))).toArray());
                counts[w++] = e.getValue();
            }
            queue = new PriorityQueue<>(Comparator.<long[]>comparingLong(e -> -e[0])
                    .thenComparing(e -> pieces.get(left(e[1])).text())
                    .thenComparing(e -> pieces.get(right(e[1])).text()));
            for (int i = 0; i < words.size(); i++) addPairs(i, +1);
            for (Map.Entry<Long, Long> e : pairCounts.entrySet()) queue.add(new long[] {e.getValue(), e.getKey()});
        }

        // Pair keys are (left << 32 | right) times an odd constant: Long.hashCode of the plain key is left ^ right,
        // which collides badly for small ids; multiplying by an odd number is a bijection, undone by its inverse.
        private static final long MIX = 0x9E3779B97F4A7C15L;
        private static final long UNMIX = inverse(MIX);

        private static long inverse(long odd) {
            long x = odd; // Newton's iteration doubles the correct low bits each step: 3 -> 6 -> ... -> 96
            for (int i = 0; i < 5; i++) x *= 2 - odd * x;
            return x;
        }

        private static long pair(int left, int right) { return (((long) left << 32) | (right & 0xFFFFFFFFL)) * MIX; }
        private static int left(long pair) { return (int) ((pair * UNMIX) >>> 32); }
        private static int right(long pair) { return (int) (pair * UNMIX); }

        private void addPairs(int wordIndex, int sign) {
            int[] word = words.get(wordIndex);
            for (int i = 0; i + 1 < word.length; i++) {
                long p = pair(word[i], word[i + 1]);
                long updated = pairCounts.merge(p, sign * counts[wordIndex], Long::sum);
                if (updated == 0) pairCounts.remove(p);
                if (sign > 0) pairWords.computeIfAbsent(p, k -> new HashSet<>()).add(wordIndex);
            }
        }

        void run(int vocabSize) {
            while (pieces.size() < vocabSize) {
                long[] best = pollCurrent();
                if (best == null || best[0] < 2) return;
                long p = best[1];
                String merged = pieces.get(left(p)).text() + pieces.get(right(p)).text();
                Integer mergedId = idOf.get(merged);
                if (mergedId == null) {
                    mergedId = pieces.size();
                    // Earlier merges win during encoding: score = -(merge number).
                    pieces.add(new Piece(merged, -(pieces.size()), PieceType.NORMAL));
                    idOf.put(merged, mergedId);
                }
                Set<Integer> touched = pairWords.getOrDefault(p, Set.of());
                pairWords.remove(p);
                Set<Long> changedPairs = new HashSet<>();
                for (int w : touched.stream().sorted().toList()) {
                    int[] before = words.get(w);
                    int[] after = replace(before, left(p), right(p), mergedId);
                    if (after.length == before.length) continue;
                    for (int i = 0; i + 1 < before.length; i++) changedPairs.add(pair(before[i], before[i + 1]));
                    addPairs(w, -1);
                    words.set(w, after);
                    addPairs(w, +1);
                    for (int i = 0; i + 1 < after.length; i++) changedPairs.add(pair(after[i], after[i + 1]));
                }
                pairCounts.remove(p);
                for (long changed : changedPairs) {
                    Long c = pairCounts.get(changed);
                    if (c != null && c > 0) queue.add(new long[] {c, changed});
                }
            }
        }

        private long[] pollCurrent() {
            while (!queue.isEmpty()) {
                long[] top = queue.poll();
                Long current = pairCounts.get(top[1]);
                if (current != null && current == top[0]) return top;
            }
            return null;
        }

        private static int[] replace(int[] word, int left, int right, int merged) {
            int[] out = new int[word.length];
            int n = 0;
            for (int i = 0; i < word.length; i++) {
                if (i + 1 < word.length && word[i] == left && word[i + 1] == right) {
                    out[n++] = merged;
                    i++;
                } else {
                    out[n++] = word[i];
                }
            }
            return n == word.length ? word : java.util.Arrays.copyOf(out, n);
        }
    }
}
