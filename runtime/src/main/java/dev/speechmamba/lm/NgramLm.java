package dev.speechmamba.lm;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * A back-off n-gram language model as in the ARPA format (Katz back-off form, as SRILM and KenLM write it):
 * log10 P(w | h) is the stored value of the longest stored n-gram {@code h' w} with {@code h'} a suffix of
 * {@code h}, plus the back-off weights of the contexts skipped on the way down. Immutable and thread-safe once
 * built. The words are whatever the text was split into: here the BPE pieces of the ASR tokenizer.
 */
public final class NgramLm {
    public static final String BOS = "<s>", EOS = "</s>", UNK = "<unk>";
    /** What ARPA files store for words that are never predicted (e.g. {@code <s>}). */
    public static final float NEVER = -99f;

    private final List<String> vocabulary;
    private final Map<String, Integer> ids;
    private final int order;
    private final int bits;
    private final LongIndexMap[] grams;   // [n-1]: packed n-gram -> entry
    private final float[][] log10Prob;    // [n-1][entry]
    private final float[][] log10Backoff; // [n-1][entry]; 0 when the n-gram is never a context
    private final int bos, eos, unk;

    private NgramLm(List<String> vocabulary, int order, LongIndexMap[] grams, float[][] log10Prob, float[][] log10Backoff) {
        this.vocabulary = List.copyOf(vocabulary);
        this.ids = indexOf(vocabulary);
        this.order = order;
        this.bits = bitsFor(vocabulary.size());
        this.grams = grams;
        this.log10Prob = log10Prob;
        this.log10Backoff = log10Backoff;
        this.bos = wordId(BOS);
        this.eos = wordId(EOS);
        this.unk = wordId(UNK);
        if (bos < 0 || eos < 0) throw new IllegalArgumentException("n-gram LM: the vocabulary must hold <s> and </s>");
    }

    public int order() { return order; }

    public List<String> vocabulary() { return vocabulary; }

    /** The id of {@code word}, or -1 when it is not in the vocabulary. */
    public int wordId(String word) {
        Integer id = ids.get(word);
        return id == null ? -1 : id;
    }

    public int bos() { return bos; }

    public int eos() { return eos; }

    /** The id of {@code <unk>}, or -1 when the model has none (unknown words then score {@link #NEVER}). */
    public int unk() { return unk; }

    /** Stored n-grams of order {@code n} (1-based). */
    public int count(int n) { return grams[n - 1].size(); }

    /**
     * log10 P(word | context) by back-off.
     *
     * @param context word ids, oldest first; only the last {@code order - 1} count; may start with {@code <s>}
     * @param length  how many of {@code context}'s first entries are the context
     */
    public double log10Prob(int[] context, int length, int word) {
        if (word < 0 || word >= vocabulary.size()) {
            if (unk < 0) return NEVER;
            word = unk;
        }
        int usable = Math.min(length, order - 1);
        double backoff = 0;
        for (int n = usable; n >= 0; n--) {
            long key = 0;
            for (int i = length - n; i < length; i++) key = (key << bits) | context[i];
            int entry = grams[n].get((key << bits) | word);
            if (entry >= 0) return backoff + log10Prob[n][entry];
            if (n > 0) {
                int ctx = grams[n - 1].get(key);
                if (ctx >= 0) backoff += log10Backoff[n - 1][ctx];
            }
        }
        return backoff + NEVER; // the word has no unigram: only for a hand-made model missing it
    }

    /**
     * log10 P(w | context) for every word w of the vocabulary at once (what beam search asks for): the context's
     * keys and back-off weights are looked up once instead of once per word.
     *
     * @param out receives {@code vocabulary().size()} values
     */
    public void nextLog10Probs(int[] context, int length, double[] out) {
        if (out.length < vocabulary.size()) throw new IllegalArgumentException("nextLog10Probs: output holds " + out.length + " < " + vocabulary.size());
        int usable = Math.min(length, order - 1);
        long[] keys = new long[usable + 1];          // keys[n]: the last n context words, packed
        double[] backoffAbove = new double[usable + 2]; // [n]: back-offs of the contexts longer than n words, summed
        for (int n = 1; n <= usable; n++) {
            long key = 0;
            for (int i = length - n; i < length; i++) key = (key << bits) | context[i];
            keys[n] = key;
        }
        backoffAbove[usable + 1] = 0;
        for (int n = usable; n >= 0; n--) {
            double b = 0;
            if (n + 1 <= usable) {
                int ctx = grams[n].get(keys[n + 1]);
                if (ctx >= 0) b = log10Backoff[n][ctx];
            }
            backoffAbove[n] = backoffAbove[n + 1] + b;
        }
        for (int w = 0; w < vocabulary.size(); w++) {
            double value = backoffAbove[0] + NEVER;
            for (int n = usable; n >= 0; n--) {
                int entry = grams[n].get((keys[n] << bits) | w);
                if (entry >= 0) {
                    value = backoffAbove[n] + log10Prob[n][entry];
                    break;
                }
            }
            out[w] = value;
        }
    }

