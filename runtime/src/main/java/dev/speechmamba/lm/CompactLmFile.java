package dev.speechmamba.lm;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

/**
 * The compact binary form of an {@link NgramLm} ({@code .smlm}): a third to a quarter of the size of the same model
 * as gzipped ARPA, and read without parsing text, so that a large LM can ship beside the model and load in a second.
 *
 * <p>Inside one gzip stream: the magic {@code SMLM}, a version, the vocabulary, the order and the count of each
 * order; then per order the n-grams as one level of a trie (how many n-grams extend each shorter one, then their
 * last words; small numbers that compress well), and the log10 values. Unigram values are kept exactly. Above order 1 each
 * value is a one-byte code into a table of at most 256 values per order and kind (as KenLM's 8-bit quantization, with
 * bins of equal width instead of equal count: see {@link Codebook}); an order with at most 256 distinct values keeps them
 * exactly. Back-off code 0 is exactly 0, the back-off of an n-gram that is never a context.
 *
 * <p>The quantization error is measured by the tests and, for the shipped LM, by its WER (docs/benchmarks.md).
 */
public final class CompactLmFile {
    public static final String EXTENSION = ".smlm";
    private static final int MAGIC = 0x534D4C4D; // "SMLM"
    private static final int VERSION = 1;
    private static final int LEVELS = 256;

    private CompactLmFile() { }

    /** Whether {@code file}'s name says it is in this format. */
    public static boolean isCompact(Path file) { return file.getFileName().toString().endsWith(EXTENSION); }