    /** log10 P of a whole sentence of words (not ids), {@code </s>} included, {@code <s>} as the first context. */
    public double sentenceLog10Prob(List<String> words) {
        int[] ids = new int[words.size() + 1];
        ids[0] = bos;
        double total = 0;
        for (int i = 0; i < words.size(); i++) {
            int id = wordId(words.get(i));
            ids[i + 1] = id < 0 ? (unk < 0 ? 0 : unk) : id;
            total += log10Prob(ids, i + 1, id);
        }
        return total + log10Prob(ids, ids.length, eos);
    }

    /** Perplexity over sentences of words, counting {@code </s>} as a token (as SRILM's ppl does). */
    public double perplexity(List<List<String>> sentences) {
        double log10 = 0;
        long tokens = 0;
        for (List<String> s : sentences) {
            log10 += sentenceLog10Prob(s);
            tokens += s.size() + 1;
        }
        if (tokens == 0) throw new IllegalArgumentException("perplexity: no sentences");
        return Math.pow(10, -log10 / tokens);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Files

    /** The file names {@link #read(Path)} and {@link #write(Path)} understand, for error messages. */
    public static final String FILE_NAMES = ".smlm, .arpa or .arpa.gz";

    /** Whether {@code file}'s name is one {@link #read(Path)} and {@link #write(Path)} understand. */
    public static boolean isFileName(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(CompactLmFile.EXTENSION) || name.endsWith(".arpa") || name.endsWith(".arpa.gz");
    }

    /**
     * Reads a language model file: the compact binary form when named {@code .smlm} ({@link CompactLmFile}), else
     * ARPA text (plain, or gzip-compressed when named {@code .gz}).
     */
    public static NgramLm read(Path file) throws IOException {
        return CompactLmFile.isCompact(file) ? CompactLmFile.read(file) : readArpa(file);
    }

    /** Reads a language model from {@code in}, in the form its {@code name} says (as {@link #read(Path)}). */
    public static NgramLm read(InputStream in, String name) throws IOException {
        if (name.endsWith(CompactLmFile.EXTENSION)) return CompactLmFile.read(in, name);
        return readArpa(in, name, name.endsWith(".gz"));
    }

    /** Writes the model in the form {@code file}'s name says (as {@link #read(Path)}); atomic. */
    public void write(Path file) throws IOException {
        if (CompactLmFile.isCompact(file)) CompactLmFile.write(this, file);
        else writeArpa(file);
    }

    // ARPA files

    /** Writes the model as ARPA text; gzip-compressed when the name ends in {@code .gz}. Atomic: temp file, then move. */
    public void writeArpa(Path file) throws IOException {
        AtomicFile.writeText(file, this::writeArpa);
    }

    private void writeArpa(BufferedWriter w) throws IOException {
        w.write("\n\\data\\\n");
        for (int n = 1; n <= order; n++) w.write("ngram " + n + "=" + count(n) + "\n");
        StringBuilder line = new StringBuilder();
        long mask = (1L << bits) - 1;
        for (int n = 1; n <= order; n++) {
            w.write("\n\\" + n + "-grams:\n");
            for (int e = 0; e < count(n); e++) {
                long key = grams[n - 1].key(e);
                line.setLength(0);
                line.append(format(log10Prob[n - 1][e])).append('\t');
                for (int i = n - 1; i >= 0; i--) {
                    line.append(vocabulary.get((int) ((key >>> (i * bits)) & mask)));
                    if (i > 0) line.append(' ');
                }
                if (n < order && log10Backoff[n - 1][e] != 0f) line.append('\t').append(format(log10Backoff[n - 1][e]));
                line.append('\n');
                w.write(line.toString());
            }
        }
        w.write("\n\\end\\\n");
    }

    /**
     * Three decimals: every log10 value to within 5e-4 (0.12 % in probability, far below what beam search can tell
     * apart at an LM weight of 0.4), and a gzipped file a fifth smaller than with six significant digits, which
     * matters for an LM shipped inside the runtime jar.
     */
    private static String format(float v) { return String.format(Locale.ROOT, "%.3f", v); }

    /** Reads an ARPA file (plain or {@code .gz}); errors name the file and line. */
    public static NgramLm readArpa(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return readArpa(in, file.toString(), file.getFileName().toString().endsWith(".gz"));
        }
    }