    /** Writes {@code lm} to {@code file} atomically (a temp file beside it, then a move). */
    public static void write(NgramLm lm, Path file) throws IOException {
        AtomicFile.write(file, raw -> {
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new GZIPOutputStream(raw, 1 << 16) {
                { def.setLevel(java.util.zip.Deflater.BEST_COMPRESSION); }
            }, 1 << 16))) {
                write(lm, out);
            }
        });
    }

    private static void write(NgramLm lm, DataOutputStream out) throws IOException {
        out.writeInt(MAGIC);
        out.writeInt(VERSION);
        out.writeInt(lm.vocabulary().size());
        for (String word : lm.vocabulary()) out.writeUTF(word);
        int order = lm.order();
        out.writeInt(order);
        for (int n = 1; n <= order; n++) out.writeInt(lm.count(n));
        long[] contexts = null; // the previous order's keys, ascending
        for (int n = 1; n <= order; n++) {
            int count = lm.count(n);
            long[] keys = new long[count];
            for (int e = 0; e < count; e++) keys[e] = lm.key(n, e);
            Arrays.sort(keys);
            float[] probs = new float[count], backoffs = new float[count];
            for (int i = 0; i < count; i++) {
                int e = lm.entry(n, keys[i]);
                probs[i] = lm.storedLog10Prob(n, e);
                backoffs[i] = lm.storedLog10Backoff(n, e);
            }
            writeKeys(out, keys, contexts, lm.bits());
            contexts = keys;
            boolean hasBackoffs = n < order;
            if (n == 1) {
                for (float p : probs) out.writeFloat(p);
                if (hasBackoffs) for (float b : backoffs) out.writeFloat(b);
                continue;
            }
            writeCoded(out, probs, false);
            if (hasBackoffs) writeCoded(out, backoffs, true);
        }
        out.writeInt(MAGIC);
    }

    /**
     * Unigrams: their ids as ascending deltas. Higher orders, as a trie level: for each context (the previous order's
     * n-grams, ascending) how many n-grams extend it, then the last words of all n-grams as ascending deltas within
     * their context. Most contexts have few extensions, so both streams are small numbers.
     */
    private static void writeKeys(DataOutputStream out, long[] keys, long[] contexts, int bits) throws IOException {
        long mask = (1L << bits) - 1;
        if (contexts == null) {
            long previous = 0;
            for (long key : keys) {
                writeVarLong(out, key - previous);
                previous = key;
            }
            return;
        }
        int i = 0;
        for (long context : contexts) {
            int start = i;
            while (i < keys.length && keys[i] >>> bits == context) i++;
            writeVarLong(out, i - start);
        }
        if (i != keys.length) throw new IllegalStateException("an n-gram's context is not stored"); // Builder.build checks this
        long previousContext = -1, previousWord = 0;
        for (long key : keys) {
            long context = key >>> bits, word = key & mask;
            writeVarLong(out, context == previousContext ? word - previousWord : word);
            previousContext = context;
            previousWord = word;
        }
    }

    private static long[] readKeys(DataInputStream in, int count, long[] contexts, int bits, String name, int n) throws IOException {
        long[] keys = new long[count];
        if (contexts == null) {
            long key = 0;
            for (int i = 0; i < count; i++) {
                long delta = readVarLong(in);
                if (i > 0 && delta <= 0) throw new IOException(name + ": the " + n + "-grams are not in ascending order");
                keys[i] = key += delta;
            }
            return keys;
        }
        long[] extensions = new long[contexts.length];
        long total = 0;
        for (int c = 0; c < contexts.length; c++) total += extensions[c] = readVarLong(in);
        if (total != count) throw new IOException(name + ": the " + n + "-grams' contexts extend " + total + " n-grams, not " + count);
        int i = 0;
        for (int c = 0; c < contexts.length; c++) {
            long word = 0;
            for (long k = 0; k < extensions[c]; k++, i++) {
                long delta = readVarLong(in);
                if (k > 0 && delta <= 0) throw new IOException(name + ": the " + n + "-grams are not in ascending order");
                word += delta;
                if (word >>> bits != 0) throw new IOException(name + ": a " + n + "-gram's word id " + word + " is out of range");
                keys[i] = contexts[c] << bits | word;
            }
        }
        return keys;
    }

    /** The table (count, then floats) and one code byte per value. */
    private static void writeCoded(DataOutputStream out, float[] values, boolean zeroIsCodeZero) throws IOException {
        Codebook book = Codebook.of(values, zeroIsCodeZero);
        out.writeShort(book.table.length);
        for (float v : book.table) out.writeFloat(v);
        byte[] codes = new byte[values.length];
        for (int i = 0; i < values.length; i++) codes[i] = (byte) book.code(values[i]);
        out.write(codes);
    }

    /** Reads a {@code .smlm} file; errors name the file. */
    public static NgramLm read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        }
    }

    /** Reads the format from {@code in} (gzip included); {@code name} is used in error messages. */
    public static NgramLm read(InputStream in, String name) throws IOException {
        try (DataInputStream data = new DataInputStream(new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16))) {
            return read(data, name);
        } catch (ZipException e) {
            throw new IOException(name + ": not a compact language model (" + EXTENSION + "): " + e.getMessage(), e);
        } catch (EOFException e) {
            throw new IOException(name + ": the compact language model is truncated", e);
        }
    }

    private static NgramLm read(DataInputStream in, String name) throws IOException {
        if (in.readInt() != MAGIC) throw new IOException(name + ": not a compact language model (" + EXTENSION + "): no SMLM header");
        int version = in.readInt();
        if (version != VERSION) throw new IOException(name + ": compact language model version " + version + "; this build reads " + VERSION);
        int vocabularySize = checkedCount(in.readInt(), name, "vocabulary size");
        List<String> vocabulary = new ArrayList<>(vocabularySize);
        for (int i = 0; i < vocabularySize; i++) vocabulary.add(in.readUTF());
        int order = in.readInt();
        if (order < 1 || order > 63) throw new IOException(name + ": bad n-gram order " + order);
        int[] counts = new int[order];
        for (int n = 1; n <= order; n++) counts[n - 1] = checkedCount(in.readInt(), name, n + "-gram count");
        NgramLm.Builder builder;
        try {
            builder = new NgramLm.Builder(vocabulary, order, counts);
            int bits = NgramLm.bitsFor(vocabularySize);
            long[] contexts = null;
            for (int n = 1; n <= order; n++) {
                int count = counts[n - 1];
                long[] keys = readKeys(in, count, contexts, bits, name, n);
                contexts = keys;
                boolean hasBackoffs = n < order;
                float[] probs = new float[count], backoffs = new float[count];
                if (n == 1) {
                    for (int i = 0; i < count; i++) probs[i] = in.readFloat();
                    if (hasBackoffs) for (int i = 0; i < count; i++) backoffs[i] = in.readFloat();
                } else {
                    readCoded(in, probs, name, n + "-gram probabilities");
                    if (hasBackoffs) readCoded(in, backoffs, name, n + "-gram back-offs");
                }
                for (int i = 0; i < count; i++) builder.addPacked(n, keys[i], probs[i], backoffs[i]);
            }
            if (in.readInt() != MAGIC) throw new IOException(name + ": the compact language model does not end where its counts say");
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw new IOException(name + ": " + e.getMessage(), e);
        }
    }

    private static void readCoded(DataInputStream in, float[] out, String name, String what) throws IOException {
        int size = in.readUnsignedShort();
        if (size > LEVELS || (size == 0 && out.length > 0)) throw new IOException(name + ": bad table size " + size + " for the " + what);
        float[] table = new float[size];
        for (int i = 0; i < size; i++) table[i] = in.readFloat();
        byte[] codes = new byte[out.length];
        in.readFully(codes);
        for (int i = 0; i < out.length; i++) {
            int code = codes[i] & 0xFF;
            if (code >= size) throw new IOException(name + ": code " + code + " outside the table of " + size + " for the " + what);
            out[i] = table[code];
        }
    }

    private static int checkedCount(int value, String name, String what) throws IOException {
        if (value < 0) throw new IOException(name + ": bad " + what + " " + value);
        return value;
    }

    private static void writeVarLong(DataOutputStream out, long v) throws IOException {
        while ((v & ~0x7FL) != 0) {
            out.writeByte((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.writeByte((int) v);
    }

    private static long readVarLong(DataInputStream in) throws IOException {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.readUnsignedByte();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) return v;
        }
        throw new IOException("a key delta runs past 64 bits");
    }

    /**
     * At most 256 values standing for many: the distinct values themselves when there are few enough, else the
     * middles of the narrowest bins of equal width that cover the values with 256 (with {@code zeroIsCodeZero}, 0
     * keeps code 0 and the other values share the remaining 255). Every value is then within half a bin width of its
     * code's value (about 0.015 for log10 probabilities spread over 7), rare ones in the tails included, and the
     * codes of common values repeat, which the compression takes up.
     */
    static final class Codebook {
        final float[] table;
        private final float[] upperBounds; // [code]: the largest value that takes this code (ascending; code 0 excluded when reserved)
        private final int firstBinned;

        private Codebook(float[] table, float[] upperBounds, int firstBinned) {
            this.table = table;
            this.upperBounds = upperBounds;
            this.firstBinned = firstBinned;
        }

        static Codebook of(float[] values, boolean zeroIsCodeZero) {
            int reserved = zeroIsCodeZero ? 1 : 0;
            float[] kept = new float[values.length];
            int m = 0;
            for (float v : values) if (!(zeroIsCodeZero && v == 0f)) kept[m++] = v;
            float[] sorted = Arrays.copyOf(kept, m);
            Arrays.sort(sorted);
            int levels = LEVELS - reserved;
            float[] distinct = distinct(sorted);
            float[] table, upper;
            if (distinct.length <= levels) {
                table = distinct;
                upper = distinct;
            } else {
                // The narrowest bin width w that covers the values with `levels` bins, each starting at a value.
                double lo = 0, hi = sorted[sorted.length - 1] - sorted[0];
                for (int iteration = 0; iteration < 60 && hi - lo > 1e-7; iteration++) {
                    double mid = (lo + hi) / 2;
                    if (binsOfWidth(sorted, mid) <= levels) hi = mid; else lo = mid;
                }
                List<float[]> bins = new ArrayList<>();
                for (int start = 0; start < sorted.length; ) {
                    int end = endOfBin(sorted, start, hi);
                    // The middle of the bin: no value of it is further than w/2 from its code's value.
                    bins.add(new float[] {(float) ((sorted[start] + (double) sorted[end - 1]) / 2), sorted[end - 1]});
                    start = end;
                }
                table = new float[bins.size()];
                upper = new float[bins.size()];
                for (int b = 0; b < bins.size(); b++) {
                    table[b] = bins.get(b)[0];
                    upper[b] = bins.get(b)[1];
                }
            }
            if (reserved == 0) return new Codebook(table, upper, 0);
            float[] withZero = new float[table.length + 1];
            System.arraycopy(table, 0, withZero, 1, table.length);
            return new Codebook(withZero, upper, 1);
        }

        private static int binsOfWidth(float[] sorted, double width) {
            int bins = 0;
            for (int start = 0; start < sorted.length; start = endOfBin(sorted, start, width)) bins++;
            return bins;
        }

        /** One past the last value within {@code width} of {@code sorted[start]}. */
        private static int endOfBin(float[] sorted, int start, double width) {
            double limit = sorted[start] + width;
            int lo = start + 1, hi = sorted.length; // the first index whose value exceeds the limit lies in [lo, hi]
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (sorted[mid] <= limit) lo = mid + 1; else hi = mid;
            }
            return lo;
        }

        int code(float value) {
            if (firstBinned == 1 && value == 0f) return 0;
            int i = Arrays.binarySearch(upperBounds, value);
            if (i < 0) i = -i - 1;
            return firstBinned + Math.min(i, upperBounds.length - 1);
        }

        private static float[] distinct(float[] sorted) {
            float[] out = new float[Math.min(sorted.length, LEVELS + 1)];
            int n = 0;
            for (int i = 0; i < sorted.length && n <= LEVELS; i++) if (n == 0 || sorted[i] != out[n - 1]) out[n++] = sorted[i];
            return Arrays.copyOf(out, n);
        }
    }
}