    /** Reads ARPA text from {@code in}; {@code name} is used in error messages. */
    public static NgramLm readArpa(InputStream in, String name, boolean gzip) throws IOException {
        try (InputStream body = gzip ? new GZIPInputStream(in, 1 << 16) : in;
             BufferedReader r = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8), 1 << 16)) {
            return new ArpaReader(r, name).read();
        } catch (IOException e) {
            // gzip and stream errors ("Not in GZIP format", a truncated file) do not say which file they are about.
            if (e.getMessage() != null && e.getMessage().startsWith(name)) throw e;
            throw new IOException(name + ": cannot read the language model: " + e.getMessage(), e);
        }
    }

    private static final class ArpaReader {
        private final BufferedReader r;
        private final String name;
        private int lineNo;

        ArpaReader(BufferedReader r, String name) {
            this.r = r;
            this.name = name;
        }

        NgramLm read() throws IOException {
            String line;
            while ((line = next()) != null && !line.strip().equals("\\data\\")) { /* header text before \data\ */ }
            if (line == null) throw error("no \\data\\ section: not an ARPA language model");
            List<Integer> counts = new ArrayList<>();
            while ((line = next()) != null && !line.isBlank()) {
                String s = line.strip();
                if (!s.startsWith("ngram ")) break;
                String[] kv = s.substring(6).split("=");
                if (kv.length != 2) throw error("bad count line '" + s + "'");
                int n = parseInt(kv[0].strip(), "n-gram order");
                if (n != counts.size() + 1) throw error("counts must list orders 1, 2, … in turn; got order " + n);
                counts.add(parseInt(kv[1].strip(), "n-gram count"));
            }
            int order = counts.size();
            if (order == 0) throw error("no 'ngram N=COUNT' lines");
            List<String> vocabulary = new ArrayList<>();
            Map<String, Integer> ids = new HashMap<>();
            Builder builder = null;
            for (int n = 1; n <= order; n++) {
                while ((line = next()) != null && line.isBlank()) { }
                String header = "\\" + n + "-grams:";
                if (line == null || !line.strip().equals(header)) throw error("expected '" + header + "'");
                int[] words = new int[n];
                FloatList unigramProbs = new FloatList(), unigramBackoffs = new FloatList();
                String[] fields = new String[n + 2];
                for (int e = 0; e < counts.get(n - 1); e++) {
                    line = next();
                    if (line == null || line.isBlank()) {
                        throw error("the " + n + "-gram section ends after " + e + " of " + counts.get(n - 1) + " entries");
                    }
                    int found = splitFields(line, fields);
                    if (found != n + 1 && !(n < order && found == n + 2)) {
                        throw error("a " + n + "-gram line needs a log10 prob, " + n + " words and, below the top order, "
                                + "an optional back-off; got '" + line.strip() + "'");
                    }
                    float prob = parseNumber(fields[0]);
                    if (prob > 0) throw error("a log10 probability must be <= 0; got '" + fields[0] + "'");
                    float backoff = found == n + 2 ? parseNumber(fields[n + 1]) : 0f;
                    if (n == 1) {
                        // Words get their ids here; the builder needs them all, so unigrams wait for the section's end.
                        if (ids.containsKey(fields[1])) throw error("the word '" + fields[1] + "' has two unigrams");
                        ids.put(fields[1], vocabulary.size());
                        vocabulary.add(fields[1]);
                        unigramProbs.add(prob);
                        unigramBackoffs.add(backoff);
                        continue;
                    }
                    for (int i = 0; i < n; i++) {
                        Integer id = ids.get(fields[1 + i]);
                        if (id == null) {
                            StringBuilder gram = new StringBuilder();
                            for (int j = 1; j <= n; j++) gram.append(j > 1 ? " " : "").append(fields[j]);
                            throw error("the " + n + "-gram '" + gram + "' uses '" + fields[1 + i] + "', which has no unigram");
                        }
                        words[i] = id;
                    }
                    try {
                        builder.add(words, prob, backoff);
                    } catch (IllegalArgumentException ex) {
                        throw error(ex.getMessage());
                    }
                }
                if (n == 1) {
                    try {
                        builder = new Builder(vocabulary, order);
                    } catch (IllegalArgumentException ex) {
                        throw error(ex.getMessage());
                    }
                    float[] p = unigramProbs.toArray(), b = unigramBackoffs.toArray();
                    for (int w = 0; w < p.length; w++) builder.add(new int[] {w}, p[w], b[w]);
                }
            }
            while ((line = next()) != null && line.isBlank()) { }
            if (line == null || !line.strip().equals("\\end\\")) throw error("expected '\\end\\' after the " + order + "-grams");
            try {
                return builder.build();
            } catch (IllegalArgumentException e) {
                throw new IOException(name + ": " + e.getMessage(), e);
            }
        }

        /** Splits on spaces and tabs into {@code fields}; returns how many there are (more than fit are counted). */
        private static int splitFields(String line, String[] fields) {
            int count = 0, i = 0, len = line.length();
            while (true) {
                while (i < len && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) i++;
                if (i >= len) return count;
                int start = i;
                while (i < len && line.charAt(i) != ' ' && line.charAt(i) != '\t') i++;
                if (count < fields.length) fields[count] = line.substring(start, i);
                count++;
            }
        }

        private String next() throws IOException {
            lineNo++;
            return r.readLine();
        }

        private int parseInt(String s, String what) throws IOException {
            try {
                return Integer.parseInt(s);
            } catch (NumberFormatException e) {
                throw error("bad " + what + " '" + s + "'");
            }
        }

        private float parseNumber(String s) throws IOException {
            float v;
            try {
                v = Float.parseFloat(s);
            } catch (NumberFormatException e) {
                throw error("bad number '" + s + "'");
            }
            if (!Float.isFinite(v)) throw error("a log10 value must be finite; got '" + s + "'");
            return v;
        }

        private IOException error(String message) {
            return new IOException(name + ":" + lineNo + ": " + message);
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    /** Collects n-grams (each n-gram once) and builds the model; checks that every n-gram's context is stored. */
    public static final class Builder {
        private final List<String> vocabulary;
        private final int order, bits;
        private final LongIndexMap[] grams;
        private final FloatList[] probs, backoffs;

        public Builder(List<String> vocabulary, int order) {
            this(vocabulary, order, null);
        }

        /** @param expectedCounts how many n-grams of each order will come (sizes the tables), or null */
        Builder(List<String> vocabulary, int order, int[] expectedCounts) {
            if (order < 1) throw new IllegalArgumentException("n-gram LM: order must be >= 1, got " + order);
            if (indexOf(vocabulary).size() != vocabulary.size()) throw new IllegalArgumentException("n-gram LM: the vocabulary repeats a word");
            this.vocabulary = List.copyOf(vocabulary);
            this.order = order;
            this.bits = bitsFor(vocabulary.size());
            if ((long) bits * order > 63) {
                throw new IllegalArgumentException("n-gram LM: order " + order + " with " + vocabulary.size()
                        + " words needs " + bits * order + "-bit keys; at most 63 fit (lower the order or the vocabulary)");
            }
            grams = new LongIndexMap[order];
            probs = new FloatList[order];
            backoffs = new FloatList[order];
            for (int n = 0; n < order; n++) {
                grams[n] = new LongIndexMap(expectedCounts != null && n < expectedCounts.length ? Math.max(16, expectedCounts[n])
                        : n == 0 ? vocabulary.size() : 1024);
                probs[n] = new FloatList();
                backoffs[n] = new FloatList();
            }
        }

        /** Adds the n-gram {@code words} (ids, oldest first; n = its length). */
        public Builder add(int[] words, float log10Prob, float log10Backoff) {
            int n = words.length;
            if (n < 1 || n > order) throw new IllegalArgumentException("n-gram LM: an n-gram of " + n + " words in an order-" + order + " model");
            if (!(log10Prob <= 0) || !Float.isFinite(log10Backoff)) {
                throw new IllegalArgumentException("n-gram LM: bad log10 values " + log10Prob + " / " + log10Backoff + " for " + words(words));
            }
            long key = 0;
            for (int w : words) {
                if (w < 0 || w >= vocabulary.size()) throw new IllegalArgumentException("n-gram LM: word id " + w + " outside the vocabulary");
                key = (key << bits) | w;
            }
            int before = grams[n - 1].size();
            int entry = grams[n - 1].getOrAdd(key);
            if (entry < before) throw new IllegalArgumentException("n-gram LM: the n-gram '" + words(words) + "' is listed twice");
            probs[n - 1].add(log10Prob);
            backoffs[n - 1].add(log10Backoff);
            return this;
        }

        /** Adds an n-gram given as its packed key (the words' ids, {@code bits} each, oldest highest), as {@link #add}. */
        Builder addPacked(int n, long key, float log10Prob, float log10Backoff) {
            if (n < 1 || n > order) throw new IllegalArgumentException("n-gram LM: an n-gram of " + n + " words in an order-" + order + " model");
            if (key < 0 || (n * bits < 63 && key >>> (n * bits) != 0)) throw new IllegalArgumentException("n-gram LM: key " + key + " is not a " + n + "-gram");
            int[] words = new int[n];
            for (int i = 0; i < n; i++) words[i] = (int) ((key >>> ((n - 1 - i) * bits)) & ((1L << bits) - 1));
            return add(words, log10Prob, log10Backoff);
        }

        public NgramLm build() {
            long mask = (1L << bits) - 1;
            for (int n = 2; n <= order; n++) {
                for (int e = 0; e < grams[n - 1].size(); e++) {
                    long key = grams[n - 1].key(e);
                    long context = key >>> bits;
                    if (grams[n - 2].get(context) < 0) {
                        int[] ws = new int[n];
                        for (int i = 0; i < n; i++) ws[i] = (int) ((key >>> ((n - 1 - i) * bits)) & mask);
                        throw new IllegalArgumentException("n-gram LM: '" + words(ws) + "' is stored but its context is not");
                    }
                }
            }
            float[][] p = new float[order][], b = new float[order][];
            for (int n = 0; n < order; n++) {
                p[n] = probs[n].toArray();
                b[n] = backoffs[n].toArray();
            }
            return new NgramLm(vocabulary, order, grams, p, b);
        }

        private String words(int[] ids) {
            StringBuilder sb = new StringBuilder();
            for (int id : ids) {
                if (!sb.isEmpty()) sb.append(' ');
                sb.append(id >= 0 && id < vocabulary.size() ? vocabulary.get(id) : "#" + id);
            }
            return sb.toString();
        }
    }

    static final class FloatList {
        private float[] values = new float[1024];
        private int size;

        void add(float v) {
            if (size == values.length) values = Arrays.copyOf(values, size * 2);
            values[size++] = v;
        }

        float[] toArray() { return Arrays.copyOf(values, size); }
    }

    static int bitsFor(int vocabularySize) { return Math.max(1, 32 - Integer.numberOfLeadingZeros(Math.max(1, vocabularySize - 1))); }

    private static Map<String, Integer> indexOf(List<String> vocabulary) {
        Map<String, Integer> m = new HashMap<>();
        for (int i = 0; i < vocabulary.size(); i++) m.putIfAbsent(vocabulary.get(i), i);
        return m;
    }

    // Package-private views for CompactLmFile: entry e of the n-grams of order n (1-based), in insertion order.
    int bits() { return bits; }

    long key(int n, int e) { return grams[n - 1].key(e); }

    int entry(int n, long key) { return grams[n - 1].get(key); }

    float storedLog10Prob(int n, int e) { return log10Prob[n - 1][e]; }

    float storedLog10Backoff(int n, int e) { return log10Backoff[n - 1][e]; }

    @Override public String toString() {
        StringBuilder sb = new StringBuilder(order + "-gram LM, " + vocabulary.size() + " words");
        for (int n = 1; n <= order; n++) sb.append(n == 1 ? ": " : ", ").append(count(n)).append(' ').append(n).append("-grams");
        return sb.toString();
    }
}
